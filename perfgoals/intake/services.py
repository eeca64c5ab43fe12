"""Workflows of the intake app: plan (preview) and apply an import, the batch lifecycle, the year
rollover, and the indicator library.

An import is two steps. :func:`plan_import` reads the workbook (``reader``), resolves every project
it names against the database *through the user's scope* (``projects.scoping.enterable_projects``),
reads every target and actual with the engine, and returns a :class:`Plan`: the rows as parsed, the
warnings, and the errors. Nothing is written. :func:`apply_plan` writes a plan without errors in one
transaction, checking again what may have changed since the plan was made; any failure rolls the
whole file back. Views, the Celery task and the ``import_workbook`` command all go through these two.

Uploaded workbooks are not kept forever: :func:`clean_uploads` (``manage.py clean_uploads``, the daily
Celery task ``intake.clean_uploads``) deletes the files of batches finished or abandoned at the preview
for longer than ``settings.IMPORT_UPLOAD_RETENTION_DAYS``, keeping the batch rows as the import log.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.models import HistoricalRecords

from perfgoals import services as perf_services
from perfgoals.choices import EDITABLE_STATUSES, Status
from perfgoals.engine import (
    Direction,
    IndicatorInput,
    Kind,
    adopt_unit,
    compatible,
    parse,
    score_indicator,
    suggest_direction,
    vocabulary,
)
from perfgoals.engine.values import format_decimal
from perfgoals.models import Evaluation, Indicator
from perfgoals.workflow import band_range, bump_evaluation
from projects.choices import BudgetSource
from projects.models import BudgetLine, Project, Unit
from projects.scoping import enterable_projects, enterable_units, visible_projects
from projects.services import (
    EVALUATION_FIELDS,
    PROJECT_FIELDS,
    BudgetLineData,
    IndicatorData,
    ProjectYearData,
    create_project_year,
    create_project_years,
    replace_project_year,
)

from .models import BatchStatus, CarriedIndicator, ImportBatch, ImportKind, LibraryIndicator
from .reader import (
    FIELD_TITLES,
    MAX_PROBLEMS,
    IndicatorRow,
    Problem,
    ProjectFragment,
    WorkbookRejected,
    read_workbook,
)

logger = logging.getLogger(__name__)

#: files larger than this are parsed and imported by a Celery task (settings.INTAKE_ASYNC_BYTES)
DEFAULT_ASYNC_BYTES = 256 * 1024
#: rows shown on one page of a preview
PREVIEW_PAGE = 200

_BUDGET_FIELDS = {
    f"{source}_{part}": (source, part)
    for source in (BudgetSource.CURRENT_YEAR, BudgetSource.CARRYOVER, BudgetSource.OTHER)
    for part in ("initial", "annual", "executed")
}
#: project-level fields a results import may write
_RESULT_PROJECT_FIELDS = {
    "goal_result_text",
    "current_year_executed",
    "carryover_executed",
    "other_executed",
    "low_score_explanation",
    "printed_execution_rate",
    "printed_execution_score",
    "printed_total",
    "printed_grade",
}
_EVALUATION_FILE_FIELDS = {
    "level1_weights": "declared_level1_weights",
    "low_score_explanation": "low_score_explanation",
    "printed_execution_rate": "printed_execution_rate",
    "printed_execution_score": "printed_execution_score",
    "printed_total": "printed_total",
    "printed_grade": "printed_grade",
}


class ImportRefused(Exception):
    """Raised by apply_plan when the plan has errors or the database changed under it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("；".join(p.text() for p in problems[:5]))


# --- who imports ----------------------------------------------------------------------------------


@dataclass
class Actor:
    """Who an import or rollover acts for: a user (through the scoping function), or the system
    (``user`` None: the command line without --user, every unit)."""

    user: Any = None

    @property
    def is_system(self) -> bool:
        return self.user is None

    def projects(self) -> QuerySet[Project]:
        if self.user is None:
            return Project.objects.all()
        return enterable_projects(self.user)

    def units(self) -> list[Unit]:
        """Units whose projects this actor may create and fill in."""
        if not hasattr(self, "_units"):
            if self.user is None:
                units = Unit.objects.select_related("department")
            else:
                units = enterable_units(self.user).select_related("department")
            self._units = list(units.order_by("pk"))
        return self._units


def can_import(user) -> bool:
    """Unit users (填报人) import and roll over; supervisors, finance and admins only read."""
    return bool(getattr(user, "is_authenticated", False)) and bool(Actor(user).units())


