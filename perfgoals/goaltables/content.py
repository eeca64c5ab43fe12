"""What a goal table prints, read once from the database into plain data.

:class:`GoalProject` is one project-year's table content: its fields (long-term goal, 立项依据,
dates, procurement, 项目总预算 …), its budget by fund source and its indicators with the level names
as printed. :func:`field_value` gives a field as a cell holds it (a Decimal stays a number, a date is
printed in the layout's format). No query is run after :func:`goal_projects`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet

from projects.choices import BudgetSource
from projects.models import Project

from ..models import Indicator
from ..reports import formatting as fmt
from ..reports.data import printed_target
from .layouts import Layout


@dataclass(frozen=True)
class GoalIndicator:
    level1: str
    level2: str
    level1_printed: str
    level2_printed: str
    name: str
    nature: str
    value: str
    unit: str
    #: 指标值 in one column: nature, value and unit joined ("≥90%"), as a one-column table prints it
    target: str
    # 财预〔2021〕101号 (取值依据 as its label: 计划标准 …)
    explanation: str = ""
    scoring_standard: str = ""
    data_source: str = ""
    basis: str = ""


@dataclass(frozen=True)
class GoalProject:
    id: int
    year: int
    name: str
    region: str
    department: str
    unit: str
    project_type: str
    long_term_goal: str
    goal_text: str
    legal_basis: str
    start_date: date | None
    end_date: date | None
    government_procurement: bool | None
    procurement_amount: Decimal | None
    total_budget: Decimal | None
    annual: Decimal | None
    fiscal: Decimal | None
    other: Decimal | None
    indicators: tuple[GoalIndicator, ...]
    empty_level2: tuple[tuple[str, str], ...]


def with_goal_data(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The queryset with everything a goal table needs, in a fixed number of queries."""
    return queryset.select_related("unit__department__region").prefetch_related(
        "budget_lines", Prefetch("indicators", queryset=Indicator.objects.order_by("order"))
    )


def _sum(values) -> Decimal | None:
    values = [value for value in values if value is not None]
    return sum(values, Decimal(0)) if values else None


def goal_project(project: Project) -> GoalProject:
    """One project's table content (use :func:`with_goal_data` on the queryset)."""
    lines = list(project.budget_lines.all())

    def amount(line):
        # the year's budget: 全年预算数 where entered, else 年初预算数
        return line.annual if line.annual is not None else line.initial

    fiscal_sources = {BudgetSource.CURRENT_YEAR, BudgetSource.CARRYOVER}
    indicators = tuple(
        GoalIndicator(
            level1=ind.level1,
            level2=ind.level2,
            level1_printed=ind.level1_printed,
            level2_printed=ind.level2_printed,
            name=ind.name,
            nature=ind.nature_printed,
            value=ind.target_text,
            unit=ind.unit_printed,
            target=printed_target(ind),
            explanation=ind.explanation,
            scoring_standard=ind.scoring_standard,
            data_source=ind.data_source,
            basis=ind.get_basis_display() if ind.basis else "",
        )
        for ind in project.indicators.all()
    )
    return GoalProject(
        id=project.pk,
        year=project.year,
        name=project.name,
        region=project.unit.department.region.name,
        department=project.unit.department.name,
        unit=project.unit.name,
        project_type=project.project_type,
        long_term_goal=project.long_term_goal,
        goal_text=project.goal_text,
        legal_basis=project.legal_basis,
        start_date=project.start_date,
        end_date=project.end_date,
        government_procurement=project.government_procurement,
        procurement_amount=project.procurement_amount,
        total_budget=project.total_budget,
        annual=_sum(amount(line) for line in lines),
        fiscal=_sum(amount(line) for line in lines if line.source in fiscal_sources),
        other=_sum(amount(line) for line in lines if line.source == BudgetSource.OTHER),
        indicators=indicators,
        empty_level2=tuple(tuple(pair) for pair in project.empty_level2 or ()),
    )


def goal_projects(queryset: QuerySet[Project]) -> list[GoalProject]:
    return [goal_project(project) for project in with_goal_data(queryset)]


def money_text(value: Decimal | None, layout: Layout) -> str:
    """万元 as the layout prints it: "6640", "234.5" — or "3,792.00" where the region prints two places."""
    if value is None:
        return ""
    if layout.money_places is None:
        return fmt.money(value)
    quantum = Decimal(1).scaleb(-layout.money_places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:,}" if layout.money_thousands else f"{rounded}"


MONEY_FIELDS = frozenset({"annual", "fiscal", "other", "total_budget", "procurement_amount"})


def printed_name(project: GoalProject, layout: Layout) -> str:
    return layout.name_template.format(
        name=project.name, year=project.year, annual=money_text(project.annual, layout)
    )


def field_value(project: GoalProject, name: str, layout: Layout) -> str | Decimal | None:
    """A field as its cell holds it: money as a Decimal (a number in Excel), everything else as text."""
    if name == "name":
        return printed_name(project, layout)
    if name in MONEY_FIELDS:
        return getattr(project, name)
    if name in ("start_date", "end_date"):
        value = getattr(project, name)
        return value.strftime(layout.date_format) if value else ""
    if name == "procurement":
        return {True: "是", False: "否"}.get(project.government_procurement, "")
    value = getattr(project, name)
    return "" if value is None else str(value)


def is_empty(value) -> bool:
    return value is None or value == ""


# --- frozen copies (a publication stores what a table needs and prints it later from that alone) ---

_DATES = ("start_date", "end_date")
_MONEY = ("procurement_amount", "total_budget", "annual", "fiscal", "other")


def to_plain(project: GoalProject) -> dict:
    """The table content as JSON-safe data: money as text ("3792.00", exact), dates ISO, lists."""
    out = {}
    for name in GoalProject.__dataclass_fields__:
        value = getattr(project, name)
        if name in _DATES:
            value = value.isoformat() if value else None
        elif name in _MONEY:
            value = None if value is None else str(value)
        elif name == "indicators":
            value = [{key: getattr(ind, key) for key in GoalIndicator.__dataclass_fields__} for ind in value]
        elif name == "empty_level2":
            value = [list(pair) for pair in value]
        out[name] = value
    return out


def from_plain(data: dict) -> GoalProject:
    """:func:`to_plain` read back (a field an older copy lacks is left empty)."""
    values = {}
    for name in GoalProject.__dataclass_fields__:
        value = data.get(name)
        if name in _DATES:
            value = date.fromisoformat(value) if value else None
        elif name in _MONEY:
            value = None if value in (None, "") else Decimal(value)
        elif name == "indicators":
            fields = GoalIndicator.__dataclass_fields__
            value = tuple(GoalIndicator(**{key: ind.get(key) or "" for key in fields}) for ind in value or ())
        elif name == "empty_level2":
            value = tuple(tuple(pair) for pair in value or ())
        elif name == "government_procurement":
            value = value if isinstance(value, bool) else None
        elif name in ("id", "year"):
            value = int(value) if value is not None else 0
        else:
            value = "" if value is None else str(value)
        values[name] = value
    return GoalProject(**values)
