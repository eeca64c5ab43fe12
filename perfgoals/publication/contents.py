"""What a publication of a department-year would include, and the frozen copy of it.

:func:`preview` reads the department-year's projects and sorts them into included (targets approved for
预算公开; self-evaluation approved for 决算公开) and excluded, each excluded one with the reason. The
included ones are copied into plain text (level names as printed, target texts, scores and rates as
printed) by :func:`frozen`, which is what a publication stores and the public pages show. A goals
publication also stores each project's goal-table content (``table``: :func:`.goaltables.content.to_plain`),
from which the 公开表 file is printed in the region's layout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum

from projects.models import Department, Project

from ..choices import Status
from ..goaltables.content import goal_projects, to_plain
from ..models import Indicator
from ..reports.formatting import DASH, money, percent, score_cell
from .models import Kind

#: the statuses whose targets were approved (预算公开 publishes these goal tables)
TARGETS_APPROVED_STATUSES = frozenset(
    set(Status.values) - {Status.DRAFT, Status.TARGETS_SUBMITTED, Status.TARGETS_FINANCE}
)
#: the statuses whose self-evaluation was approved (决算公开 publishes these results)
RESULTS_APPROVED_STATUSES = frozenset({Status.APPROVED, Status.PUBLISHED})

_WHY_NOT = {
    Kind.GOALS: "绩效目标尚未批复（当前状态：{status}）",
    Kind.RESULTS: "绩效自评尚未审核通过（当前状态：{status}）",
}


@dataclass
class Preview:
    """The projects of a department-year a publication of ``kind`` would include and exclude."""

    department: Department
    year: int
    kind: str
    included: list[Project] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)

    @property
    def token(self) -> str:
        """A fingerprint of what the page showed: the included projects at their evaluation versions and
        the excluded ones. An action refuses to publish when it changed since (see ``actions``)."""
        parts = [f"{p.pk}:{p.evaluation.version}" for p in self.included]
        parts += [f"x{e['id']}" for e in self.excluded]
        return hashlib.sha256(",".join(parts).encode()).hexdigest()[:16]


def department_year_projects(department: Department, year: int):
    return (
        Project.objects.filter(department=department, year=year)
        .select_related("unit", "evaluation")
        .order_by("unit__name", "name", "pk")
    )


def preview(department: Department, year: int, kind: str) -> Preview:
    wanted = TARGETS_APPROVED_STATUSES if kind == Kind.GOALS else RESULTS_APPROVED_STATUSES
    out = Preview(department, year, kind)
    for project in department_year_projects(department, year):
        evaluation = getattr(project, "evaluation", None)
        if evaluation is not None and evaluation.status in wanted:
            out.included.append(project)
        else:
            status = evaluation.get_status_display() if evaluation is not None else "无自评记录"
            out.excluded.append(
                {
                    "id": project.pk,
                    "name": project.name,
                    "unit": project.unit.name,
                    "reason": _WHY_NOT[kind].format(status=status),
                }
            )
    return out


def _level_names(indicator: Indicator) -> tuple[str, str]:
    """Level 1 and level 2 as the table printed them (社会效益 stays 社会效益), else the vocabulary's."""
    return (
        indicator.level1_printed or indicator.get_level1_display(),
        indicator.level2_printed or indicator.get_level2_display(),
    )


def frozen(included: list[Project], kind: str) -> dict:
    """The published copy of ``included``: plain text only, nothing read from the database later."""
    ids = [p.pk for p in included]
    if kind == Kind.GOALS:
        projects = (
            Project.objects.filter(pk__in=ids)
            .select_related("unit")
            .prefetch_related(Prefetch("indicators", Indicator.objects.order_by("order")))
            .annotate(annual=Sum("budget_lines__annual"))
        )
        by_id = {p.pk: p for p in projects}
        # what the region's goal-table layout prints (goaltables.content), for the 公开表 file
        tables = {table.id: to_plain(table) for table in goal_projects(Project.objects.filter(pk__in=ids))}
        out = []
        for pk in ids:
            project = by_id[pk]
            indicators = []
            for indicator in project.indicators.all():
                level1, level2 = _level_names(indicator)
                indicators.append(
                    {
                        "level1": level1,
                        "level2": level2,
                        "name": indicator.name,
                        "nature": indicator.nature_printed,
                        "target": indicator.target_text,
                        "unit": indicator.unit_printed,
                    }
                )
            out.append(
                {
                    "id": pk,
                    "name": project.name,
                    "unit": project.unit.name,
                    "budget": money(_decimal(project.annual), DASH),
                    "total_budget": money(project.total_budget, DASH),
                    "goal": project.goal_text,
                    "indicators": indicators,
                    "table": tables[pk],
                }
            )
        return {"projects": out}
    out = []
    for project in included:
        evaluation = project.evaluation
        out.append(
            {
                "id": project.pk,
                "name": project.name,
                "unit": project.unit.name,
                "total_score": score_cell(evaluation.total_score, DASH),
                "grade": evaluation.grade or DASH,
                "execution_rate": percent(evaluation.execution_rate),
            }
        )
    return {"projects": out}


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)