@contextmanager
def history_user(user):
    """Make simple_history record ``user`` for the changes made inside (a task has no request)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    if user is not None and previous is None:
        context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if user is not None and previous is None:
            del context.request


# --- the plan -------------------------------------------------------------------------------------


@dataclass
class PlannedIndicator:
    """One indicator row as it will be written, with what the engine read in it."""

    row: IndicatorRow
    data: IndicatorData
    target: Any
    actual: Any | None
    match: Indicator | None = None
    score: Decimal | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class PlannedProject:
    """A project the file writes to: created, replaced (a draft), or given its results."""

    unit: Unit
    year: int
    name: str
    action: str  # "create" | "replace" | "results"
    fragment: ProjectFragment
    existing: Project | None = None
    data: ProjectYearData | None = None
    has_budget: bool = False
    indicators: list[PlannedIndicator] = field(default_factory=list)
    project_updates: dict[str, Any] = field(default_factory=dict)
    untouched: int = 0
    warnings: list[Problem] = field(default_factory=list)

    ACTION_LABELS = {"create": "新建", "replace": "覆盖草稿", "results": "填写完成情况"}

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS[self.action]


@dataclass
class Plan:
    """What a file would do, and why it cannot when ``errors`` is not empty."""

    kind: str
    source_name: str = ""
    projects: list[PlannedProject] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    errors_dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def indicator_count(self) -> int:
        return sum(len(p.indicators) for p in self.projects)

    @property
    def feeds_library(self) -> bool:
        """Whether writing this plan changes what the indicator library is built from (a goals
        import does). The caller then queues ``tasks.queue_library_rebuild``: services queue nothing."""
        return self.kind == ImportKind.GOALS

    def error(self, problem: Problem) -> None:
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(problem)
        else:
            self.errors_dropped += 1

    def summary(self) -> dict[str, Any]:
        counts = Counter(p.action for p in self.projects)
        return {
            "projects": len(self.projects),
            "created": counts.get("create", 0),
            "replaced": counts.get("replace", 0),
            "results": counts.get("results", 0),
            "indicators": self.indicator_count,
            "rows_read": self.rows_read,
            "errors": len(self.errors) + self.errors_dropped,
            "warnings": len(self.warnings)
            + sum(len(p.warnings) for p in self.projects)
            + sum(len(i.warnings) for p in self.projects for i in p.indicators),
        }

    def preview(self) -> dict[str, Any]:
        """The plan as JSON for the preview page and the command line."""
        return {
            "kind": self.kind,
            "source": self.source_name,
            "summary": self.summary(),
            "errors": [p.as_dict() for p in self.errors],
            "errors_dropped": self.errors_dropped,
            "warnings": [p.as_dict() for p in self.warnings],
            "projects": [_project_preview(p) for p in self.projects],
        }


def _direction_label(value: str | None) -> str:
    return Direction(value).label if value else ""


def _project_preview(planned: PlannedProject) -> dict[str, Any]:
    rows = []
    for item in planned.indicators:
        target = item.target
        data = item.data
        if data.direction_override:
            override = Direction(data.direction_override)
            direction, direction_label = override.symbol, f"{override.label}（人工确认）"
        else:
            direction = target.operator_symbol() or ""
            direction_label = _direction_label(target.direction.value if target.direction else None)
        rows.append(
            {
                "sheet": item.row.sheet,
                "row": item.row.row,
                "level1": vocabulary.level1_name(data.level1),
                "level2": vocabulary.level2_name(data.level2),
                "name": data.name,
                "nature": data.nature_printed,
                "target": data.target_text,
                "kind": target.kind.label,
                "direction": direction,
                "direction_label": direction_label,
                "direction_override": data.direction_override,
                "not_applicable": data.not_applicable,
                "value": format_decimal(target.number) if target.number is not None else "",
                "unit": target.printed_unit or target.unit or "",
                "reading": target.display(),
                "weight": format_decimal(data.weight) if data.weight is not None else "",
                "actual": data.actual_text,
                "actual_reading": item.actual.display() if item.actual is not None else "",
                "band": data.band,
                "band_score": format_decimal(data.band_score) if data.band_score is not None else "",
                "score": format_decimal(item.score) if item.score is not None else "",
                "warnings": item.warnings,
            }
        )
    return {
        "action": planned.action,
        "action_label": planned.action_label,
        "name": planned.name,
        "year": planned.year,
        "unit": planned.unit.name,
        "fund_user": planned.data.fund_user if planned.data else "",
        "department": planned.unit.department.name,
        "existing_id": planned.existing.pk if planned.existing else None,
        "sheet": planned.fragment.sheet,
        "row": planned.fragment.row,
        "untouched": planned.untouched,
        "empty_level2": [
            f"{vocabulary.level1_name(l1)} / {vocabulary.level2_name(l2)}"
            for l1, l2 in (planned.data.empty_level2 if planned.data else [])
        ],
        "warnings": [p.as_dict() for p in planned.warnings],
        "rows": rows,
    }


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _place(fragment: ProjectFragment, message: str, field_code: str | None = None) -> Problem:
    """A problem about a project, pointing at the cell that says it (or at its name)."""
    for code in (field_code, "project"):
        place = fragment.field_places.get(code) if code else None
        if place is not None:
            return Problem(message, place.sheet, place.row, place.column, FIELD_TITLES.get(code or ""))
    return Problem(message, fragment.sheet, fragment.row, None, None)


class _Resolver:
    """Turns the reader's fragments into planned projects for one actor."""

    def __init__(self, plan: Plan, actor: Actor, kind: str, default_year: int | None):
        self.plan = plan
        self.actor = actor
        self.kind = kind
        self.default_year = default_year
        self.schemes: dict[tuple[int, int], Any] = {}
        self.units_by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in actor.units():
            self.units_by_name[_squash(unit.name)].append(unit)

    def scheme(self, unit: Unit, year: int, project: Project | None):
        """The engine scheme a project-year will be scored by (cached per region and year)."""
        key = (unit.department.region_id, year)
        if key not in self.schemes:
            self.schemes[key] = perf_services.scheme_for(
                project or Project(unit=unit, year=year)
            ).engine_scheme()
        return self.schemes[key]

    def unit_for(self, fragment: ProjectFragment) -> Unit | None:
        units = self.actor.units()
        department = _squash(fragment.department_name)
        if fragment.unit_name:
            candidates = self.units_by_name.get(_squash(fragment.unit_name), [])
            if department:
                narrowed = [u for u in candidates if _squash(u.department.name) == department]
                if candidates and not narrowed:
                    self.plan.error(
                        _place(
                            fragment,
                            f"实施单位「{fragment.unit_name}」不属于主管部门「{fragment.department_name}」。",
                            "unit",
                        )
                    )
                    return None
                candidates = narrowed
            if len(candidates) == 1:
                return candidates[0]
            if len(candidates) > 1:
                self.plan.error(
                    _place(
                        fragment,
                        f"有多个名为「{fragment.unit_name}」的实施单位，请填写「主管部门」区分。",
                        "unit",
                    )
                )
                return None
            if self.actor.is_system:
                self.plan.error(
                    _place(fragment, f"系统中没有名为「{fragment.unit_name}」的实施单位。", "unit")
                )
            else:
                self.plan.error(
                    _place(
                        fragment,
                        f"实施单位「{fragment.unit_name}」不是您所在的单位：只能导入本单位的项目。",
                        "unit",
                    )
                )
            return None
        if department:
            candidates = [u for u in units if _squash(u.department.name) == department]
            if self.actor.is_system:
                # a department carrying out its projects itself is a unit of the same name
                candidates = [u for u in candidates if _squash(u.name) == department] or candidates
            if not candidates:
                self.plan.error(
                    _place(
                        fragment,
                        f"主管部门「{fragment.department_name}」下没有您可以填报的单位。"
                        if not self.actor.is_system
                        else f"系统中没有主管部门「{fragment.department_name}」或其下没有实施单位。",
                    )
                )
                return None
            if len(candidates) == 1:
                return candidates[0]
        elif len(units) == 1:
            return units[0]
        self.plan.error(_place(fragment, "无法确定项目属于哪个实施单位：请在文件中填写「实施单位」列。"))
        return None

    def resolve(self, fragments: list[ProjectFragment]) -> None:
        grouped: dict[tuple[int, int, str], list[ProjectFragment]] = {}
        units: dict[int, Unit] = {}
        for fragment in fragments:
            year = fragment.year or self.default_year
            if year is None:
                self.plan.error(
                    _place(
                        fragment,
                        f"项目「{fragment.name}」无法确定年度：请在文件中加「年度」列，或在上传时选择年度。",
                    )
                )
                continue
            fragment.year = year
            unit = self.unit_for(fragment)
            if unit is None:
                continue
            units[unit.pk] = unit
            grouped.setdefault((unit.pk, year, fragment.name), []).append(fragment)
        if not grouped:
            return
        existing = {
            (p.unit_id, p.year, p.name): p
            for p in self.actor.projects()
            .filter(
                unit_id__in=units, year__in={key[1] for key in grouped}, name__in={key[2] for key in grouped}
            )
            .select_related("unit__department__region", "evaluation__scheme")
            .prefetch_related("indicators", "budget_lines")
        }
        for key, parts in grouped.items():
            fragment = self._merge(parts)
            if fragment is None:
                continue
            unit = units[key[0]]
            project = existing.get(key)
            if self.kind == ImportKind.RESULTS:
                planned = self.plan_results(unit, fragment, project)
            else:
                planned = self.plan_goals(unit, fragment, project)
            if planned is not None:
                self.plan.projects.append(planned)

    def _merge(self, parts: list[ProjectFragment]) -> ProjectFragment | None:
        """One fragment of all the places that name the same project (conflicting values are errors)."""
        first = parts[0]
        for other in parts[1:]:
            for code, value in other.fields.items():
                known = first.fields.get(code)
                if known is None:
                    first.fields[code] = value
                    first.field_places[code] = other.field_places[code]
                elif known != value:
                    place = other.field_places[code]
                    self.plan.error(
                        Problem(
                            f"项目「{first.name}」的「{FIELD_TITLES[code]}」在文件中有两个不同的值：「{known}」和「{value}」。",
                            place.sheet,
                            place.row,
                            place.column,
                            FIELD_TITLES[code],
                        )
                    )
            first.rows.extend(other.rows)
            first.empty_level2.extend(pair for pair in other.empty_level2 if pair not in first.empty_level2)
        return first

    # -- goals --------------------------------------------------------------------------------------

    def plan_goals(
        self, unit: Unit, fragment: ProjectFragment, project: Project | None
    ) -> PlannedProject | None:
        name = fragment.name
        if project is not None and project.evaluation.status != Status.DRAFT:
            self.plan.error(
                _place(
                    fragment,
                    f"项目「{name}」（{fragment.year} 年）已存在，状态为「{project.evaluation.get_status_display()}」："
                    f"只有“目标草稿”状态的项目可以用导入覆盖。",
                    "project",
                )
            )
            return None
        if not fragment.rows:
            self.plan.error(
                _place(fragment, f"项目「{name}」在文件中没有任何指标行（三级指标）。", "project")
            )
            return None
        action = "replace" if project is not None else "create"
        planned = PlannedProject(
            unit=unit, year=fragment.year or 0, name=name, action=action, fragment=fragment, existing=project
        )
        data = _project_data_from(fragment, project)
        if data.fund_user.strip() == unit.name:
            data.fund_user = ""  # blank means the implementing unit: the same name adds nothing
        data.source = f"导入：{self.plan.source_name}"[:200] if self.plan.source_name else "导入"
        planned.has_budget = any(code in fragment.fields for code in (*_BUDGET_FIELDS, "budget"))
        data.budget_lines = _budget_lines_from(fragment, project if not planned.has_budget else None)
        planned.data = data
        if action == "replace":
            planned.warnings.append(
                _place(
                    fragment,
                    f"将覆盖项目「{name}」现有的 {len(project.indicators.all())} 个指标。",  # type: ignore[union-attr]
                )
            )
        scheme = self.scheme(unit, planned.year, project)
        seen: dict[tuple[str, str], int] = {}
        for row in fragment.rows:
            if not row.level1 or not row.level2:
                self.plan.error(
                    row.problem(
                        "缺少一级指标和二级指标：导入绩效目标表时表中须有「一级指标」「二级指标」列。", "name"
                    )
                )
                continue
            item = _planned_indicator(row, scheme, planned.year)
            for problem in _band_score_problems(item, scheme):
                self.plan.error(problem)
            key = (item.data.level2, _squash(item.data.name))
            if key in seen:
                item.warnings.append(f"与第 {seen[key]} 行的指标同名（同一二级指标下）。")
            else:
                seen[key] = row.row
            planned.indicators.append(item)
        data.indicators = [item.data for item in planned.indicators]
        return planned

    # -- results ------------------------------------------------------------------------------------

    def plan_results(
        self, unit: Unit, fragment: ProjectFragment, project: Project | None
    ) -> PlannedProject | None:
        name = fragment.name
        if project is None:
            self.plan.error(
                _place(
                    fragment,
                    f"项目「{name}」（{fragment.year} 年）不在您可填报的项目中（项目名称或年度有误，或属于其他单位）："
                    f"完成情况只能导入已有的项目。",
                    "project",
                )
            )
            return None
        status = project.evaluation.status
        if status not in EDITABLE_STATUSES:
            self.plan.error(
                _place(
                    fragment,
                    f"项目「{name}」当前状态为「{project.evaluation.get_status_display()}」，不能再填写完成情况。",
                    "project",
                )
            )
            return None
        planned = PlannedProject(
            unit=unit, year=project.year, name=name, action="results", fragment=fragment, existing=project
        )
        for code, value in fragment.fields.items():
            if code in _RESULT_PROJECT_FIELDS:
                planned.project_updates[code] = value
            elif code == "fund_user" and value.strip() in (project.fund_user, project.fund_user_name):
                continue  # the same 资金使用单位, written out or left to the unit
            elif code not in ("budget",) and code in PROJECT_FIELDS and getattr(project, code) != value:
                planned.warnings.append(
                    _place(
                        fragment,
                        f"「{FIELD_TITLES[code]}」与系统中的不同；导入完成情况时不修改目标表内容，已忽略。",
                        code,
                    )
                )
        indicators = list(project.indicators.all())
        by_key: dict[tuple[str, str], list[Indicator]] = defaultdict(list)
        by_name: dict[str, list[Indicator]] = defaultdict(list)
        for indicator in indicators:
            by_key[(indicator.level2, _squash(indicator.name))].append(indicator)
            by_name[_squash(indicator.name)].append(indicator)
        used: dict[int, int] = {}
        scheme = project.evaluation.scheme.engine_scheme()  # the project's own, as recompute uses
        for row in fragment.rows:
            candidates = by_key.get((row.level2, _squash(row.name))) or []
            note = None
            if not candidates:
                candidates = by_name.get(_squash(row.name)) or []
                if len(candidates) > 1 and not row.level2:
                    self.plan.error(
                        row.problem(
                            f"项目「{name}」中有 {len(candidates)} 个名为「{row.name}」的指标：请加「二级指标」列区分。",
                            "name",
                        )
                    )
                    continue
                if len(candidates) == 1 and row.level2:
                    note = (
                        f"系统中该指标在「{vocabulary.level2_name(candidates[0].level2)}」下，"
                        f"文件中在「{vocabulary.level2_name(row.level2)}」下，按名称对应。"
                    )
            free = [c for c in candidates if c.pk not in used]
            if not candidates:
                self.plan.error(row.problem(f"项目「{name}」中没有三级指标「{row.name}」。", "name"))
                continue
            if not free:
                self.plan.error(
                    row.problem(
                        f"指标「{row.name}」在文件中出现了不止一次（另见第 {used[candidates[0].pk]} 行）。",
                        "name",
                    )
                )
                continue
            match = free[0]
            used[match.pk] = row.row
            item = _planned_result(row, match, scheme, project.year)
            for problem in _band_score_problems(item, scheme):
                self.plan.error(problem)
            if note:
                item.warnings.append(note)
            planned.indicators.append(item)
        planned.untouched = len(indicators) - len(used)
        if planned.untouched:
            planned.warnings.append(
                _place(fragment, f"系统中还有 {planned.untouched} 个指标不在文件中，保持原值。")
            )
        return planned


