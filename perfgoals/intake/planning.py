"""The plan of an import: what a workbook would do, worked out without writing anything.

:func:`plan_import` reads the workbook (``reader``), resolves every project it names against the
database *through the actor's scope* (``projects.scoping.enterable_projects``), reads every target
and actual with the engine (``indicators``), and returns a :class:`Plan`: the rows as parsed, the
warnings, and the errors. ``importing.apply_plan`` writes it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from perfgoals import collector
from perfgoals import scoring as perf_services
from perfgoals.choices import EDITABLE_STATUSES, Status
from perfgoals.engine import Direction, vocabulary
from perfgoals.engine.values import format_decimal
from perfgoals.models import Indicator
from perfgoals.project_years import EVALUATION_FIELDS, PROJECT_FIELDS, BudgetLineData, ProjectYearData
from perfgoals.workflow.text import fmt_score
from projects.choices import BudgetSource
from projects.models import Project, Unit

from .actors import Actor
from .indicators import (
    PlannedIndicator,
    band_score_problems,
    planned_indicator,
    planned_result,
    squash,
    value_problems,
)
from .models import ImportKind
from .reader import FIELD_TITLES, MAX_PROBLEMS, Problem, ProjectFragment, WorkbookRejected, read_workbook

#: file fields of the budget lines: code → (budget source, part)
BUDGET_FIELDS = {
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
#: file fields stored on the evaluation: code → Evaluation field
EVALUATION_FILE_FIELDS = {
    "level1_weights": "declared_level1_weights",
    "low_score_explanation": "low_score_explanation",
    "printed_execution_rate": "printed_execution_rate",
    "printed_execution_score": "printed_execution_score",
    "printed_total": "printed_total",
    "printed_grade": "printed_grade",
}


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
        import does). The caller then queues ``tasks.queue_library_update``: services queue nothing."""
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
                # 财预〔2021〕101号: how many of the four the row fills (the preview says "101号 n/4")
                "filled_101": sum(
                    1
                    for text in (data.explanation, data.scoring_standard, data.data_source, data.basis)
                    if text
                ),
                "value": format_decimal(target.number) if target.number is not None else "",
                "unit": target.printed_unit or target.unit or "",
                "reading": target.display(),
                "weight": format_decimal(data.weight) if data.weight is not None else "",
                "actual": data.actual_text,
                "actual_reading": item.actual.display() if item.actual is not None else "",
                "band": data.band,
                "band_score": format_decimal(data.band_score) if data.band_score is not None else "",
                "score": fmt_score(item.score) if item.score is not None else "",  # 9.50, 10.00
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
        "summary_name": planned.data.summary_name if planned.data else "",
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


