"""The goal tables of a project or of a department-year, in the region's layout: what the views, the
command and the report packages ask for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from projects.models import Department, Project

from . import xlsx
from .content import from_plain, goal_projects
from .grid import Page, pages
from .layouts import Layout, choose

#: the file's name in a report package and in export_selfeval's folder
PACKAGE_NAME = "03_项目支出绩效目标表"
PACKAGE_DESCRIPTION = f"{PACKAGE_NAME}（.xlsx，按本地区公开的格式）"
_UNSAFE = re.compile(r'[\\/:*?"<>|\r\n\t]')


def file_name(name: str, limit: int = 80) -> str:
    """A file name every system accepts (as the report packages name their files)."""
    return _UNSAFE.sub("_", name).strip(" .")[:limit] or "未命名"


@dataclass
class GoalTables:
    """The printed tables of one or more projects of one region-year."""

    layout: Layout
    title: str
    pages: list[Page]

    def workbook(self, stamp: datetime | None = None) -> bytes:
        return xlsx.workbook(self.pages, self.title, stamp)


def for_projects(
    projects: QuerySet[Project], region: str, year: int, title: str, variant: str = ""
) -> GoalTables:
    """``projects`` (already scoped, one region-year) in the region's layout for the year (or its
    ``variant``: :class:`.layouts.LayoutNotFound` when the region has none)."""
    layout = choose(region, year, variant)
    return GoalTables(layout, title, pages(layout, goal_projects(projects.order_by("pk"))))


def for_project(project: Project, variant: str = "") -> GoalTables:
    region = project.unit.department.region.name
    queryset = Project.objects.filter(pk=project.pk)
    return for_projects(queryset, region, project.year, project.name, variant)


def for_department_year(
    department: Department, year: int, projects: QuerySet[Project], variant: str = ""
) -> GoalTables:
    """The department's goal tables of the year (``projects``: already scoped to what the reader may see)."""
    title = f"{year} 年度{department.name}{variant or '项目支出'}绩效目标表"
    return for_projects(
        projects.filter(department=department, year=year), department.region.name, year, title, variant
    )


def for_frozen(region: str, year: int, title: str, projects: list[dict]) -> GoalTables:
    """The tables rebuilt from frozen copies (:func:`.content.to_plain`, as a publication stores them) in
    the region's layout for the year: nothing is read from the database."""
    layout = choose(region, year)
    return GoalTables(layout, title, pages(layout, [from_plain(project) for project in projects]))


def package_files(dy, stamp: datetime | None = None) -> Iterator[tuple[str, bytes]]:
    """The department-year's goal workbook for a report package (``dy``: a ``reports.data.DepartmentYear``
    whose projects were read through the reader's scope)."""
    projects = Project.objects.filter(pk__in=[form.project_id for form in dy.forms])
    title = f"{dy.year} 年度{dy.department}项目支出绩效目标表"
    yield f"{PACKAGE_NAME}.xlsx", for_projects(projects, dy.region, dy.year, title).workbook(stamp)