def _project_data_from(fragment: ProjectFragment, project: Project | None) -> ProjectYearData:
    """The project-year as the file describes it; fields the file does not give keep the stored
    values when replacing a draft, and are empty for a new project."""
    fields = fragment.fields
    data = ProjectYearData(name=fragment.name, year=fragment.year or 0, status=Status.DRAFT)
    if project is not None:
        for name in PROJECT_FIELDS:
            setattr(data, name, getattr(project, name))
        data.empty_level2 = []
        evaluation = project.evaluation
        for name in EVALUATION_FIELDS:
            setattr(data, name, getattr(evaluation, name))
        data.status = evaluation.status
    for name in PROJECT_FIELDS:
        if name in fields:
            setattr(data, name, fields[name])
    for code, name in _EVALUATION_FILE_FIELDS.items():
        if code in fields:
            setattr(data, name, fields[code])
    data.empty_level2 = [list(pair) for pair in fragment.empty_level2]
    return data


def _budget_lines_from(fragment: ProjectFragment, project: Project | None) -> list[BudgetLineData]:
    fields = fragment.fields
    lines: dict[str, BudgetLineData] = {}
    if project is not None:
        for line in project.budget_lines.all():
            lines[line.source] = BudgetLineData(line.source, line.initial, line.annual, line.executed)
        return list(lines.values())
    if "budget" in fields:
        lines[BudgetSource.CURRENT_YEAR] = BudgetLineData(
            BudgetSource.CURRENT_YEAR, fields["budget"], fields["budget"]
        )
    for code, (source, part) in _BUDGET_FIELDS.items():
        if code in fields:
            line = lines.setdefault(source, BudgetLineData(source))
            setattr(line, part, fields[code])
    order = [BudgetSource.CURRENT_YEAR, BudgetSource.CARRYOVER, BudgetSource.OTHER]
    return [lines[source] for source in order if source in lines]