def place_problem(fragment: ProjectFragment, message: str, field_code: str | None = None) -> Problem:
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
            self.units_by_name[squash(unit.name)].append(unit)

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
        department = squash(fragment.department_name)
        if fragment.unit_name:
            candidates = self.units_by_name.get(squash(fragment.unit_name), [])
            if department:
                narrowed = [u for u in candidates if squash(u.department.name) == department]
                if candidates and not narrowed:
                    self.plan.error(
                        place_problem(
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
                    place_problem(
                        fragment,
                        f"有多个名为「{fragment.unit_name}」的实施单位，请填写「主管部门」区分。",
                        "unit",
                    )
                )
                return None
            if self.actor.is_system:
                self.plan.error(
                    place_problem(fragment, f"系统中没有名为「{fragment.unit_name}」的实施单位。", "unit")
                )
            else:
                self.plan.error(
                    place_problem(
                        fragment,
                        f"实施单位「{fragment.unit_name}」不是您所在的单位：只能导入本单位的项目。",
                        "unit",
                    )
                )
            return None
        if department:
            candidates = [u for u in units if squash(u.department.name) == department]
            if self.actor.is_system:
                # a department carrying out its projects itself is a unit of the same name
                candidates = [u for u in candidates if squash(u.name) == department] or candidates
            if not candidates:
                self.plan.error(
                    place_problem(
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
        self.plan.error(
            place_problem(fragment, "无法确定项目属于哪个实施单位：请在文件中填写「实施单位」列。")
        )
        return None

    def resolve(self, fragments: list[ProjectFragment]) -> None:
        grouped: dict[tuple[int, int, str], list[ProjectFragment]] = {}
        units: dict[int, Unit] = {}
        for fragment in fragments:
            year = fragment.year or self.default_year
            if year is None:
                self.plan.error(
                    place_problem(
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
                place_problem(
                    fragment,
                    f"项目「{name}」（{fragment.year} 年）已存在，"
                    f"状态为「{project.evaluation.get_status_display()}」："
                    f"只有“目标草稿”状态的项目可以用导入覆盖。",
                    "project",
                )
            )
            return None
        if not fragment.rows:
            self.plan.error(
                place_problem(fragment, f"项目「{name}」在文件中没有任何指标行（三级指标）。", "project")
            )
            return None
        action = "replace" if project is not None else "create"
        planned = PlannedProject(
            unit=unit, year=fragment.year or 0, name=name, action=action, fragment=fragment, existing=project
        )
        data = _project_data_from(fragment, project)
        if data.fund_user.strip() == unit.name:
            data.fund_user = ""  # blank means the implementing unit: the same name adds nothing
        if data.summary_name.strip() == name:
            data.summary_name = ""  # blank means the project's name: the same name adds nothing
        data.source = f"导入：{self.plan.source_name}"[:200] if self.plan.source_name else "导入"
        planned.has_budget = any(code in fragment.fields for code in (*BUDGET_FIELDS, "budget"))
        data.budget_lines = _budget_lines_from(fragment, project if not planned.has_budget else None)
        planned.data = data
        if action == "replace":
            planned.warnings.append(
                place_problem(
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
            item = planned_indicator(row, scheme, planned.year)
            for problem in value_problems(item) + band_score_problems(item, scheme):
                self.plan.error(problem)
            key = (item.data.level2, squash(item.data.name))
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
                place_problem(
                    fragment,
                    f"项目「{name}」（{fragment.year} 年）不在您可填报的项目中"
                    "（项目名称或年度有误，或属于其他单位）："
                    f"完成情况只能导入已有的项目。",
                    "project",
                )
            )
            return None
        status = project.evaluation.status
        if status not in EDITABLE_STATUSES:
            self.plan.error(
                place_problem(
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
            elif code == "summary_name" and value.strip() in (project.summary_name, project.name):
                continue  # the same 汇总表项目名称, written out or left to the name
            elif code not in ("budget",) and code in PROJECT_FIELDS and getattr(project, code) != value:
                planned.warnings.append(
                    place_problem(
                        fragment,
                        f"「{FIELD_TITLES[code]}」与系统中的不同；导入完成情况时不修改目标表内容，已忽略。",
                        code,
                    )
                )
        indicators = list(project.indicators.all())
        by_key: dict[tuple[str, str], list[Indicator]] = defaultdict(list)
        by_name: dict[str, list[Indicator]] = defaultdict(list)
        for indicator in indicators:
            by_key[(indicator.level2, squash(indicator.name))].append(indicator)
            by_name[squash(indicator.name)].append(indicator)
        used: dict[int, int] = {}
        scheme = project.evaluation.scheme.engine_scheme()  # the project's own, as recompute uses
        for row in fragment.rows:
            candidates = by_key.get((row.level2, squash(row.name))) or []
            note = None
            if not candidates:
                candidates = by_name.get(squash(row.name)) or []
                if len(candidates) > 1 and not row.level2:
                    self.plan.error(
                        row.problem(
                            f"项目「{name}」中有 {len(candidates)} 个名为「{row.name}」的指标："
                            "请加「二级指标」列区分。",
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
            item = planned_result(row, match, scheme, project.year)
            for problem in value_problems(item) + band_score_problems(item, scheme):
                self.plan.error(problem)
            if note:
                item.warnings.append(note)
            planned.indicators.append(item)
        planned.untouched = len(indicators) - len(used)
        if planned.untouched:
            planned.warnings.append(
                place_problem(fragment, f"系统中还有 {planned.untouched} 个指标不在文件中，保持原值。")
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
    for code, name in EVALUATION_FILE_FIELDS.items():
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
    for code, (source, part) in BUDGET_FIELDS.items():
        if code in fields:
            line = lines.setdefault(source, BudgetLineData(source))
            setattr(line, part, fields[code])
    order = [BudgetSource.CURRENT_YEAR, BudgetSource.CARRYOVER, BudgetSource.OTHER]
    return [lines[source] for source in order if source in lines]


@collector.pausing
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
