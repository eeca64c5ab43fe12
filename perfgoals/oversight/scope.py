"""Which projects an overview covers: a year of the user's scope (``projects.scoping``), narrowed to a
department or a unit the user may see, and the level its drill-down rows are at."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from projects.filtersets import years_of
from projects.models import Department, Project, Region, Unit
from projects.scoping import visible_projects


@dataclass
class OverviewScope:
    projects: object  # QuerySet[Project] of one year
    year: int | None
    years: list[int]
    level: str
    region: Region | None = None
    department: Department | None = None
    unit: Unit | None = None

    @property
    def title(self) -> str:
        where = self.unit or self.department or self.region
        return f"{where.name if where else '全部地区'} {self.year or ''} 年度"


def _id(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def narrow(scoped, year, department=None, unit=None, region=None) -> OverviewScope:
    """``scoped``: the projects a user (or a command) may read. Narrowed to a department or a unit
    that holds projects in it; anything else (another department's id, a forged value) is a 404."""
    years = years_of(scoped)
    year = _id(year) if year else (years[0] if years else None)
    if year is not None and year not in years and years:
        raise Http404("没有该年度的项目。")
    projects = scoped.filter(year=year) if year is not None else scoped.none()
    scope = OverviewScope(projects=projects, year=year, years=years, level="region", region=region)
    unit_id, department_id = _id(unit), _id(department)
    if unit:
        if unit_id is None or not projects.filter(unit_id=unit_id).exists():
            raise Http404("该单位不在您的查看范围内。")
        scope.unit = Unit.objects.select_related("department").get(pk=unit_id)
        scope.department = scope.unit.department
        scope.projects, scope.level = projects.filter(unit_id=unit_id), "unit"
    elif department:
        if department_id is None or not projects.filter(department_id=department_id).exists():
            raise Http404("该主管部门不在您的查看范围内。")
        scope.department = Department.objects.get(pk=department_id)
        scope.projects, scope.level = projects.filter(department_id=department_id), "department"
    elif projects.order_by().values("department_id").distinct()[:2].count() == 1:
        # a supervisor's one department: its units are the rows
        first = projects.order_by().values_list("department_id", flat=True).first()
        scope.department = Department.objects.get(pk=first)
        scope.level = "department"
    return scope


def for_user(user, year=None, department=None, unit=None) -> OverviewScope:
    return narrow(visible_projects(user), year, department, unit)


def for_region(region: Region, year, department: Department | None = None) -> OverviewScope:
    scoped = Project.objects.filter(region=region)
    scope = narrow(scoped, year, department.pk if department else None, region=region)
    scope.region = region
    return scope