def _target_warnings(row: IndicatorRow, target) -> list[str]:
    warnings = list(row.notes)
    if target.kind is Kind.EMPTY:
        warnings.append("指标值为空，需补充。")
    elif target.kind is Kind.UNREADABLE:
        warnings.append(f"指标值「{row.target}」无法识别，评分时需人工设定指标性质。")
    for note in target.recognised:
        if note.startswith(("性质列无法识别", "文字运算符与性质列不一致", "方向矛盾")) or (
            note.startswith("单位列") and "不一致" in note
        ):
            warnings.append(note)
    if target.kind is Kind.QUANTITATIVE and target.direction is None:
        guess = suggest_direction(row.name)
        if guess is not None and guess is not Direction.POSITIVE:
            warnings.append(f"指标值没有写方向，按指标名称推测为{guess.label}，请确认。")
    return warnings


def _planned_indicator(row: IndicatorRow, scheme, year: int) -> PlannedIndicator:
    data = IndicatorData(
        level1=row.level1,
        level2=row.level2,
        level1_printed=row.level1_printed,
        level2_printed=row.level2_printed,
        name=row.name,
        nature_printed=row.nature,
        unit_printed=row.measure,
        target_text=row.target,
        actual_text=row.actual or "",
        weight=row.weight,
        reported_score=row.score,
        band=row.band or "",
        band_score=row.band_score,
        deviation_note=row.deviation or "",
        direction_override=row.direction_override or "",
        not_applicable=bool(row.not_applicable),
    )
    target = parse(row.target, nature=row.nature or None, unit=row.measure or None)
    item = PlannedIndicator(
        row=row, data=data, target=target, actual=None, warnings=_target_warnings(row, target)
    )
    if row.actual:
        _read_actual(item, scheme, year)
    return item


def _planned_result(row: IndicatorRow, match: Indicator, scheme, year: int) -> PlannedIndicator:
    """A results row: the stored indicator with the file's actual (and weight, score, band, note)."""
    data = IndicatorData(
        level1=match.level1,
        level2=match.level2,
        level1_printed=match.level1_printed,
        level2_printed=match.level2_printed,
        name=match.name,
        nature_printed=match.nature_printed,
        unit_printed=match.unit_printed,
        target_text=match.target_text,
        actual_text=row.actual if row.actual else match.actual_text,
        weight=row.weight if row.weight is not None else match.weight,
        reported_score=row.score if row.score is not None else match.reported_score,
        band=row.band if row.band else match.band,
        band_score=_result_band_score(row, match),
        deviation_note=row.deviation if row.deviation else match.deviation_note,
        direction_override=match.direction_override,
        not_applicable=match.not_applicable,
    )
    target = parse(match.target_text, nature=match.nature_printed or None, unit=match.unit_printed or None)
    item = PlannedIndicator(
        row=row, data=data, target=target, actual=None, match=match, warnings=list(row.notes)
    )
    if row.target and _squash(row.target) != _squash(match.target_text):
        item.warnings.append(
            f"文件中的指标值「{row.target}」与系统中的「{match.target_text}」不同；目标值不会被修改。"
        )
    # 指标方向 and 不适用 belong to the targets: a results import does not change them (as the target text)
    if row.direction_override is not None and row.direction_override != match.direction_override:
        shown = Direction(row.direction_override).label if row.direction_override else "空"
        item.warnings.append(
            f"文件中的{FIELD_TITLES['direction_override']}「{shown}」与系统中的不同；"
            f"导入完成情况时不修改目标，已忽略。"
        )
    if row.not_applicable is not None and row.not_applicable != match.not_applicable:
        item.warnings.append(
            f"文件中的「不适用」为「{'是' if row.not_applicable else '否'}」，与系统中的不同；"
            f"导入完成情况时不修改目标，已忽略。"
        )
    if row.actual is None or not row.actual:
        item.warnings.append("实际完成值为空，保持原值。" if match.actual_text else "实际完成值为空。")
    _read_actual(item, scheme, year)
    return item


def _result_band_score(row: IndicatorRow, match: Indicator) -> Decimal | None:
    """The file's 档次内得分, else the stored one; but a band changed by the file without a score of its
    own drops the stored score (it was given inside the old band)."""
    if row.band_score is not None:
        return row.band_score
    if row.band and row.band != match.band:
        return None
    return match.band_score


def _band_score_problems(item: PlannedIndicator, scheme) -> list[Problem]:
    """档次内得分 needs a band and a weight, and must lie inside the band (as the entry page checks)."""
    data = item.data
    band_score = data.band_score
    if band_score is None:
        return []
    row = item.row
    shown = format_decimal(band_score)
    if not data.band:
        return [
            row.problem(
                f"填写了档次内得分「{shown}」，但没有填写评定档次：请先填写评定档次（如 完成、部分完成、未完成）。",
                "band_score",
            )
        ]
    if data.weight is None:
        return [row.problem(f"填写了档次内得分「{shown}」，但没有分值：请先填写分值。", "band_score")]
    if band_score > data.weight:
        return [
            row.problem(f"档次内得分「{shown}」超过了分值「{format_decimal(data.weight)}」。", "band_score")
        ]
    scale = item.target.scale if item.target.scale in scheme.bands else scheme.default_scale
    found = scheme.find_band(data.band, scale)
    if found is not None and not found[1].contains(band_score, data.weight):
        band = found[1]
        low, high = band_range(band, data.weight)
        return [
            row.problem(
                f"档次内得分「{shown}」不在“{band.short}”档的范围内：应在 {format_decimal(low)} 至 {format_decimal(high)} 之间"
                f"（分值 {format_decimal(data.weight)} 的 {band.range_display()}）。",
                "band_score",
            )
        ]
    return []


def _read_actual(item: PlannedIndicator, scheme, year: int) -> None:
    data = item.data
    if not data.actual_text:
        return
    actual = parse(data.actual_text)
    item.actual = actual
    if actual.kind is Kind.UNREADABLE:
        item.warnings.append(f"实际完成值「{data.actual_text}」无法识别。")
    elif actual.is_quantitative and item.target.is_quantitative:
        adopted = adopt_unit(actual, item.target)
        if not compatible(adopted, item.target):
            item.warnings.append(
                f"实际完成值的单位「{actual.unit}」与指标值的单位「{item.target.unit}」不一致。"
            )
    result = score_indicator(
        IndicatorInput(
            name=data.name,
            target_text=data.target_text,
            actual_text=data.actual_text,
            weight=data.weight,
            nature=data.nature_printed or None,
            unit=data.unit_printed or None,
            direction_override=Direction(data.direction_override) if data.direction_override else None,
            band=data.band or None,
            band_score=data.band_score,
            reported_score=data.reported_score,
            deviation_note=data.deviation_note,
            level1=data.level1,
            level2=data.level2,
            not_applicable=data.not_applicable,
        ),
        scheme,
        year=year,
    )
    item.score = result.score
    if result.flags:
        labels = [label for label in result.flag_labels if label not in ("已封顶",)]
        if labels:
            item.warnings.append("评分提示：" + "、".join(labels))


