"""Entering the results of a project-year: an indicator's values, the budget, the explanations, and
the submission for review.

Decisions the issue left open:

* The unit enters results while the evaluation is in an editable status (``EDITABLE_STATUSES``); the
  first saved value moves 目标已批复 to 自评填报中.
* An evaluation approved once and then reopened by a supervisor (``reopened_at`` set) keeps its plan:
  the weights (分值), 年初预算数 and 全年预算数 (A) were approved and may no longer change; the results
  (实际完成值, 档次, 偏差说明, 全年执行数 (B), 目标实际完成情况, 80 分以下说明) may.
* On submission the scores the unit saw become its reported scores (``reported_score``), so that the
  supervisor compares what was submitted with what the engine computes from the stored values.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from projects.choices import BudgetSource
from projects.models import BudgetLine, Project

from .. import scoring
from ..choices import Status
from ..engine import EvaluationResult, Flag, Kind, Scheme, parse, score_indicator
from ..models import Evaluation, Indicator, ReviewActionKind
from ..weights import WeightRow, weight_problems, weight_sums
from .access import fresh_project, plan_locked, require_editable, require_enter, targets_fixed
from .errors import Incomplete, InvalidData, Problem, SheetRefused, VersionConflict, WorkflowError
from .review import move
from .text import CENT, fields_text, fmt, fmt_score, normalise_text
from .versions import (
    SaveOutcome,
    acting_as,
    bump_evaluation,
    check_evaluation_version,
    conflict_message,
    last_change,
    lock_evaluation,
)

#: indicator fields a unit user may change, with their Chinese names (for messages and history)
INDICATOR_FIELDS = {
    "actual_text": "实际完成值（B）",
    "band": "评定档次",
    "band_score": "档次内得分",
    "weight": "分值",
    "deviation_note": "偏差原因分析及改进措施",
}


#: the indicator fields that change its score
SCORING_FIELDS = {"actual_text", "band", "band_score", "weight"}


BUDGET_FIELDS = {"initial": "年初预算数", "annual": "全年预算数（A）", "executed": "全年执行数（B）"}


#: budget figures fixed once the evaluation has been approved (the plan)
PLAN_BUDGET_FIELDS = ("initial", "annual")


TEXT_FIELDS = {
    "goal_result_text": "目标实际完成情况",
    "low_score_explanation": "80 分以下原因分析及拟采取的措施",
}


def too_large(title: str, model, column: str, unit: str = "") -> str:
    """The refusal of a number too large for its column (a 19-digit actual, 10^15 万人 …); ``unit``:
    the unit the field is typed in, if it has one."""
    digits, _places = scoring.column_shape(model, column)
    if unit:
        return f"{title}数值过大：最多 {digits} 位整数（单位：{unit}），无法保存。请检查是否多输了数字。"
    return (
        f"{title}数值过大：换算后超过 {digits} 位整数，无法保存。"
        "请检查是否多输了数字，或数字与单位（万、亿）是否重复。"
    )


def reading_errors(indicator: Indicator, changes: dict, scheme: Scheme, titles: dict[str, str]) -> dict:
    """The engine's readings of the changed indicator that no column can hold, as form errors at the
    text they are read from (``titles``: the form's names of those fields)."""
    probe = copy.copy(indicator)
    for name, value in changes.items():
        setattr(probe, name, value)
    errors: dict[str, list[str]] = {}
    for column in scoring.unstorable_values(probe, scheme, None):
        field = scoring.READING_COLUMNS[column]
        if field not in changes and "unit_printed" in changes:
            field = "unit_printed"  # a 度量单位 of 亿 made an existing number too large
        errors.setdefault(field, []).append(too_large(titles.get(field, "数值"), Indicator, column))
    return errors


def engine_scheme(evaluation: Evaluation) -> Scheme:
    """The engine's scheme of the evaluation (its region's scoring rules)."""
    return evaluation.scheme.engine_scheme()


def band_scale(indicator: Indicator, scheme: Scheme) -> str:
    """The band scale an indicator is judged on: its target's own (优良中低差 …), else the scheme's."""
    target = parse(
        indicator.target_text, nature=indicator.nature_printed or None, unit=indicator.unit_printed or None
    )
    return target.scale if target.scale in scheme.bands else scheme.default_scale


def band_range(band, weight: Decimal) -> tuple[Decimal, Decimal]:
    """Lowest and highest score (2 places) inside a band for a weight."""
    low = band.low_score(weight).quantize(CENT, rounding="ROUND_UP")
    high = band.top_score(weight, 2).quantize(CENT, rounding="ROUND_DOWN")
    return low, high


def needs_band(indicator: Indicator) -> bool:
    """True when the indicator is (or may be) scored by a band rather than by a formula."""
    flags = set(indicator.flags or [])
    return bool(
        indicator.band
        or Flag.BAND_REQUIRED in flags
        or Flag.UNIT_MISMATCH in flags
        or indicator.target_kind in (Kind.QUALITATIVE, Kind.UNREADABLE, Kind.EMPTY)
        or (indicator.target_kind == Kind.QUANTITATIVE and indicator.actual_kind == Kind.QUALITATIVE)
        or (
            indicator.target_kind == Kind.DEADLINE
            and indicator.actual_kind not in (Kind.DEADLINE, Kind.EMPTY, "")
        )
    )


def start_entering(evaluation: Evaluation) -> None:
    """The first saved result moves an approved target set into entry."""
    if evaluation.status == Status.TARGETS_APPROVED:
        evaluation.status = Status.ENTERING
        evaluation.save(update_fields=["status", "updated_at"])


def _indicator_changes(indicator: Indicator, data: dict) -> dict:
    """The fields of ``INDICATOR_FIELDS`` whose sent value differs from the stored one (texts normalised)."""
    changes = {}
    for name in INDICATOR_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("actual_text", "band", "deviation_note"):
            value = normalise_text(value)
        elif name in ("weight", "band_score"):
            value = scoring.stored_decimal(Indicator, name, value)  # as the column keeps it (half-up)
        if getattr(indicator, name) != value:
            changes[name] = value
    return changes


def _clear_stale_band(indicator: Indicator, changes: dict, scheme: Scheme, year: int) -> None:
    """A band left from a text actual goes when the new actual is scored without one (a number the
    engine scores by its formula, #16): the band and its score are cleared in the same save. The
    engine decides, on the indicator as it will be; a band the user changes in this save stays."""
    if "actual_text" not in changes or "band" in changes or not indicator.band:
        return
    planned = dataclasses.replace(
        scoring.indicator_input(indicator), actual_text=changes["actual_text"], band=None, band_score=None
    )
    scored = score_indicator(planned, scheme, year=year)
    if scored.score is not None and scored.band is None and Flag.BAND_REQUIRED not in scored.flags:
        changes["band"] = ""
        if indicator.band_score is not None and "band_score" not in changes:
            changes["band_score"] = None


def validate_indicator(
    indicator: Indicator, changes: dict, evaluation: Evaluation, siblings: Iterable[Indicator]
) -> dict[str, list[str]]:
    """The rules on an indicator's new values that need more than the field itself.

    Returns form field name → Chinese messages (empty when all is well).
    """
    errors: dict[str, list[str]] = {}
    scheme = engine_scheme(evaluation)
    new = {name: changes.get(name, getattr(indicator, name)) for name in INDICATOR_FIELDS}

    if "actual_text" in changes and new["actual_text"]:
        value = parse(new["actual_text"], unit=indicator.unit_printed or None)
        if value.kind is Kind.UNREADABLE:
            errors["actual_text"] = ["无法识别这个数值：请填写数字和单位（如 93%、400.3 万人）或文字描述。"]
    if "actual_text" in changes and not errors:
        errors.update(reading_errors(indicator, changes, scheme, INDICATOR_FIELDS))

    if "weight" in changes:
        refusals = weight_errors(indicator, new["weight"], evaluation, scheme, siblings)
        if refusals:
            errors["weight"] = refusals

    band, band_score, weight = new["band"], new["band_score"], new["weight"]
    if ("band" in changes or "band_score" in changes or "weight" in changes) and (
        band or band_score is not None
    ):
        scale = band_scale(indicator, scheme)
        found = scheme.find_band(band, scale) if band else None
        if band and found is None:
            errors.setdefault("band", []).append("请从列表中选择评定档次。")
        elif band_score is not None and not band:
            errors.setdefault("band_score", []).append("请先选择评定档次，再填写档次内得分。")
        elif found is not None and band_score is not None:
            if weight is None:
                errors.setdefault("band_score", []).append("请先设定本项分值，再填写档次内得分。")
            elif not found[1].contains(band_score, weight):
                low, high = band_range(found[1], weight)
                errors.setdefault("band_score", []).append(
                    f"“{found[1].short}”档的得分应在 {low} 至 {high} 之间"
                    f"（分值 {fmt(weight)} 的 {found[1].range_display()}），您填的是 {fmt(band_score)}。"
                )
    return errors


def weight_errors(
    indicator: Indicator, weight: Decimal | None, evaluation: Evaluation, scheme: Scheme, siblings
) -> list[str]:
    """Why ``indicator`` may not take ``weight`` (empty: it may). ``siblings``: the project-year's
    indicators (with or without this one).

    Refused: a weight of a reopened plan, a negative one, and one that makes the total exceed the
    scheme's, or its level 1 exceed its header, by more than the stored weight does — data already over
    (seed 001 附件1) stays editable.
    """
    if plan_locked(evaluation):
        return ["该自评曾审核通过后重新开放，分值已锁定，不能修改。"]
    if targets_fixed(evaluation) and indicator.weight is not None and weight != indicator.weight:
        return [
            f"绩效目标已批复，本项分值 {fmt(indicator.weight)} 分已随目标确定，不能修改。"
            "如需调整，请联系主管部门。"
        ]
    if weight is None:
        return []
    if weight < 0:
        return ["分值不能为负数。"]
    if not scoring.fits(Indicator, "weight", weight):
        return [too_large("分值", Indicator, "weight")]
    others = [s for s in siblings if s.pk != indicator.pk and not s.not_applicable]
    declared = evaluation.declared_level1_weights
    # the row is checked with the weight asked for as if it applied, and against its stored weight
    new = weight_sums([*others, WeightRow(weight, indicator.level1)], scheme, declared)
    old = weight_sums(
        [*others, WeightRow(indicator.weight or Decimal(0), indicator.level1)], scheme, declared
    )
    for problem in new.problems():
        if not problem.over:
            continue
        if not problem.level1 and new.sum > old.sum:
            room = max(new.total - new.execution - (new.rows - weight), Decimal(0))
            return [
                f"分值合计将为 {fmt(new.sum)} 分（预算执行 {fmt(new.execution)} 分 + 各指标 "
                f"{fmt(new.rows)} 分），超过总分 {fmt(new.total)} 分；本项最多可设 {fmt(room)} 分。"
            ]
        if (
            problem.level1
            and problem.level1 == indicator.level1
            and problem.found > old.level1[problem.level1]
        ):
            name = indicator.get_level1_display()
            return [f"{name}各项分值合计将为 {fmt(problem.found)} 分，超过表头 {fmt(problem.expected)} 分。"]
    return []


@transaction.atomic
def save_indicator_actual(indicator: Indicator, user, data: dict, expected_version: int) -> SaveOutcome:
    """Save what a unit user entered for one indicator, rescore the project-year, and return the result.

    ``data`` holds cleaned values for any of ``INDICATOR_FIELDS``; keys absent are left alone.
    Raises NotPermitted, WorkflowError (status), VersionConflict or InvalidData; saves nothing then.
    """
    project = fresh_project(indicator.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_editable(evaluation)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk, project=project)
    changes = _indicator_changes(current, data)
    _clear_stale_band(current, changes, engine_scheme(evaluation), project.year)
    before = evaluation.version
    if not changes:
        return SaveOutcome(
            indicator=current,
            evaluation_version_before=before,
            evaluation_version=before,
            evaluation=evaluation,
        )
    if current.version != expected_version:
        by, at = last_change(current.history)
        raise VersionConflict(conflict_message(f"指标“{current.name}”", by, at), changed_by=by, changed_at=at)
    siblings = list(
        Indicator.objects.filter(project=project).only("pk", "weight", "level1", "not_applicable")
    )
    errors = validate_indicator(current, changes, evaluation, siblings)
    if errors:
        raise InvalidData(errors)
    with acting_as(user):
        _store(current, changes)
        bump_evaluation(evaluation, f"填报指标“{current.name}”：{fields_text(changes, INDICATOR_FIELDS)}")
        start_entering(evaluation)
        result = scoring.recompute(project)
        # the totals recompute stored, on this instance too (no query to read them back)
        scoring.store_evaluation_result(evaluation, result)
    current.refresh_from_db()
    return SaveOutcome(
        changed=list(changes),
        result=result,
        indicator=current,
        evaluation_version_before=before,
        evaluation_version=evaluation.version,
        evaluation=evaluation,
    )


def _store(current: Indicator, changes: dict) -> None:
    """Write an indicator's checked changes and move its version on (inside ``acting_as``)."""
    for name, value in changes.items():
        setattr(current, name, value)
    fields = [*changes, "version"]
    if set(changes) & SCORING_FIELDS and current.reported_score is not None:
        # a score printed or reported earlier no longer describes the new values; the unit's report
        # is the computed score at submission
        current.reported_score = None
        fields.append("reported_score")
    current.version += 1
    current.save(update_fields=fields)


@transaction.atomic
def save_sheet(project: Project, user, rows: dict[int, tuple[dict, int]]) -> SaveOutcome:
    """Save several rows of the sheet at once (全部保存): all of them or none, one history entry.

    ``rows`` maps an indicator's pk to (cleaned values as for :func:`save_indicator_actual`, the
    indicator version the page saw). Each changed row is checked as a single save would be, its own
    version included; weights are checked against the sheet's other new weights. Any refusal raises
    :class:`SheetRefused` with every row's problem, and nothing is saved. Rows without a change are left
    alone (their version is not checked). ``changed`` of the outcome lists the saved indicators' pks.
    """
    project = fresh_project(project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_editable(evaluation)
    current = {ind.pk: ind for ind in Indicator.objects.select_for_update().filter(project=project)}
    unknown = [pk for pk in rows if pk not in current]
    if unknown:
        raise WorkflowError("所提交的指标不属于本项目，未保存。请刷新页面后重试。")
    changes = {pk: _indicator_changes(current[pk], data) for pk, (data, _) in rows.items()}
    scheme = engine_scheme(evaluation)
    for pk, fields in changes.items():
        _clear_stale_band(current[pk], fields, scheme, project.year)
    changes = {pk: fields for pk, fields in changes.items() if fields}
    before = evaluation.version
    if not changes:
        return SaveOutcome(evaluation_version_before=before, evaluation_version=before, evaluation=evaluation)
    conflicts = {}
    for pk in changes:
        if current[pk].version != rows[pk][1]:
            by, at = last_change(current[pk].history)
            conflicts[pk] = conflict_message(f"指标“{current[pk].name}”", by, at)
    # the siblings as the sheet would leave them: each row's weight checked against the others' new ones
    siblings = []
    for pk, indicator in current.items():
        sibling = copy.copy(indicator)
        if "weight" in changes.get(pk, {}):
            sibling.weight = changes[pk]["weight"]
        siblings.append(sibling)
    errors = {}
    for pk, fields in changes.items():
        if pk not in conflicts:
            found = validate_indicator(current[pk], fields, evaluation, siblings)
            if found:
                errors[pk] = found
    if errors or conflicts:
        raise SheetRefused(errors, conflicts)
    ordered = sorted(changes, key=lambda pk: current[pk].order)
    with acting_as(user):
        for pk in ordered:
            _store(current[pk], changes[pk])
        names = "、".join(f"“{current[pk].name}”" for pk in ordered)
        bump_evaluation(evaluation, f"全部保存 {len(ordered)} 项指标：{names}")
        start_entering(evaluation)
        result = scoring.recompute(project)
        scoring.store_evaluation_result(evaluation, result)
    return SaveOutcome(
        changed=ordered,
        result=result,
        evaluation_version_before=before,
        evaluation_version=evaluation.version,
        evaluation=evaluation,
    )


@transaction.atomic
def save_budget(evaluation: Evaluation, user, lines: dict[str, dict], expected_version: int) -> SaveOutcome:
    """Save the budget figures (万元) of the project-year: ``lines`` maps a fund source
    (``BudgetSource``) to any of ``initial`` / ``annual`` / ``executed`` (Decimal or None)."""
    project = fresh_project(evaluation.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_editable(evaluation)
    existing = {line.source: line for line in BudgetLine.objects.select_for_update().filter(project=project)}
    changes: dict[str, dict] = {}
    errors: dict[str, list[str]] = {}
    for source, values in lines.items():
        if source not in BudgetSource.values:
            continue
        line = existing.get(source)
        for name, value in values.items():
            if name not in BUDGET_FIELDS:
                continue
            value = scoring.stored_decimal(BudgetLine, name, value)  # as the column keeps it (half-up)
            old = getattr(line, name) if line else None
            if old != value and not (old is None and value is None):
                if value is not None and value < 0:
                    errors[f"{source}-{name}"] = ["金额不能为负数。"]
                elif not scoring.fits(BudgetLine, name, value):
                    errors[f"{source}-{name}"] = [too_large(BUDGET_FIELDS[name], BudgetLine, name, "万元")]
                elif name in PLAN_BUDGET_FIELDS and plan_locked(evaluation):
                    errors[f"{source}-{name}"] = [
                        f"自评已审核后重新开放，{BUDGET_FIELDS[name]}已锁定，不能修改。"
                    ]
                changes.setdefault(source, {})[name] = value
    if not changes:
        return SaveOutcome()
    check_evaluation_version(evaluation, expected_version, "预算执行数据")
    if errors:
        raise InvalidData(errors)
    changed = []
    with acting_as(user):
        for source, values in changes.items():
            line = existing.get(source)
            if line is None:
                line = BudgetLine(project=project, source=source, **values)
                line.save()
            else:
                for name, value in values.items():
                    setattr(line, name, value)
                line.save(update_fields=list(values))
            changed += [f"{source}-{name}" for name in values]
        bump_evaluation(
            evaluation,
            "修改预算执行数据："
            + fields_text(
                sorted(
                    {name for values in changes.values() for name in values}, key=list(BUDGET_FIELDS).index
                ),
                BUDGET_FIELDS,
            ),
        )
        start_entering(evaluation)
        result = scoring.recompute(project)
    return SaveOutcome(changed=changed, result=result)


@transaction.atomic
def save_explanations(evaluation: Evaluation, user, data: dict, expected_version: int) -> SaveOutcome:
    """Save 目标实际完成情况 (on the project) and the below-80 explanation (on the evaluation)."""
    project = fresh_project(evaluation.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_editable(evaluation)
    targets = {"goal_result_text": project, "low_score_explanation": evaluation}
    changes = {
        name: normalise_text(data[name])
        for name in TEXT_FIELDS
        if name in data and normalise_text(data[name]) != getattr(targets[name], name)
    }
    if not changes:
        return SaveOutcome()
    check_evaluation_version(evaluation, expected_version, "说明文字")
    with acting_as(user):
        if "goal_result_text" in changes:
            project.goal_result_text = changes["goal_result_text"]
            project.save(update_fields=["goal_result_text", "updated_at"])
        if "low_score_explanation" in changes:
            evaluation.low_score_explanation = changes["low_score_explanation"]
        bump_evaluation(
            evaluation,
            "修改" + fields_text(changes, TEXT_FIELDS),
            ["low_score_explanation"] if "low_score_explanation" in changes else [],
        )
        start_entering(evaluation)
    return SaveOutcome(changed=list(changes))


def missing_items(
    project: Project, evaluation: Evaluation, indicators: list[Indicator], result: EvaluationResult
) -> list[Problem]:
    """Everything a submission still lacks, in page order (budget, goal, indicators, total)."""
    problems: list[Problem] = []
    totals = project.budget_totals()
    if not totals["annual"]:
        problems.append(Problem("budget", "预算执行情况：未填全年预算数（A）"))
    if totals["executed"] is None:
        problems.append(Problem("budget", "预算执行情况：未填全年执行数（B）"))
    if not (project.goal_result_text or "").strip():
        problems.append(Problem("goal", "年度总体目标：未填目标实际完成情况"))
    weights_complete = True
    for indicator, scored in zip(indicators, result.indicators, strict=True):
        if indicator.not_applicable:
            continue
        flags = scored.flags
        issues = []
        if Flag.NO_WEIGHT in flags:
            issues.append("未设分值")
            weights_complete = False
        if Flag.ACTUAL_MISSING in flags or not (indicator.actual_text or "").strip():
            issues.append("未填实际完成值")
        elif Flag.ACTUAL_UNREADABLE in flags:
            issues.append("实际完成值无法识别")
        if indicator.direction_guessed:
            issues.append("指标方向为系统推测，请确认正向或反向")
        if Flag.BAND_REQUIRED in flags:
            issues.append("需评定档次")
        if Flag.UNIT_MISMATCH in flags and scored.score is None:
            issues.append("实际值单位与目标不一致，需评定档次")
        if scored.score is None and not issues:
            issues.append(f"无法计分（{scored.explanation or '原因不明'}）")
        if Flag.DEVIATION_NOTE_REQUIRED in flags:
            issues.append("得分低于分值，需填写偏差原因分析及改进措施")
        if Flag.OVERSHOOT in flags and not indicator.deviation_note.strip():
            issues.append("实际超出目标较多，需说明目标设定是否偏低")
        if issues:
            problems.append(
                Problem(
                    f"ind-{indicator.pk}",
                    f"{indicator.get_level2_display()}“{indicator.name}”：{'；'.join(issues)}",
                )
            )
    for problem in weight_problems(indicators, engine_scheme(evaluation)):
        if weights_complete and problem.under:
            problems.append(
                Problem(
                    "indicators",
                    f"绩效指标：分值合计 {fmt(problem.found)} 分（含预算执行），"
                    f"少于总分 {fmt(problem.expected)} 分",
                )
            )
    if result.low_score_explanation_required and not evaluation.low_score_explanation.strip():
        problems.append(
            Problem(
                "low-score",
                f"总分 {fmt_score(result.total)} 分，低于 80 分："
                "需填写未实现绩效目标的原因分析及拟采取的措施",
            )
        )
    return problems


#: the wording of a refused submission (see check_evaluation_version)
_SUBMIT_CONFLICT = {"outcome": "自评没有提交", "advice": "页面已显示最新数据，请核对后再提交。"}


@transaction.atomic
def submit_evaluation(evaluation: Evaluation, user, expected_version: int | None = None) -> Evaluation:
    """Submit the self-evaluation for review, or raise :class:`Incomplete` listing everything missing.

    ``expected_version``: the evaluation version the submitting page was rendered with; a page that
    missed a change (someone else's save since) gets :class:`VersionConflict` and nothing is submitted.
    """
    project = fresh_project(evaluation.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_editable(evaluation)
    check_evaluation_version(evaluation, expected_version, "本项目的自评数据", **_SUBMIT_CONFLICT)
    with acting_as(user):
        result = scoring.recompute(project)
        evaluation.refresh_from_db()
        indicators = list(project.indicators.order_by("order"))
        problems = missing_items(project, evaluation, indicators, result)
        if problems:
            raise Incomplete(problems)
        for indicator in indicators:
            if indicator.reported_score != indicator.score:
                indicator.reported_score = indicator.score
                indicator._change_reason = "提交时记录自报得分"
                indicator.save(update_fields=["reported_score"])
        scoring.recompute(project)  # clears the "reported score differs" flags the snapshot resolved
        evaluation.refresh_from_db()
        evaluation.submitted_total = evaluation.total_score
        evaluation.submitted_grade = evaluation.grade
        move(evaluation, user, ReviewActionKind.SUBMIT, fields=["submitted_total", "submitted_grade"])
    return evaluation