def plan_import(
    source: str | Path | IO[bytes],
    *,
    actor: Actor,
    kind: str = ImportKind.GOALS,
    year: int | None = None,
    source_name: str = "",
    progress: Callable[[int, int], None] | None = None,
    size: int | None = None,
) -> Plan:
    """Read a workbook and work out what importing it would do. Writes nothing."""
    plan = Plan(kind=kind, source_name=source_name)
    try:
        result = read_workbook(source, default_year=year, progress=progress, size=size)
    except WorkbookRejected as exc:
        plan.errors.extend(exc.problems)
        return plan
    plan.errors.extend(result.errors)
    plan.errors_dropped = result.errors_dropped
    plan.warnings.extend(result.warnings)
    plan.rows_read = result.rows_read
    if kind == ImportKind.RESULTS:
        for fragment in result.fragments:
            if fragment.rows and all(row.actual is None for row in fragment.rows):
                plan.error(
                    Problem("导入完成情况需要「实际完成值」列。", fragment.sheet, fragment.rows[0].row)
                )
                break
    _Resolver(plan, actor, kind, year).resolve(result.fragments)
    return plan


# --- applying a plan ------------------------------------------------------------------------------


@dataclass
class ApplyReport:
    """What an import wrote."""

    created: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    results: list[int] = field(default_factory=list)
    indicators: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "replaced": self.replaced,
            "results": self.results,
            "indicators": self.indicators,
        }

    def text(self) -> str:
        parts = []
        if self.created:
            parts.append(f"新建项目 {len(self.created)} 个")
        if self.replaced:
            parts.append(f"覆盖草稿项目 {len(self.replaced)} 个")
        if self.results:
            parts.append(f"填写完成情况的项目 {len(self.results)} 个")
        return "，".join(parts) + f"，指标 {self.indicators} 条。"


def apply_plan(plan: Plan, *, actor: Actor) -> ApplyReport:
    """Write a plan in one transaction. Raises ImportRefused (and writes nothing) when the plan has
    errors or when the database no longer allows it (a project created, submitted or locked since).

    The indicator library is not rebuilt here: when ``plan.feeds_library``, the caller queues
    ``tasks.queue_library_rebuild()`` once this returns (it runs when the transaction commits)."""
    if not plan.ok:
        raise ImportRefused(plan.errors)
    report = ApplyReport()
    try:
        with history_user(actor.user), transaction.atomic():
            _create_projects([p for p in plan.projects if p.action == "create"], report)
            for planned in plan.projects:
                if planned.action != "create":
                    _apply_project(planned, actor, report)
    except IntegrityError as exc:
        logger.warning("import refused by the database: %s", exc)
        raise ImportRefused([Problem(f"写入数据库时发现冲突（可能有人同时创建了同名项目）：{exc}")]) from exc
    return report


def _locked_project(planned: PlannedProject, actor: Actor) -> Project:
    project = (
        actor.projects()
        .select_related("unit__department__region")
        .filter(pk=planned.existing.pk)  # type: ignore[union-attr]
        .first()
    )
    if project is None:
        raise ImportRefused([_place(planned.fragment, f"项目「{planned.name}」已不在您可填报的项目中。")])
    evaluation = Evaluation.objects.select_for_update().get(project=project)
    project.evaluation = evaluation
    return project


def _create_projects(planned: list[PlannedProject], report: ApplyReport) -> None:
    """Create the new project-years of a plan in bulk, after checking none appeared since the plan."""
    if not planned:
        return
    wanted = {(p.unit.pk, p.year, p.name): p for p in planned}
    clash = Project.objects.filter(
        unit_id__in={key[0] for key in wanted},
        year__in={key[1] for key in wanted},
        name__in={key[2] for key in wanted},
    ).values_list("unit_id", "year", "name")
    problems = [
        _place(wanted[key].fragment, f"项目「{key[2]}」（{key[1]} 年）刚刚已被创建，请重新上传。")
        for key in clash
        if key in wanted
    ]
    if problems:
        raise ImportRefused(problems)
    projects = create_project_years([(p.unit, p.data) for p in planned])  # type: ignore[misc]
    report.created.extend(project.pk for project in projects)
    report.indicators += sum(len(p.data.indicators) for p in planned if p.data is not None)


def _apply_project(planned: PlannedProject, actor: Actor, report: ApplyReport) -> None:
    project = _locked_project(planned, actor)
    status = project.evaluation.status
    if planned.action == "replace":
        if status != Status.DRAFT:
            raise ImportRefused(
                [_place(planned.fragment, f"项目「{planned.name}」已不是“目标草稿”状态，不能覆盖。")]
            )
        data = planned.data
        assert data is not None
        replace_project_year(project, data, budget=planned.has_budget)
        # a page open on the draft must not submit over the file's content unseen (see workflow)
        bump_evaluation(Evaluation.objects.get(pk=project.evaluation.pk), "以 Excel 文件覆盖目标草稿")
        report.replaced.append(project.pk)
        report.indicators += len(data.indicators)
        return
    if status not in EDITABLE_STATUSES:
        raise ImportRefused(
            [
                _place(
                    planned.fragment,
                    f"项目「{planned.name}」的状态已变为「{project.evaluation.get_status_display()}」，不能再填写完成情况。",
                )
            ]
        )
    _apply_results(project, planned)
    report.results.append(project.pk)
    report.indicators += len(planned.indicators)


_RESULT_INDICATOR_FIELDS = ("actual_text", "weight", "reported_score", "band", "band_score", "deviation_note")


def _apply_results(project: Project, planned: PlannedProject) -> None:
    """Write a results file's values onto a project-year (its evaluation locked by `_locked_project`)."""
    current = {ind.pk: ind for ind in Indicator.objects.select_for_update().filter(project=project)}
    touched = False  # anything of the project-year's content changed
    for item in planned.indicators:
        indicator = current.get(item.match.pk)  # type: ignore[union-attr]
        if indicator is None:
            raise ImportRefused([item.row.problem(f"指标「{item.data.name}」已被删除，请重新上传。", "name")])
        changed = []
        for name in _RESULT_INDICATOR_FIELDS:
            value = getattr(item.data, name)
            if getattr(indicator, name) != value:
                setattr(indicator, name, value)
                changed.append(name)
        if changed:
            indicator.version += 1
            indicator.save(update_fields=[*changed, "version"])
            touched = True
    updates = planned.project_updates
    if "goal_result_text" in updates and project.goal_result_text != updates["goal_result_text"]:
        project.goal_result_text = updates["goal_result_text"]
        project.save(update_fields=["goal_result_text", "updated_at"])
        touched = True
    for code, (source, part) in _BUDGET_FIELDS.items():
        if code in updates:
            line, _ = BudgetLine.objects.get_or_create(project=project, source=source)
            if getattr(line, part) != updates[code]:
                setattr(line, part, updates[code])
                line.save()
                touched = True
    evaluation = project.evaluation
    changed = []
    for code, name in _EVALUATION_FILE_FIELDS.items():
        if code in updates and getattr(evaluation, name) != updates[code]:
            setattr(evaluation, name, updates[code])
            changed.append(name)
    if touched or changed:
        # as every other change of the content: a page open on this project-year is now stale, and its
        # submit is refused with who imported what (workflow.bump_evaluation), before recompute copies it
        bump_evaluation(evaluation, "导入完成情况（Excel 文件）", changed)
    perf_services.recompute(project)


def import_workbook(
    source: str | Path | IO[bytes],
    *,
    actor: Actor,
    kind: str = ImportKind.GOALS,
    year: int | None = None,
    dry_run: bool = False,
    source_name: str = "",
) -> tuple[Plan, ApplyReport | None]:
    """Plan and (unless ``dry_run`` or the plan has errors) apply in one call. Like :func:`apply_plan`
    it queues no library rebuild."""
    plan = plan_import(source, actor=actor, kind=kind, year=year, source_name=source_name)
    if dry_run or not plan.ok:
        return plan, None
    return plan, apply_plan(plan, actor=actor)


# --- batches (the web workflow) -------------------------------------------------------------------


def async_threshold() -> int:
    from django.conf import settings

    return int(getattr(settings, "INTAKE_ASYNC_BYTES", DEFAULT_ASYNC_BYTES))


def create_batch(user, uploaded, *, kind: str, year: int | None) -> ImportBatch:
    """Store an upload as a batch. Raises WorkbookRejected (nothing stored) when the file is refused
    outright: too large, not an .xlsx workbook."""
    from .reader import check_file

    check_file(uploaded, size=uploaded.size)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    batch = ImportBatch(
        user=user,
        kind=kind,
        year=year,
        original_name=(uploaded.name or "workbook.xlsx")[:255],
        size=uploaded.size,
        sha256=digest.hexdigest(),
    )
    batch.file.save("upload.xlsx", uploaded, save=False)
    batch.save()
    return batch


def _set_progress(batch_id: int, done: int, total: int, base: int, span: int, note: str) -> None:
    percent = base + min(span, int(span * done / max(total, 1)))
    ImportBatch.objects.filter(pk=batch_id).update(
        progress=min(percent, 100), progress_note=note[:200], updated_at=timezone.now()
    )


def _plan_batch(batch: ImportBatch, *, base: int, span: int, note: str) -> Plan:
    actor = Actor(batch.user)
    with batch.file.open("rb") as handle:
        return plan_import(
            handle,
            actor=actor,
            kind=batch.kind,
            year=batch.year,
            source_name=batch.original_name,
            size=batch.size,
            progress=lambda done, total: _set_progress(batch.pk, done, total, base, span, note),
        )


def _store_problems(batch: ImportBatch, plan: Plan) -> None:
    batch.errors = [p.as_dict() for p in plan.errors]
    if plan.errors_dropped:
        batch.errors.append(
            {
                "sheet": None,
                "row": None,
                "column": None,
                "field": None,
                "message": f"另有 {plan.errors_dropped} 个错误未列出。",
                "text": f"另有 {plan.errors_dropped} 个错误未列出。",
            }
        )
    batch.warnings = [p.as_dict() for p in plan.warnings]


def build_preview(batch_id: int) -> ImportBatch:
    """Parse a pending batch and store its preview (or its errors). Safe to run twice."""
    claimed = ImportBatch.objects.filter(
        pk=batch_id, status__in=[BatchStatus.PENDING, BatchStatus.PARSING]
    ).update(status=BatchStatus.PARSING, progress=1, progress_note="正在读取文件", updated_at=timezone.now())
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if not claimed:
        return batch
    try:
        plan = _plan_batch(batch, base=1, span=89, note="正在读取并检查")
    except Exception:
        logger.exception("preview of import batch %s failed", batch_id)
        batch.status = BatchStatus.FAILED
        batch.errors = [Problem("读取文件时发生内部错误，请联系管理员。").as_dict()]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "errors", "finished_at", "updated_at"])
        return batch
    batch.preview = plan.preview()
    _store_problems(batch, plan)
    batch.status = BatchStatus.PREVIEW if plan.ok else BatchStatus.REJECTED
    batch.progress = 100
    batch.progress_note = "预览已生成" if plan.ok else "文件有错误，未导入"
    if not plan.ok:
        batch.finished_at = timezone.now()
    batch.save(
        update_fields=[
            "preview",
            "errors",
            "warnings",
            "status",
            "progress",
            "progress_note",
            "finished_at",
            "updated_at",
        ]
    )
    return batch


def confirm_batch(batch: ImportBatch) -> bool:
    """The user confirms the preview; True when the batch moved to 'confirmed'. A preview whose file was
    removed after the retention period (``clean_uploads``) cannot be confirmed: the import reads the file
    again. The condition is part of the UPDATE, so a confirmation and a cleanup racing on one batch
    cannot both win."""
    return bool(
        ImportBatch.objects.filter(
            pk=batch.pk, status=BatchStatus.PREVIEW, file_removed_at__isnull=True
        ).update(
            status=BatchStatus.CONFIRMED, progress=0, progress_note="等待导入", updated_at=timezone.now()
        )
    )


def cancel_batch(batch: ImportBatch) -> bool:
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status__in=[BatchStatus.PREVIEW, BatchStatus.PENDING]).update(
            status=BatchStatus.CANCELLED,
            finished_at=timezone.now(),
            progress_note="已取消",
            updated_at=timezone.now(),
        )
    )


@dataclass
class BatchImport:
    """What :func:`run_batch_import` did: the batch as it now is, and whether this call wrote it."""

    batch: ImportBatch
    written: bool = False

    @property
    def feeds_library(self) -> bool:
        """This call wrote goals: the caller queues ``tasks.queue_library_rebuild`` (see ``Plan``)."""
        return self.written and self.batch.kind == ImportKind.GOALS


def run_batch_import(batch_id: int) -> BatchImport:
    """Import a confirmed batch: read the file again, check again, write it all or nothing.

    Idempotent: the batch row is locked inside the writing transaction and the status must still be
    'confirmed' or 'importing' (a crashed run leaves 'importing' with nothing written); a batch
    already imported is returned as it is, ``written`` False.
    """
    moved = ImportBatch.objects.filter(
        pk=batch_id, status__in=[BatchStatus.CONFIRMED, BatchStatus.IMPORTING]
    ).update(
        status=BatchStatus.IMPORTING, progress=1, progress_note="正在读取文件", updated_at=timezone.now()
    )
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if not moved:
        return BatchImport(batch)
    actor = Actor(batch.user)
    try:
        plan = _plan_batch(batch, base=1, span=69, note="正在重新检查")
        ImportBatch.objects.filter(pk=batch_id).update(progress=75, progress_note="正在写入数据库")
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if locked.status != BatchStatus.IMPORTING:
                return BatchImport(locked)
            report = apply_plan(plan, actor=actor)
            locked.status = BatchStatus.DONE
            locked.result = report.as_dict() | {"text": report.text()}
            locked.progress = 100
            locked.progress_note = "导入完成"
            locked.finished_at = timezone.now()
            locked.warnings = [p.as_dict() for p in plan.warnings]
            locked.save(
                update_fields=[
                    "status",
                    "result",
                    "progress",
                    "progress_note",
                    "finished_at",
                    "warnings",
                    "updated_at",
                ]
            )
            return BatchImport(locked, written=True)
    except ImportRefused as exc:
        batch.status = BatchStatus.REJECTED
        batch.errors = [p.as_dict() for p in exc.problems]
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        batch.status = BatchStatus.FAILED
        batch.errors = [Problem("导入时发生内部错误，没有写入任何数据。请联系管理员。").as_dict()]
    batch.progress = 100
    batch.progress_note = "未导入"
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "errors", "progress", "progress_note", "finished_at", "updated_at"])
    return BatchImport(batch)


def batches_for(user) -> QuerySet[ImportBatch]:
    """The batches a user may look at: their own."""
    return ImportBatch.objects.filter(user=user)


# --- removing old uploads -------------------------------------------------------------------------

#: days an uploaded workbook is kept after its batch finished (settings.IMPORT_UPLOAD_RETENTION_DAYS)
DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "IMPORT_UPLOAD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


@dataclass
class CleanupReport:
    """What :func:`clean_uploads` removed (or, in a dry run, would remove)."""

    days: int
    cutoff: Any
    dry_run: bool = False
    removed: list[int] = field(default_factory=list)  # batch ids
    bytes: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (batch id, reason): kept for the next run

    def text(self) -> str:
        verb = "将清理" if self.dry_run else "已清理"
        text = (
            f"{verb} {len(self.removed)} 个导入批次的上传文件（共 {self.bytes / 1024 / 1024:.1f} MB），"
            f"保留期限 {self.days} 天（{timezone.localtime(self.cutoff):%Y-%m-%d %H:%M} 之前）。"
        )
        if self.failed:
            text += f"{len(self.failed)} 个文件删除失败，下次运行时重试。"
        return text


def expired_batches(cutoff) -> QuerySet[ImportBatch]:
    """Batches whose uploaded file may go: finished (imported, cancelled, failed, refused) before
    ``cutoff``, or left at the preview without a confirmation since before ``cutoff``. Batches a task
    is working on (pending, parsing, confirmed, importing) are never among them, whatever their age."""
    from .models import FINISHED_STATUSES

    finished = Q(status__in=FINISHED_STATUSES) & (
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, updated_at__lt=cutoff)
    )
    abandoned = Q(status=BatchStatus.PREVIEW, updated_at__lt=cutoff)
    return ImportBatch.objects.filter(file_removed_at__isnull=True).filter(finished | abandoned)


def clean_uploads(*, days: int | None = None, dry_run: bool = False, now=None) -> CleanupReport:
    """Delete the stored workbooks of batches finished (or abandoned at the preview) more than ``days``
    (default ``settings.IMPORT_UPLOAD_RETENTION_DAYS``) ago. The batch rows stay, with their preview,
    errors and result; ``file`` is emptied and ``file_removed_at`` set, so the batch page says the file
    is gone and a preview can no longer be confirmed. ``dry_run`` only reports.

    Each batch is claimed by a conditional UPDATE before its file is deleted: a preview confirmed in
    the meantime is no longer a candidate and keeps its file. A file that cannot be deleted is put back
    on the row, to be tried again on the next run. Safe to run twice and from several processes.
    """
    days = retention_days() if days is None else int(days)
    if days < 1:
        raise ValueError("保留天数至少为 1 天。")
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    report = CleanupReport(days=days, cutoff=cutoff, dry_run=dry_run)
    candidates = list(expired_batches(cutoff).order_by("pk").values_list("pk", "file", "size"))
    for pk, name, size in candidates:
        if dry_run:
            report.removed.append(pk)
            report.bytes += size
            continue
        claimed = expired_batches(cutoff).filter(pk=pk).update(file="", file_removed_at=now, updated_at=now)
        if not claimed:
            continue  # confirmed, cleaned or deleted meanwhile
        if name:
            storage = ImportBatch._meta.get_field("file").storage
            try:
                storage.delete(name)  # a file already missing is not an error
            except OSError as exc:
                logger.warning("could not delete upload %s of import batch %s: %s", name, pk, exc)
                ImportBatch.objects.filter(pk=pk).update(file=name, file_removed_at=None)
                report.failed.append((pk, str(exc)))
                continue
        report.removed.append(pk)
        report.bytes += size
    if not dry_run and report.removed:
        logger.info("import uploads: %s", report.text())
    return report


# --- year rollover --------------------------------------------------------------------------------


@dataclass
class RolloverReport:
    created: list[Project] = field(default_factory=list)
    skipped: list[tuple[Project, str]] = field(default_factory=list)


def rollover_sources(actor: Actor, from_year: int) -> QuerySet[Project]:
    """Last year's projects the actor may carry forward."""
    return (
        actor.projects()
        .filter(year=from_year)
        .select_related("unit__department", "evaluation")
        .order_by("unit__name", "name")
    )


def _carried_data(source: Project, to_year: int) -> ProjectYearData:
    """Last year's project as a draft of the new year: trees and targets kept, results cleared."""
    evaluation = source.evaluation
    return ProjectYearData(
        name=source.name,
        year=to_year,
        **{name: getattr(source, name) for name in PROJECT_FIELDS if name != "goal_result_text"},
        goal_result_text="",
        empty_level2=[list(pair) for pair in source.empty_level2 or []],
        source=f"由 {source.year} 年项目结转",
        budget_lines=[
            BudgetLineData(line.source, line.initial, line.annual, None) for line in source.budget_lines.all()
        ],
        indicators=[
            IndicatorData(
                level1=ind.level1,
                level2=ind.level2,
                level1_printed=ind.level1_printed,
                level2_printed=ind.level2_printed,
                name=ind.name,
                nature_printed=ind.nature_printed,
                unit_printed=ind.unit_printed,
                target_text=ind.target_text,
                weight=ind.weight,
                direction_override=ind.direction_override,
            )
            for ind in source.indicators.all()
        ],
        status=Status.DRAFT,
        declared_level1_weights=dict(evaluation.declared_level1_weights or {}),
    )


def rollover(actor: Actor, project_ids: Iterable[int], to_year: int) -> RolloverReport:
    """Start ``to_year`` from the given projects: copies as drafts, with last year's values linked.

    All or nothing (one transaction); a project whose copy already exists is skipped, so running it
    twice creates nothing new.
    """
    report = RolloverReport()
    sources = list(
        actor.projects()
        .filter(pk__in=list(project_ids))
        .select_related("unit__department__region", "evaluation")
        .prefetch_related("indicators", "budget_lines")
        .order_by("unit__name", "name")
    )
    with history_user(actor.user), transaction.atomic():
        for source in sources:
            if source.year >= to_year:
                report.skipped.append((source, f"项目年度 {source.year} 不早于 {to_year}"))
                continue
            if Project.objects.filter(unit=source.unit, year=to_year, name=source.name).exists():
                report.skipped.append((source, f"{to_year} 年已有同名项目"))
                continue
            project = create_project_year(source.unit, _carried_data(source, to_year))
            new_indicators = list(project.indicators.order_by("order"))
            CarriedIndicator.objects.bulk_create(
                CarriedIndicator(
                    indicator=new,
                    previous=old,
                    previous_year=source.year,
                    previous_target_text=old.target_text,
                    previous_actual_text=old.actual_text,
                    previous_actual_value=old.actual_value,
                    previous_actual_unit=old.actual_unit,
                    previous_score=old.score,
                    previous_weight=old.weight,
                    created_by=actor.user,
                )
                for new, old in zip(new_indicators, source.indicators.all(), strict=True)
            )
            report.created.append(project)
    return report


@dataclass
class ComparedIndicator:
    """A new indicator beside what it was last year (for the rollover page)."""

    indicator: Indicator
    carried: CarriedIndicator | None
    suggestion: str = ""


def relative_suggestion(indicator: Indicator, carried: CarriedIndicator | None) -> str:
    """For a target such as "不低于上年", the number it means given last year's actual ("≥400.3万人")."""
    if carried is None or not carried.previous_actual_text:
        return ""
    target = parse(
        indicator.target_text, nature=indicator.nature_printed or None, unit=indicator.unit_printed or None
    )
    if target.relative != "上年" or target.direction is None:
        return ""
    previous_target = parse(carried.previous_target_text)
    actual = adopt_unit(parse(carried.previous_actual_text), previous_target)
    if not actual.is_quantitative or actual.number is None:
        return ""
    symbol = {Direction.POSITIVE: "≥", Direction.NEGATIVE: "≤", Direction.EQUAL: "=", Direction.APPROX: "≈"}[
        target.direction
    ]
    if target.strict:
        symbol = {"≥": ">", "≤": "<"}.get(symbol, symbol)
    return f"{symbol}{format_decimal(actual.number)}{actual.printed_unit or ''}"


def compare_with_last_year(project: Project) -> list[ComparedIndicator]:
    """Each indicator of a project with last year's target and actual beside it."""
    indicators = list(project.indicators.order_by("order"))
    carried = {c.indicator_id: c for c in CarriedIndicator.objects.filter(indicator__in=indicators)}
    rows = []
    for indicator in indicators:
        link = carried.get(indicator.pk)
        rows.append(ComparedIndicator(indicator, link, relative_suggestion(indicator, link)))
    return rows


def apply_suggestion(actor: Actor, indicator_id: int) -> Indicator | None:
    """Replace a relative target ("不低于上年") by the number it means; drafts only. None when not allowed."""
    indicator = (
        Indicator.objects.filter(pk=indicator_id, project__in=actor.projects())
        .select_related("project__evaluation")
        .first()
    )
    if indicator is None or indicator.project.evaluation.status != Status.DRAFT:
        return None
    carried = CarriedIndicator.objects.filter(indicator=indicator).first()
    suggestion = relative_suggestion(indicator, carried)
    if not suggestion:
        return None
    with history_user(actor.user), transaction.atomic():
        indicator.target_text = suggestion
        indicator.version += 1
        indicator.save(update_fields=["target_text", "version"])
        perf_services.recompute(indicator.project)
    return indicator


# --- indicator library ----------------------------------------------------------------------------

_NUMBERING = re.compile(
    r"^(?:[(（]?\s*[0-9]{1,3}\s*[)）.、．:：]|[一二三四五六七八九十]{1,3}\s*[、.．]|[①-⑳])\s*"
)
_TRAILING = re.compile(r"[\s,.;:，。；：、]+$")


def name_key(name: str) -> str:
    """The library key of an indicator name: numbering ("1、", "（2）"), whitespace and trailing
    punctuation removed, full-width folded."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _NUMBERING.sub("", text.strip())
    text = "".join(text.split())
    return _TRAILING.sub("", text)


def display_name(name: str) -> str:
    text = _NUMBERING.sub("", unicodedata.normalize("NFKC", name or "").strip())
    return _TRAILING.sub("", text).strip() or name


#: statuses whose indicators feed the library (a draft stays private to its unit)
LIBRARY_STATUSES = [status for status in Status.values if status != Status.DRAFT]


def _printed_target(target: str, nature: str, unit: str) -> str:
    """A target as one text: the Qinghai split ("≥" | "90" | "%") reads "≥90%"."""
    text = target or ""
    if nature and nature not in ("定性", "定量") and not text.startswith(nature):
        text = nature + text
    if unit and unit not in text:
        text += unit
    return text


def _mode(values: Iterable[Any]) -> Any:
    counted = Counter(v for v in values if v not in (None, ""))
    return counted.most_common(1)[0][0] if counted else ""


@dataclass
class LibraryReport:
    created: int = 0
    updated: int = 0
    removed: int = 0
    total: int = 0


def build_library() -> LibraryReport:
    """(Re)build the library from every indicator of projects whose targets are at least submitted.

    Non-curated entries are rewritten from the data (most common levels, direction, unit and target);
    curated entries only get their usage count; entries no longer used and not curated are removed.
    """
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        Indicator.objects.filter(project__evaluation__status__in=LIBRARY_STATUSES)
        .order_by("-project__year", "pk")
        .values(
            "name",
            "level1",
            "level2",
            "direction",
            "target_kind",
            "target_text",
            "nature_printed",
            "unit_printed",
        )
    )
    for row in rows:
        key = name_key(row["name"])
        if key:
            groups[key].append(row)
    report = LibraryReport()
    existing = {entry.name_key: entry for entry in LibraryIndicator.objects.all()}
    with transaction.atomic():
        for key, items in groups.items():
            level1, level2 = _mode((r["level1"], r["level2"]) for r in items)
            same_level = [r for r in items if r["level1"] == level1 and r["level2"] == level2]
            direction = _mode(r["direction"] for r in same_level)
            kinds = Counter(r["target_kind"] for r in same_level)
            qualitative = kinds.get("qualitative", 0) > kinds.get("quantitative", 0)
            units = []
            targets = []
            for r in same_level:
                value = parse(
                    r["target_text"], nature=r["nature_printed"] or None, unit=r["unit_printed"] or None
                )
                units.append(value.printed_unit or value.unit or "")
                targets.append(_printed_target(r["target_text"], r["nature_printed"], r["unit_printed"]))
            values = {
                "name": display_name(_mode(r["name"] for r in same_level))[:300],
                "level1": level1,
                "level2": level2,
                "direction": direction if not qualitative else "",
                "qualitative": qualitative,
                "unit": (_mode(units) or "")[:30],
                "typical_target": (_mode(targets) or "")[:200],
                "usage_count": len(items),
            }
            entry = existing.pop(key, None)
            if entry is None:
                LibraryIndicator.objects.create(name_key=key, **values)
                report.created += 1
                continue
            if entry.curated:
                changed = {"usage_count": values["usage_count"]}
            else:
                changed = {k: v for k, v in values.items() if getattr(entry, k) != v}
            if any(getattr(entry, k) != v for k, v in changed.items()):
                for k, v in changed.items():
                    setattr(entry, k, v)
                entry.save(update_fields=[*changed, "updated_at"])
                report.updated += 1
        for entry in existing.values():
            if entry.curated:
                if entry.usage_count:
                    entry.usage_count = 0
                    entry.save(update_fields=["usage_count", "updated_at"])
            else:
                entry.delete()
                report.removed += 1
    report.total = LibraryIndicator.objects.count()
    return report


def suggest(
    query: str, *, level1: str | None = None, level2: str | None = None, limit: int = 10
) -> list[LibraryIndicator]:
    """Library entries matching what the user is typing (name contains the text), curated and common
    first; narrowed to a level when one is given."""
    key = name_key(query)
    if not key:
        return []
    entries = LibraryIndicator.objects.filter(hidden=False).filter(
        Q(name_key__contains=key) | Q(name__icontains=query.strip())
    )
    if level1:
        entries = entries.filter(level1=level1)
    if level2:
        entries = entries.filter(level2=level2)
    found = list(entries.order_by("-curated", "-usage_count", "name")[: limit * 3])
    # names that start with the text come first
    found.sort(key=lambda e: (not e.name_key.startswith(key), not e.curated, -e.usage_count, len(e.name)))
    return found[:limit]


def suggestion_dict(entry: LibraryIndicator) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "name": entry.name,
        "level1": entry.level1,
        "level1_name": vocabulary.level1_name(entry.level1),
        "level2": entry.level2,
        "level2_name": vocabulary.level2_name(entry.level2),
        "direction": entry.direction,
        "direction_label": entry.get_direction_display()
        if entry.direction
        else ("定性" if entry.qualitative else ""),
        "qualitative": entry.qualitative,
        "unit": entry.unit,
        "typical_target": entry.typical_target,
        "usage_count": entry.usage_count,
        "curated": entry.curated,
    }


def export_queryset(
    user, *, year: int | None = None, project_ids: Iterable[int] | None = None
) -> QuerySet[Project]:
    """Projects a user may export (what they can see), ready for the template writer."""
    qs = visible_projects(user)
    if year is not None:
        qs = qs.filter(year=year)
    if project_ids is not None:
        qs = qs.filter(pk__in=list(project_ids))
    return (
        qs.select_related("unit__department", "evaluation")
        .prefetch_related("indicators", "budget_lines")
        .order_by("year", "unit__department__name", "unit__name", "name")
    )
