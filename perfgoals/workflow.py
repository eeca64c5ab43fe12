"""The entry and review workflow of a self-evaluation: every change a person makes goes through here.

Views configure and call these named actions; the actions decide. Each one

* runs in one transaction and locks the evaluation row first (one lock order: no deadlocks, and two
  saves on the same project-year are serialised, so a weight check sees every other weight);
* checks the user's right through :mod:`projects.scoping` (never by looking at roles here);
* refuses stale data by optimistic locking (``Indicator.version`` / ``Evaluation.version``): the
  second of two people saving from the same page gets :class:`VersionConflict` and the first's value
  stays — unless the second sends exactly what is already stored, which is no conflict at all;
* bumps ``Evaluation.version`` on every change to the project-year's content (an indicator's values,
  adding, deleting or moving one, the budget, the explanations, the level-1 weights) through
  :func:`bump_evaluation`, in the same transaction and with a change reason that says what changed.
  ``Evaluation.version`` is thus the version of the whole page: the submissions (``submit_evaluation``,
  ``submit_targets``) and the review steps take the version the page was rendered with and refuse a
  stale one, naming who changed what and when — nobody submits over a change they have not seen;
* records who did it: simple-history's ``history_user`` (also for rows that ``services.recompute``
  rewrites inside the action) and, for the review steps, a :class:`~perfgoals.models.ReviewAction`.

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

import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.choices import BudgetSource
from projects.models import BudgetLine, Project
from projects.scoping import enterable_projects, reviewable_projects

from . import services
from .choices import EDITABLE_STATUSES, LOCKED_STATUSES, Status
from .engine import EvaluationResult, Flag, Kind, Scheme, parse
from .engine.values import format_decimal
from .models import Evaluation, Indicator, ReviewAction, ReviewActionKind

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
#: overshoot that needs an explanation when the scheme sets no threshold of its own (national practice)
DEFAULT_OVERSHOOT = Decimal("0.30")

_CENT = Decimal("0.01")


# --- errors ------------------------------------------------------------------------------------------


class WorkflowError(Exception):
    """An action refused for a reason the user can act on; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(PermissionDenied):
    """The user may see the project but not do this (views answer 403 without details)."""


class InvalidData(WorkflowError):
    """Values the rules refuse; ``errors`` maps a form field name to its Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("；".join(msg for msgs in errors.values() for msg in msgs))
        self.errors = errors


class VersionConflict(WorkflowError):
    """Someone saved the same data since the user loaded it; nothing of the user's was saved."""

    def __init__(self, message: str, *, changed_by: str = "", changed_at=None):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


@dataclass(frozen=True)
class Problem:
    """One thing missing before submission: where it is on the page (``anchor``) and what."""

    anchor: str
    text: str


class Incomplete(WorkflowError):
    """Submission refused: every missing item at once, nothing submitted."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"尚有 {len(problems)} 项未完成，自评未提交")
        self.problems = problems


# --- who may do what ---------------------------------------------------------------------------------


def _in_scope(scope, user, project: Project) -> bool:
    return scope(user, Project.objects.filter(pk=project.pk)).exists()


def may_enter(user, project: Project) -> bool:
    """The user is a unit user of the project's unit (whatever the status)."""
    return _in_scope(enterable_projects, user, project)


def may_review(user, project: Project) -> bool:
    """The user is a supervisor of the project's department, or an admin."""
    return _in_scope(reviewable_projects, user, project)


def plan_locked(evaluation: Evaluation) -> bool:
    """Weights and planned budget are fixed once an approved evaluation has been reopened."""
    return evaluation.reopened_at is not None


@dataclass(frozen=True)
class Capabilities:
    """What the current user may do on one project page (computed once per request)."""

    is_unit_user: bool
    is_reviewer: bool
    can_enter: bool
    can_edit_plan: bool
    can_review: bool
    can_reopen: bool

    @property
    def read_only(self) -> bool:
        return not self.can_enter


def capabilities(user, project: Project, evaluation: Evaluation) -> Capabilities:
    unit_user = may_enter(user, project)
    reviewer = may_review(user, project)
    can_enter = unit_user and evaluation.status in EDITABLE_STATUSES
    return Capabilities(
        is_unit_user=unit_user,
        is_reviewer=reviewer,
        can_enter=can_enter,
        can_edit_plan=can_enter and not plan_locked(evaluation),
        can_review=reviewer and evaluation.status == Status.SUBMITTED,
        can_reopen=reviewer and evaluation.status in LOCKED_STATUSES,
    )


def _require_enter(user, project: Project) -> None:
    if not may_enter(user, project):
        raise NotPermitted("只有项目实施单位的填报人可以填报。")


def _require_review(user, project: Project) -> None:
    if not may_review(user, project):
        raise NotPermitted("只有主管部门的审核人可以审核。")


_LOCKED_MESSAGES = {
    Status.SUBMITTED: "自评已提交，正在审核，不能修改。如需修改，请联系主管部门退回。",
    Status.APPROVED: "自评已审核通过，数据已锁定。如需修改，请联系主管部门重新开放。",
    Status.PUBLISHED: "自评已公开，数据已锁定。如需修改，请联系主管部门重新开放。",
    Status.TARGETS_SUBMITTED: "绩效目标已提交，正在批复，暂不能填报。",
}


def _require_editable(evaluation: Evaluation) -> None:
    if evaluation.status not in EDITABLE_STATUSES:
        raise WorkflowError(_LOCKED_MESSAGES.get(evaluation.status, "当前状态不能修改。"))


# --- recording who did it ----------------------------------------------------------------------------


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Attribute every history row written inside the block to ``user``.

    In a request the middleware already does this; tasks and tests call the actions without one, and
    ``services.recompute`` saves rows it does not know the user of.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    if previous is not None and getattr(previous, "user", None) == user:
        yield
        return
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def _user_name(user) -> str:
    if user is None:
        return "（系统）"
    return user.first_name or user.username


def _last_change(history_qs) -> tuple[str, object]:
    record = history_qs.select_related("history_user").order_by("-history_date", "-history_id").first()
    if record is None:
        return "", None
    return _user_name(record.history_user), record.history_date


def _conflict_message(
    what: str,
    by: str,
    when,
    *,
    change: str = "",
    outcome: str = "您这次的修改没有保存",
    advice: str = "页面已显示最新数据，请核对后如需修改再重新保存。",
) -> str:
    at = timezone.localtime(when).strftime("%m-%d %H:%M") if when else ""
    who = f"已被 {by} 于 {at} 修改" if by else "已被他人修改"
    detail = f"（{change}）" if change else ""
    return f"{what}{who}{detail}，{outcome}。{advice}"


def _version_change(evaluation: Evaluation, seen: int | None = None) -> tuple[str, object, str]:
    """Who changed the project-year since version ``seen``, when, and what (the change reason
    :func:`bump_evaluation` or a status change wrote): the first change the page at ``seen`` missed,
    with how many more followed. Without a plausible ``seen``, the change that made the current version."""
    missed = 0
    if seen is None or not 0 < seen < evaluation.version:
        seen = evaluation.version - 1
    else:
        missed = evaluation.version - seen - 1
    record = (
        evaluation.history.filter(version__gt=seen)
        .select_related("history_user")
        .order_by("history_date", "history_id")
        .first()
    )
    if record is None:
        by, at = _last_change(evaluation.history)
        return by, at, ""
    change = record.history_change_reason or ""
    if change and missed:
        change += f"；此后另有 {missed} 处修改"
    return _user_name(record.history_user), record.history_date, change


# --- helpers -----------------------------------------------------------------------------------------


def _lock_evaluation(project: Project) -> Evaluation:
    # lock the evaluation row only: the scheme row is shared by every project of a region
    return (
        Evaluation.objects.select_related("scheme").select_for_update(of=("self",)).get(project_id=project.pk)
    )


def _fresh_project(project: Project) -> Project:
    return Project.objects.select_related("unit__department").get(pk=project.pk)


def _start_entering(evaluation: Evaluation) -> None:
    """The first saved result moves an approved target set into entry."""
    if evaluation.status == Status.TARGETS_APPROVED:
        evaluation.status = Status.ENTERING
        evaluation.save(update_fields=["status", "updated_at"])


def bump_evaluation(evaluation: Evaluation, reason: str, fields: Iterable[str] = ()) -> None:
    """A change to the project-year's content: move ``Evaluation.version`` on (with ``fields`` of the
    evaluation itself changed in the same save), recording ``reason`` (what changed) in its history.

    Call it on the evaluation locked by :func:`_lock_evaluation` and before ``services.recompute``: the
    history row copies every field of this instance, which must not be older than the stored row. Public
    for the other writers of a project-year's content (the Excel import), which should call it too.
    """
    evaluation.version += 1
    evaluation._change_reason = reason[:100]
    evaluation.save(update_fields=["version", "updated_at", *fields])


def _fields_text(names: Iterable[str], labels: dict[str, str]) -> str:
    return "、".join(labels.get(name, name) for name in names)


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal(value)


def _score(value: Decimal) -> str:
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def engine_scheme(evaluation: Evaluation) -> Scheme:
    return evaluation.scheme.engine_scheme()


def band_scale(indicator: Indicator, scheme: Scheme) -> str:
    """The band scale an indicator is judged on: its target's own (优良中低差 …), else the scheme's."""
    target = parse(
        indicator.target_text, nature=indicator.nature_printed or None, unit=indicator.unit_printed or None
    )
    return target.scale if target.scale in scheme.bands else scheme.default_scale


def band_range(band, weight: Decimal) -> tuple[Decimal, Decimal]:
    """Lowest and highest score (2 places) inside a band for a weight."""
    low = band.low_score(weight).quantize(_CENT, rounding="ROUND_UP")
    high = band.top_score(weight, 2).quantize(_CENT, rounding="ROUND_DOWN")
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


# --- indicator ---------------------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    """What a save did: the stored row(s), the changed field names, the new evaluation result, and the
    evaluation's version before and after it (a page that had seen the first may carry on with the second;
    one that had not has missed someone else's change)."""

    changed: list[str] = field(default_factory=list)
    result: EvaluationResult | None = None
    indicator: Indicator | None = None
    evaluation_version_before: int | None = None
    evaluation_version: int | None = None

    def page_version(self, seen: int | None) -> int | None:
        """The evaluation version a page rendered at ``seen`` is at after this save: the new version
        when nobody else changed the project-year since, else still ``seen`` (its submit stays stale)."""
        if (
            seen is not None
            and seen == self.evaluation_version_before
            and self.evaluation_version is not None
        ):
            return self.evaluation_version
        return seen


def _normalise_text(value) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


def _indicator_changes(indicator: Indicator, data: dict) -> dict:
    changes = {}
    for name in INDICATOR_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("actual_text", "band", "deviation_note"):
            value = _normalise_text(value)
        if getattr(indicator, name) != value:
            changes[name] = value
    return changes


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

    if "weight" in changes:
        weight_errors = _weight_errors(indicator, new["weight"], evaluation, scheme, siblings)
        if weight_errors:
            errors["weight"] = weight_errors

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
                    f"（分值 {_fmt(weight)} 的 {found[1].range_display()}），您填的是 {_fmt(band_score)}。"
                )
    return errors


def _weight_errors(
    indicator: Indicator, weight: Decimal | None, evaluation: Evaluation, scheme: Scheme, siblings
) -> list[str]:
    if plan_locked(evaluation):
        return ["该自评曾审核通过后重新开放，分值已锁定，不能修改。"]
    if weight is None:
        return []
    if weight < 0:
        return ["分值不能为负数。"]
    others = [s for s in siblings if s.pk != indicator.pk and not s.not_applicable]
    other_sum = sum((s.weight or Decimal(0) for s in others), Decimal(0))
    old = indicator.weight or Decimal(0)
    new_total = scheme.execution_weight + other_sum + weight
    old_total = scheme.execution_weight + other_sum + old
    # refuse what breaks the total or makes it worse; data already over it (seed 001 附件1) stays editable
    if new_total > scheme.total and new_total > old_total:
        room = max(scheme.total - scheme.execution_weight - other_sum, Decimal(0))
        return [
            f"分值合计将为 {_fmt(new_total)} 分（预算执行 {_fmt(scheme.execution_weight)} 分 + 各指标 "
            f"{_fmt(other_sum + weight)} 分），超过总分 {_fmt(scheme.total)} 分；本项最多可设 {_fmt(room)} 分。"
        ]
    declared = (evaluation.declared_level1_weights or {}).get(indicator.level1)
    if declared not in (None, ""):
        cap = Decimal(str(declared))
        same = sum((s.weight or Decimal(0) for s in others if s.level1 == indicator.level1), Decimal(0))
        if same + weight > cap and same + weight > same + old:
            name = indicator.get_level1_display()
            return [f"{name}各项分值合计将为 {_fmt(same + weight)} 分，超过表头 {_fmt(cap)} 分。"]
    return []


@transaction.atomic
def save_indicator_actual(indicator: Indicator, user, data: dict, expected_version: int) -> SaveOutcome:
    """Save what a unit user entered for one indicator, rescore the project-year, and return the result.

    ``data`` holds cleaned values for any of ``INDICATOR_FIELDS``; keys absent are left alone.
    Raises NotPermitted, WorkflowError (status), VersionConflict or InvalidData; saves nothing then.
    """
    project = _fresh_project(indicator.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_editable(evaluation)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk, project=project)
    changes = _indicator_changes(current, data)
    before = evaluation.version
    if not changes:
        return SaveOutcome(indicator=current, evaluation_version_before=before, evaluation_version=before)
    if current.version != expected_version:
        by, at = _last_change(current.history)
        raise VersionConflict(
            _conflict_message(f"指标“{current.name}”", by, at), changed_by=by, changed_at=at
        )
    siblings = list(
        Indicator.objects.filter(project=project).only("pk", "weight", "level1", "not_applicable")
    )
    errors = validate_indicator(current, changes, evaluation, siblings)
    if errors:
        raise InvalidData(errors)
    with acting_as(user):
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
        bump_evaluation(evaluation, f"填报指标“{current.name}”：{_fields_text(changes, INDICATOR_FIELDS)}")
        _start_entering(evaluation)
        result = services.recompute(project)
    current.refresh_from_db()
    return SaveOutcome(
        changed=list(changes),
        result=result,
        indicator=current,
        evaluation_version_before=before,
        evaluation_version=evaluation.version,
    )


# --- budget and texts --------------------------------------------------------------------------------


def _check_evaluation_version(
    evaluation: Evaluation, expected_version: int | None, what: str, **wording
) -> None:
    """Refuse a page rendered at another version of the project-year (``None``: no page, no check); the
    message names who changed what last, and when. ``wording``: ``outcome`` / ``advice`` of the message."""
    if expected_version is not None and evaluation.version != expected_version:
        by, at, change = _version_change(evaluation, expected_version)
        raise VersionConflict(
            _conflict_message(what, by, at, change=change, **wording), changed_by=by, changed_at=at
        )


@transaction.atomic
def save_budget(evaluation: Evaluation, user, lines: dict[str, dict], expected_version: int) -> SaveOutcome:
    """Save the budget figures (万元) of the project-year: ``lines`` maps a fund source
    (``BudgetSource``) to any of ``initial`` / ``annual`` / ``executed`` (Decimal or None)."""
    project = _fresh_project(evaluation.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_editable(evaluation)
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
            old = getattr(line, name) if line else None
            if old != value and not (old is None and value is None):
                if value is not None and value < 0:
                    errors[f"{source}-{name}"] = ["金额不能为负数。"]
                elif name in PLAN_BUDGET_FIELDS and plan_locked(evaluation):
                    errors[f"{source}-{name}"] = [
                        f"自评已审核后重新开放，{BUDGET_FIELDS[name]}已锁定，不能修改。"
                    ]
                changes.setdefault(source, {})[name] = value
    if not changes:
        return SaveOutcome()
    _check_evaluation_version(evaluation, expected_version, "预算执行数据")
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
            + _fields_text(
                sorted(
                    {name for values in changes.values() for name in values}, key=list(BUDGET_FIELDS).index
                ),
                BUDGET_FIELDS,
            ),
        )
        _start_entering(evaluation)
        result = services.recompute(project)
    return SaveOutcome(changed=changed, result=result)


TEXT_FIELDS = {
    "goal_result_text": "目标实际完成情况",
    "low_score_explanation": "80 分以下原因分析及拟采取的措施",
}


@transaction.atomic
def save_explanations(evaluation: Evaluation, user, data: dict, expected_version: int) -> SaveOutcome:
    """Save 目标实际完成情况 (on the project) and the below-80 explanation (on the evaluation)."""
    project = _fresh_project(evaluation.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_editable(evaluation)
    targets = {"goal_result_text": project, "low_score_explanation": evaluation}
    changes = {
        name: _normalise_text(data[name])
        for name in TEXT_FIELDS
        if name in data and _normalise_text(data[name]) != getattr(targets[name], name)
    }
    if not changes:
        return SaveOutcome()
    _check_evaluation_version(evaluation, expected_version, "说明文字")
    with acting_as(user):
        if "goal_result_text" in changes:
            project.goal_result_text = changes["goal_result_text"]
            project.save(update_fields=["goal_result_text", "updated_at"])
        if "low_score_explanation" in changes:
            evaluation.low_score_explanation = changes["low_score_explanation"]
        bump_evaluation(
            evaluation,
            "修改" + _fields_text(changes, TEXT_FIELDS),
            ["low_score_explanation"] if "low_score_explanation" in changes else [],
        )
        _start_entering(evaluation)
    return SaveOutcome(changed=list(changes))


# --- submission --------------------------------------------------------------------------------------


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
    scheme_total = engine_scheme(evaluation).total
    weight_sum = engine_scheme(evaluation).execution_weight + sum(
        (i.weight or Decimal(0) for i in indicators if not i.not_applicable), Decimal(0)
    )
    if weights_complete and weight_sum < scheme_total:
        problems.append(
            Problem(
                "indicators",
                f"绩效指标：分值合计 {_fmt(weight_sum)} 分（含预算执行），少于总分 {_fmt(scheme_total)} 分",
            )
        )
    if result.low_score_explanation_required and not evaluation.low_score_explanation.strip():
        problems.append(
            Problem(
                "low-score",
                f"总分 {_score(result.total)} 分，低于 80 分：需填写未实现绩效目标的原因分析及拟采取的措施",
            )
        )
    return problems


def _record(evaluation: Evaluation, user, action: str, from_status: str, comment: str = "") -> ReviewAction:
    return ReviewAction.objects.create(
        evaluation=evaluation,
        action=action,
        user=user,
        comment=comment,
        from_status=from_status,
        to_status=evaluation.status,
    )


def _change_status(evaluation: Evaluation, status: str, reason: str, extra_fields: list[str]) -> None:
    evaluation.status = status
    evaluation.version += 1
    evaluation._change_reason = reason[:100]
    evaluation.save(update_fields=["status", "version", "updated_at", *extra_fields])


#: the wording of a refused submission (see _check_evaluation_version)
_SUBMIT_CONFLICT = {"outcome": "自评没有提交", "advice": "页面已显示最新数据，请核对后再提交。"}
_SUBMIT_TARGETS_CONFLICT = {"outcome": "绩效目标没有提交", "advice": "页面已显示最新数据，请核对后再提交。"}


@transaction.atomic
def submit_evaluation(evaluation: Evaluation, user, expected_version: int | None = None) -> Evaluation:
    """Submit the self-evaluation for review, or raise :class:`Incomplete` listing everything missing.

    ``expected_version``: the evaluation version the submitting page was rendered with; a page that
    missed a change (someone else's save since) gets :class:`VersionConflict` and nothing is submitted.
    """
    project = _fresh_project(evaluation.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_editable(evaluation)
    _check_evaluation_version(evaluation, expected_version, "本项目的自评数据", **_SUBMIT_CONFLICT)
    with acting_as(user):
        result = services.recompute(project)
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
        services.recompute(project)  # clears the "reported score differs" flags the snapshot resolved
        evaluation.refresh_from_db()
        from_status = evaluation.status
        evaluation.submitted_at = timezone.now()
        evaluation.submitted_total = evaluation.total_score
        evaluation.submitted_grade = evaluation.grade
        _change_status(
            evaluation, Status.SUBMITTED, "提交审核", ["submitted_at", "submitted_total", "submitted_grade"]
        )
        _record(evaluation, user, ReviewActionKind.SUBMIT, from_status)
    return evaluation


# --- review ------------------------------------------------------------------------------------------


def _review_target(
    evaluation: Evaluation, user, expected_version: int | None, allowed: set[str]
) -> Evaluation:
    project = _fresh_project(evaluation.project)
    _require_review(user, project)
    locked = _lock_evaluation(project)
    if locked.status not in allowed:
        by, at = _last_change(locked.history)
        who = f"（{by} 于 {timezone.localtime(at).strftime('%m-%d %H:%M')}）" if by and at else ""
        raise WorkflowError(f"该自评当前状态为“{locked.get_status_display()}”{who}，不能执行此操作。")
    _check_evaluation_version(locked, expected_version, "该自评")
    return locked


def _required_text(text: str, field_name: str, message: str) -> str:
    text = _normalise_text(text)
    if not text:
        raise InvalidData({field_name: [message]})
    return text


def _review_step(
    evaluation: Evaluation, user, to_status: str, kind: str, log: str, comment: str
) -> Evaluation:
    """One reviewer's decision on an evaluation already checked by _review_target: keep the comment,
    move the status (recorded in history as `log`) and write the review log."""
    with acting_as(user):
        from_status = evaluation.status
        evaluation.review_comment = comment
        _change_status(evaluation, to_status, log, ["review_comment"])
        _record(evaluation, user, kind, from_status, comment)
    return evaluation


@transaction.atomic
def return_evaluation(
    evaluation: Evaluation, user, comment: str, expected_version: int | None = None
) -> Evaluation:
    """Send a submitted self-evaluation back to the unit with a comment it sees on its project page."""
    comment = _required_text(comment, "comment", "退回时必须填写审核意见，说明需要修改的内容。")
    evaluation = _review_target(evaluation, user, expected_version, {Status.SUBMITTED})
    return _review_step(
        evaluation, user, Status.RETURNED, ReviewActionKind.RETURN, f"退回修改：{comment}", comment
    )


@transaction.atomic
def approve_evaluation(
    evaluation: Evaluation, user, comment: str = "", expected_version: int | None = None
) -> Evaluation:
    """Approve a submitted self-evaluation; its data is locked from then on."""
    evaluation = _review_target(evaluation, user, expected_version, {Status.SUBMITTED})
    comment = _normalise_text(comment)
    return _review_step(evaluation, user, Status.APPROVED, ReviewActionKind.APPROVE, "审核通过", comment)


@transaction.atomic
def reopen_evaluation(
    evaluation: Evaluation, user, reason: str, expected_version: int | None = None
) -> Evaluation:
    """Unlock an approved (or published) self-evaluation for correction; the reason is required and
    shown to the unit. The plan (weights, budget A) stays fixed: see the module docstring."""
    reason = _required_text(reason, "reason", "重新开放必须填写理由。")
    evaluation = _review_target(evaluation, user, expected_version, set(LOCKED_STATUSES))
    with acting_as(user):
        from_status = evaluation.status
        evaluation.review_comment = reason
        evaluation.reopened_at = timezone.now()
        _change_status(evaluation, Status.RETURNED, f"重新开放：{reason}", ["review_comment", "reopened_at"])
        _record(evaluation, user, ReviewActionKind.REOPEN, from_status, reason)
    return evaluation


# --- what a reviewer should look at ------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFlag:
    """One thing on an indicator or an evaluation a reviewer should check."""

    code: str
    label: str
    level: str = "warn"  # "danger" | "warn" | "info"


def _ratio(indicator: Indicator) -> Decimal | None:
    if indicator.target_kind != Kind.QUANTITATIVE or indicator.actual_kind != Kind.QUANTITATIVE:
        return None
    if Flag.UNIT_MISMATCH in (indicator.flags or []):
        return None
    a, b = indicator.target_value, indicator.actual_value
    if a is None or b is None or a <= 0:
        return None
    if indicator.direction == "le":
        return a / b if b > 0 else None
    return b / a


def indicator_review_flags(indicator: Indicator, scheme: Scheme) -> list[ReviewFlag]:
    """Flags of one indicator for the review page: full marks the values do not support, overshoot
    without explanation, unreadable values, and the engine's own flags worth a look."""
    flags = set(indicator.flags or [])
    out: list[ReviewFlag] = []
    if indicator.not_applicable:
        return out
    weight, score, reported = indicator.weight, indicator.score, indicator.reported_score
    if (
        reported is not None
        and weight is not None
        and reported >= weight > 0
        and (score is None or score < weight)
    ):
        computed = "无法计算" if score is None else f"按填报数值计算得 {_score(score)}"
        out.append(ReviewFlag("full_marks_unsupported", f"满分依据不足：自报满分，{computed}", "danger"))
    elif reported is not None and score is not None and reported != score:
        out.append(
            ReviewFlag(
                "reported_differs", f"自报得分 {_score(reported)} 与计算得分 {_score(score)} 不符", "danger"
            )
        )
    threshold = scheme.overshoot_threshold if scheme.overshoot_threshold is not None else DEFAULT_OVERSHOOT
    ratio = _ratio(indicator)
    if ratio is not None and ratio >= 1 + threshold and not indicator.deviation_note.strip():
        over = ((ratio - 1) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        out.append(ReviewFlag("overshoot_unexplained", f"超出目标 {over}% 未说明（目标是否偏低）", "warn"))
    out.extend(ReviewFlag(*shown) for flag, shown in _ENGINE_FLAGS_FOR_REVIEW if flag in flags)
    return out


#: the engine's flags a reviewer is shown, in this order: (flag, (review code, text, level))
_ENGINE_FLAGS_FOR_REVIEW = [
    (Flag.TARGET_UNREADABLE, ("unreadable", "目标值无法识别", "danger")),
    (Flag.ACTUAL_UNREADABLE, ("unreadable", "实际值无法识别", "danger")),
    (Flag.UNIT_MISMATCH, ("unreadable", "实际值与目标单位不一致", "danger")),
    (Flag.ACTUAL_MISSING, ("missing", "未填实际值", "danger")),
    (Flag.NO_WEIGHT, ("missing", "未设分值", "danger")),
    (Flag.BAND_REQUIRED, ("missing", "未评定档次", "danger")),
    (Flag.DEVIATION_NOTE_REQUIRED, ("deviation_missing", "得分低于分值，未说明偏差原因", "warn")),
    (Flag.BAND_SCORE_OUT_OF_RANGE, ("band_out_of_range", "档次内得分超出档次范围", "warn")),
    (Flag.DEADLINE_LATE, ("late", "逾期完成", "warn")),
    (Flag.DIRECTION_SUGGESTED, ("direction_suggested", "指标方向为推测", "info")),
]


#: evaluation warnings that mean "the weights do not add up"
WEIGHT_WARNINGS = {"weight_total_mismatch", "level1_weight_mismatch", "level1_capped"}


def _weight_order(message: str) -> int:
    # the cause (a header that disagrees with its rows) before its consequences
    return 0 if "与表头" in message else 1 if "分值合计" in message else 2


def evaluation_review_flags(evaluation: Evaluation) -> list[ReviewFlag]:
    """Flags of the whole evaluation: weights that do not add up, execution above budget, and totals
    that differ from what the unit reported (at submission) or, for imported forms, printed."""
    out = []
    weight_messages = [
        w.get("message", "") for w in evaluation.warnings or [] if w.get("code") in WEIGHT_WARNINGS
    ]
    if weight_messages:
        # one problem (the weights), however many ways the engine reports it
        out.append(
            ReviewFlag(
                "weights", "分值不符：" + "；".join(sorted(weight_messages, key=_weight_order)), "danger"
            )
        )
    for warning in evaluation.warnings or []:
        if warning.get("code") == "execution_over_budget":
            out.append(ReviewFlag("execution", warning.get("message", ""), "warn"))
    computed = evaluation.total_score
    if computed is None:
        return out
    if evaluation.submitted_total is not None:
        if evaluation.submitted_total != computed:
            out.append(
                ReviewFlag(
                    "total_differs",
                    f"提交时总分 {_score(evaluation.submitted_total)} 与现在计算的总分 {_score(computed)} 不符",
                    "danger",
                )
            )
        if evaluation.printed_total is not None and evaluation.printed_total != computed:
            # re-entered after publication: worth knowing, not an error of the unit
            out.append(
                ReviewFlag(
                    "published_differs",
                    f"原公开表中总分 {_score(evaluation.printed_total)}，重新填报后为 {_score(computed)}",
                    "info",
                )
            )
        return out
    printed_execution, execution = evaluation.printed_execution_score, evaluation.execution_score
    if printed_execution is not None and execution is not None and printed_execution != execution:
        out.append(
            ReviewFlag(
                "execution_differs",
                f"表中预算执行得分 {_score(printed_execution)} 与计算 {_score(execution)} 不符",
                "danger",
            )
        )
    if evaluation.printed_total is not None and evaluation.printed_total != computed:
        out.append(
            ReviewFlag(
                "total_differs",
                f"表中总分 {_score(evaluation.printed_total)} 与计算总分 {_score(computed)} 不符",
                "danger",
            )
        )
    return out


#: the flag groups a review queue shows at a glance, in order
SUMMARY_GROUPS = [
    ("full_marks_unsupported", "满分存疑"),
    ("reported_differs", "得分不符"),
    ("overshoot_unexplained", "超额未说明"),
    ("unreadable", "数值无法识别"),
    ("missing", "缺项"),
    ("deviation_missing", "偏差未说明"),
]


def review_summary(
    evaluation: Evaluation, indicators: Iterable[Indicator], scheme: Scheme
) -> list[tuple[str, int, str]]:
    """(label, count, level) of each flag group present, for one line in the review queue."""
    counts: dict[str, int] = {}
    levels: dict[str, str] = {}
    for indicator in indicators:
        for flag in indicator_review_flags(indicator, scheme):
            counts[flag.code] = counts.get(flag.code, 0) + 1
            levels[flag.code] = flag.level
    summary = [(label, counts[code], levels[code]) for code, label in SUMMARY_GROUPS if counts.get(code)]
    if any(flag.code == "weights" for flag in evaluation_review_flags(evaluation)):
        summary.insert(0, ("分值不符", 1, "danger"))
    return summary


# --- the target stage: building the indicator tree ---------------------------------------------------
#
# Decisions the brief left open:
#
# * The tree is edited only while the evaluation is a draft (目标草稿): once the targets are submitted or
#   approved it is locked for the unit (a supervisor returns the targets to reopen it).
# * 指标性质 is one choice for the user: "按指标值识别" (nothing stored), ≥ / ≤ / = / ≈ (stored as
#   ``direction_override``, the user's confirmation) or 定性 (stored as ``nature_printed = "定性"``, the
#   engine's own way of saying "qualitative whatever the text"). A printed column value is kept until the
#   user picks something else.
# * The level-2 category decides the level 1 (the vocabulary's parent); categories come from the
#   generation of the project's year, unless the tree already uses the other generation's codes (seed 000
#   prints the 2019 layout in 2021: the printed table wins, as in ``vocabulary.generation_for_year``).
# * Moving swaps an indicator with its neighbour in the same level-2 category (the only order visible in
#   the printed form); it changes no value, so it checks no version, but the order is part of what a
#   submitter sees: it bumps the evaluation's version like every other change to the tree.
# * Submission needs, besides the weights: every target readable (or marked 定性) and every direction the
#   engine only guessed (from the name, or "bare number → ≥") confirmed by the user — the domain's
#   "a suggestion the user confirms, never a silent guess".

#: target fields a unit user may change, with their Chinese names
TARGET_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target_text": "年度指标值（A）",
    "nature_printed": "指标性质",
    "unit_printed": "度量单位",
    "direction_override": "指标方向（人工确认）",
    "weight": "分值",
    "not_applicable": "不适用",
}
#: the user's 指标性质 choice → (nature_printed, direction_override); "" = read from the text
NATURE_CHOICES = {
    "": ("", ""),
    "ge": (None, "ge"),
    "le": (None, "le"),
    "eq": (None, "eq"),
    "approx": (None, "approx"),
    "qualitative": ("定性", ""),
}
QUALITATIVE_NATURE = "定性"
#: where the engine's direction is only a guess
SUGGESTED_SOURCES = {"name", "default"}
TARGET_STAGE = {Status.DRAFT, Status.TARGETS_SUBMITTED}

_TARGET_LOCKED_MESSAGES = {
    Status.TARGETS_SUBMITTED: "绩效目标已提交，正在批复，指标体系已锁定。如需修改，请联系主管部门退回。",
    Status.TARGETS_APPROVED: "绩效目标已批复，指标体系已锁定。",
}


class TargetsIncomplete(Incomplete):
    """Target submission refused: every missing item at once, nothing submitted."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.message = f"尚有 {len(problems)} 项未完成，绩效目标未提交"
        self.args = (self.message,)


def project_generation(project: Project, indicators: Iterable[Indicator] = ()) -> str:
    """The vocabulary generation ("2019" / "2021") the project's tree is built in."""
    from .engine import vocabulary

    generation = vocabulary.generation_for_year(project.year)
    other = "2019" if generation == "2021" else "2021"
    own = set(vocabulary.GENERATIONS[generation])
    for indicator in indicators:
        if indicator.level2 not in own and indicator.level2 in vocabulary.GENERATIONS[other]:
            return other
    return generation


def nature_choice(indicator: Indicator) -> str:
    """The user's 指标性质 choice that describes the stored fields (for the form's initial value)."""
    if indicator.direction_override:
        return indicator.direction_override
    if (indicator.nature_printed or "").strip() == QUALITATIVE_NATURE:
        return "qualitative"
    return ""


def direction_suggested(indicator: Indicator) -> bool:
    """The engine read a number but only guessed its direction, and the user has not confirmed it."""
    return (
        not indicator.direction_override
        and indicator.target_kind == Kind.QUANTITATIVE
        and indicator.direction_source in SUGGESTED_SOURCES
    )


def target_unreadable(indicator: Indicator) -> bool:
    """The target text says nothing the engine can use, and the user has not marked it qualitative."""
    return (
        indicator.target_kind in (Kind.UNREADABLE, Kind.EMPTY) and nature_choice(indicator) != "qualitative"
    )


@dataclass(frozen=True)
class TargetCapabilities:
    """What the current user may do with the targets of one project-year."""

    can_edit: bool
    can_review: bool


def target_capabilities(
    user, project: Project, evaluation: Evaluation, caps: Capabilities | None = None
) -> TargetCapabilities:
    unit_user = caps.is_unit_user if caps else may_enter(user, project)
    reviewer = caps.is_reviewer if caps else may_review(user, project)
    return TargetCapabilities(
        can_edit=unit_user and evaluation.status == Status.DRAFT,
        can_review=reviewer and evaluation.status == Status.TARGETS_SUBMITTED,
    )


def _require_targets_editable(evaluation: Evaluation) -> None:
    if evaluation.status != Status.DRAFT:
        raise WorkflowError(
            _TARGET_LOCKED_MESSAGES.get(evaluation.status, "绩效目标已批复，指标体系已锁定，不能修改。")
        )


def _target_changes(indicator: Indicator, data: dict) -> dict:
    """The stored fields that change, from what the form sent (``nature`` is the 指标性质 choice)."""
    from .engine import vocabulary

    wanted: dict = {}
    for name in ("name", "target_text", "unit_printed"):
        if name in data:
            wanted[name] = _normalise_text(data[name])
    if "level2" in data:
        wanted["level2"] = data["level2"] or ""
        wanted["level1"] = vocabulary.level1_of(wanted["level2"]) or data.get("level1") or ""
    if "weight" in data:
        wanted["weight"] = data["weight"]
    if "not_applicable" in data and data["not_applicable"] is not None:
        wanted["not_applicable"] = bool(data["not_applicable"])
    if "nature" in data and data["nature"] in NATURE_CHOICES:
        nature, override = NATURE_CHOICES[data["nature"]]
        if nature is None:  # a direction: keep a printed column unless it said 定性
            nature = (
                ""
                if (indicator.nature_printed or "").strip() == QUALITATIVE_NATURE
                else indicator.nature_printed
            )
        wanted["nature_printed"] = nature
        wanted["direction_override"] = override
    return {name: value for name, value in wanted.items() if getattr(indicator, name) != value}


def validate_target(
    indicator: Indicator,
    changes: dict,
    evaluation: Evaluation,
    siblings: list[Indicator],
    generation: str,
    *,
    level1_sent: str | None = None,
) -> dict[str, list[str]]:
    """The rules on an indicator's tree position, name, target and weight (form field → messages)."""
    from .engine import vocabulary

    errors: dict[str, list[str]] = {}
    new = {name: changes.get(name, getattr(indicator, name)) for name in TARGET_FIELDS}
    if "name" in changes or indicator.pk is None:
        if not new["name"]:
            errors["name"] = ["请填写三级指标名称。"]
        elif len(new["name"]) > 300:
            errors["name"] = ["指标名称最多 300 字。"]
    if "target_text" in changes or indicator.pk is None:
        if not new["target_text"]:
            errors["target_text"] = ["请填写年度指标值，如 ≥95%、400 万人以上，或文字（如“显著提高”）。"]
    if "level2" in changes or indicator.pk is None:
        allowed = set(vocabulary.GENERATIONS[generation])
        if not new["level2"] or (new["level2"] not in allowed and new["level2"] != indicator.level2):
            errors["level2"] = ["请选择二级指标。"]
        elif level1_sent and vocabulary.level1_of(new["level2"]) != level1_sent:
            errors["level2"] = [
                f"“{vocabulary.level2_name(new['level2'])}”不属于“{vocabulary.level1_name(level1_sent)}”，请重新选择。"
            ]
    if "weight" in changes or (indicator.pk is None and new["weight"] is not None):
        probe = Indicator(
            pk=indicator.pk, level1=new["level1"], level2=new["level2"], weight=indicator.weight
        )
        weight_errors = _weight_errors(probe, new["weight"], evaluation, engine_scheme(evaluation), siblings)
        if weight_errors:
            errors["weight"] = weight_errors
    return errors


def _siblings(project: Project) -> list[Indicator]:
    return list(
        Indicator.objects.filter(project=project).only(
            "pk", "weight", "level1", "level2", "not_applicable", "order"
        )
    )


@transaction.atomic
def add_indicator(project: Project, user, data: dict) -> SaveOutcome:
    """Add an indicator to a draft tree (at the end of its level-2 category), and rescore."""
    project = _fresh_project(project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_targets_editable(evaluation)
    siblings = _siblings(project)
    generation = project_generation(project, siblings)
    new = Indicator(project=project, name="", target_text="", level1="", level2="")
    changes = _target_changes(new, {**data, "level2": data.get("level2") or ""})
    changes.setdefault("name", "")
    changes.setdefault("target_text", "")
    errors = validate_target(
        new, changes, evaluation, siblings, generation, level1_sent=data.get("level1") or None
    )
    if errors:
        raise InvalidData(errors)
    with acting_as(user):
        for name, value in changes.items():
            setattr(new, name, value)
        new.order = max((s.order for s in siblings), default=0) + 1
        new._change_reason = "新增指标"
        new.save()
        bump_evaluation(evaluation, f"新增指标“{new.name}”")
        result = services.recompute(project)
    new.refresh_from_db()
    return SaveOutcome(changed=list(changes), result=result, indicator=new)


def _locked_indicator(
    indicator: Indicator, project: Project, expected_version: int | None, what: str = ""
) -> Indicator:
    current = Indicator.objects.select_for_update().filter(pk=indicator.pk, project=project).first()
    if current is None:
        raise WorkflowError("该指标已被删除，页面已刷新。")
    if expected_version is not None and current.version != expected_version:
        by, at = _last_change(current.history)
        raise VersionConflict(
            _conflict_message(f"指标“{current.name}”{what}", by, at), changed_by=by, changed_at=at
        )
    return current


@transaction.atomic
def update_indicator_target(indicator: Indicator, user, data: dict, expected_version: int) -> SaveOutcome:
    """Change an indicator of a draft tree: category, name, target, 指标性质, unit, weight, applicability.

    ``data`` holds cleaned form values (``nature`` is the 指标性质 choice, see ``NATURE_CHOICES``); keys
    absent are left alone. Raises NotPermitted, WorkflowError (status), VersionConflict or InvalidData.
    """
    project = _fresh_project(indicator.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_targets_editable(evaluation)
    current = _locked_indicator(indicator, project, None)
    changes = _target_changes(current, data)
    if not changes:
        return SaveOutcome(indicator=current)
    if current.version != expected_version:
        by, at = _last_change(current.history)
        raise VersionConflict(
            _conflict_message(f"指标“{current.name}”", by, at), changed_by=by, changed_at=at
        )
    siblings = _siblings(project)
    generation = project_generation(project, siblings)
    errors = validate_target(
        current, changes, evaluation, siblings, generation, level1_sent=data.get("level1") or None
    )
    if errors:
        raise InvalidData(errors)
    with acting_as(user):
        for name, value in changes.items():
            setattr(current, name, value)
        current.version += 1
        current.save(update_fields=[*changes, "version"])
        bump_evaluation(evaluation, f"修改指标“{current.name}”：{_fields_text(changes, TARGET_FIELDS)}")
        result = services.recompute(project)
    current.refresh_from_db()
    return SaveOutcome(changed=list(changes), result=result, indicator=current)


@transaction.atomic
def delete_indicator(indicator: Indicator, user, expected_version: int) -> SaveOutcome:
    """Remove an indicator from a draft tree (the history keeps it), and rescore."""
    project = _fresh_project(indicator.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_targets_editable(evaluation)
    current = _locked_indicator(indicator, project, expected_version, "（删除前）")
    with acting_as(user):
        current._change_reason = "删除指标"
        current.delete()
        bump_evaluation(evaluation, f"删除指标“{current.name}”")
        result = services.recompute(project)
    return SaveOutcome(changed=["deleted"], result=result, indicator=current)


@transaction.atomic
def move_indicator(indicator: Indicator, user, direction: str) -> SaveOutcome:
    """Swap an indicator with its neighbour above (``"up"``) or below (``"down"``) in its category."""
    project = _fresh_project(indicator.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_targets_editable(evaluation)
    current = _locked_indicator(indicator, project, None)
    group = list(
        Indicator.objects.select_for_update()
        .filter(project=project, level1=current.level1, level2=current.level2)
        .order_by("order")
    )
    position = next(i for i, ind in enumerate(group) if ind.pk == current.pk)
    other_position = position - 1 if direction == "up" else position + 1
    if direction not in ("up", "down") or not 0 <= other_position < len(group):
        return SaveOutcome(indicator=current)
    other = group[other_position]
    mine, theirs = current.order, other.order
    with acting_as(user):
        # the unique (project, order) constraint: park one row on a free number first (no history row)
        parking = (
            Indicator.objects.filter(project=project)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
            or 0
        ) + 1
        Indicator.objects.filter(pk=current.pk).update(order=parking)
        other.order = mine
        other._change_reason = "调整顺序"
        other.save(update_fields=["order"])
        current.order = theirs
        current._change_reason = "调整顺序"
        current.save(update_fields=["order"])
        bump_evaluation(evaluation, f"调整指标“{current.name}”的顺序")
        services.recompute(project)
    return SaveOutcome(changed=["order"], indicator=current)


@transaction.atomic
def save_level1_weights(
    evaluation: Evaluation, user, weights: dict[str, Decimal | None], expected_version: int
) -> SaveOutcome:
    """Save the declared weight of each level-1 category (the form's header "产出指标（50 分）")."""
    from .engine import vocabulary

    project = _fresh_project(evaluation.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_targets_editable(evaluation)
    declared = dict(evaluation.declared_level1_weights or {})
    new = dict(declared)
    errors: dict[str, list[str]] = {}
    for code, value in weights.items():
        if code not in vocabulary.LEVEL1:
            continue
        if value is None:
            new.pop(code, None)
        elif value < 0:
            errors[f"w_{code}"] = ["分值不能为负数。"]
        else:
            new[code] = format_decimal(value)
    if new == declared and not errors:
        return SaveOutcome()
    _check_evaluation_version(evaluation, expected_version, "一级指标分值")
    scheme = engine_scheme(evaluation)
    total = scheme.execution_weight + sum((Decimal(str(v)) for v in new.values()), Decimal(0))
    if not errors and total > scheme.total:
        room = scheme.total - scheme.execution_weight
        errors["__all__"] = [
            f"一级指标分值合计 {_fmt(total - scheme.execution_weight)} 分，加预算执行 {_fmt(scheme.execution_weight)} 分为 "
            f"{_fmt(total)} 分，超过总分 {_fmt(scheme.total)} 分；一级指标合计最多 {_fmt(room)} 分。"
        ]
    if errors:
        raise InvalidData(errors)
    with acting_as(user):
        evaluation.declared_level1_weights = new
        bump_evaluation(evaluation, "修改一级指标分值", ["declared_level1_weights"])
        result = services.recompute(project)
    return SaveOutcome(
        changed=sorted(k for k in set(new) | set(declared) if new.get(k) != declared.get(k)), result=result
    )


def target_problems(project: Project, evaluation: Evaluation, indicators: list[Indicator]) -> list[Problem]:
    """Everything a target submission still lacks, in page order (uses the stored readings)."""
    from .engine import vocabulary

    problems: list[Problem] = []
    active = [i for i in indicators if not i.not_applicable]
    if not active:
        problems.append(Problem("targets-add", "绩效指标：尚未添加任何适用的指标"))
    weights_complete = True
    for indicator in active:
        issues = []
        if indicator.weight is None:
            issues.append("未设分值")
            weights_complete = False
        if target_unreadable(indicator):
            issues.append("指标值无法识别：请改写为数字和单位，或将指标性质选为“定性”")
        elif direction_suggested(indicator):
            issues.append("指标方向为系统推测，请确认正向或反向")
        if issues:
            problems.append(
                Problem(
                    f"tgt-{indicator.pk}",
                    f"{indicator.get_level2_display()}“{indicator.name}”：{'；'.join(issues)}",
                )
            )
    scheme = engine_scheme(evaluation)
    weight_sum = scheme.execution_weight + sum((i.weight or Decimal(0) for i in active), Decimal(0))
    if active and weights_complete and weight_sum != scheme.total:
        problems.append(
            Problem(
                "level1-weights",
                f"分值合计 {_fmt(weight_sum)} 分（含预算执行 {_fmt(scheme.execution_weight)} 分），应为总分 {_fmt(scheme.total)} 分",
            )
        )
    for code, declared in (evaluation.declared_level1_weights or {}).items():
        if declared in (None, ""):
            continue
        rows = sum((i.weight or Decimal(0) for i in active if i.level1 == code), Decimal(0))
        if rows != Decimal(str(declared)):
            problems.append(
                Problem(
                    "level1-weights",
                    f"{vocabulary.level1_name(code)}：表头 {_fmt(Decimal(str(declared)))} 分，各项分值合计 {_fmt(rows)} 分，不一致",
                )
            )
    return problems


@transaction.atomic
def submit_targets(evaluation: Evaluation, user, expected_version: int | None = None) -> Evaluation:
    """Submit the draft targets to the department, or raise :class:`TargetsIncomplete` listing everything.

    ``expected_version`` as for :func:`submit_evaluation`: a stale page gets :class:`VersionConflict`.
    """
    project = _fresh_project(evaluation.project)
    _require_enter(user, project)
    evaluation = _lock_evaluation(project)
    _require_targets_editable(evaluation)
    _check_evaluation_version(evaluation, expected_version, "本项目的绩效目标", **_SUBMIT_TARGETS_CONFLICT)
    with acting_as(user):
        services.recompute(project)
        evaluation.refresh_from_db()
        problems = target_problems(project, evaluation, list(project.indicators.order_by("order")))
        if problems:
            raise TargetsIncomplete(problems)
        from_status = evaluation.status
        evaluation.submitted_at = timezone.now()
        _change_status(evaluation, Status.TARGETS_SUBMITTED, "提交绩效目标", ["submitted_at"])
        _record(evaluation, user, ReviewActionKind.SUBMIT_TARGETS, from_status)
    return evaluation


@transaction.atomic
def approve_targets(
    evaluation: Evaluation, user, comment: str = "", expected_version: int | None = None
) -> Evaluation:
    """Approve submitted targets: the tree is locked and the unit may enter results."""
    evaluation = _review_target(evaluation, user, expected_version, {Status.TARGETS_SUBMITTED})
    comment = _normalise_text(comment)
    return _review_step(
        evaluation, user, Status.TARGETS_APPROVED, ReviewActionKind.APPROVE_TARGETS, "批复绩效目标", comment
    )


@transaction.atomic
def return_targets(
    evaluation: Evaluation, user, comment: str, expected_version: int | None = None
) -> Evaluation:
    """Send submitted targets back to the unit's draft, with a comment it reads on its project page."""
    comment = _required_text(comment, "comment", "退回时必须填写意见，说明需要修改的指标。")
    evaluation = _review_target(evaluation, user, expected_version, {Status.TARGETS_SUBMITTED})
    return _review_step(
        evaluation, user, Status.DRAFT, ReviewActionKind.RETURN_TARGETS, f"退回绩效目标：{comment}", comment
    )


# --- what a reviewer of targets should look at -------------------------------------------------------


def target_review_flags(indicator: Indicator) -> list[ReviewFlag]:
    """Flags of one indicator of a target tree: unreadable target, guessed direction, missing weight."""
    if indicator.not_applicable:
        return [ReviewFlag("not_applicable", "不适用", "info")]
    out = []
    if target_unreadable(indicator):
        out.append(ReviewFlag("unreadable", "目标值无法识别", "danger"))
    if direction_suggested(indicator):
        out.append(ReviewFlag("direction_suggested", "方向为推测，未确认", "warn"))
    if indicator.weight is None:
        out.append(ReviewFlag("missing", "未设分值", "danger"))
    return out


def target_weight_flags(
    project: Project, evaluation: Evaluation, indicators: list[Indicator]
) -> list[ReviewFlag]:
    """Weights that do not add up (to the scheme total, or to a declared level-1 header)."""
    return [
        ReviewFlag("weights", "分值不符：" + problem.text, "danger")
        for problem in target_problems(project, evaluation, indicators)
        if problem.anchor == "level1-weights"
    ]


_TARGET_SUMMARY = [
    ("unreadable", "目标无法识别"),
    ("direction_suggested", "方向未确认"),
    ("missing", "未设分值"),
]


def target_review_summary(
    project: Project, evaluation: Evaluation, indicators: list[Indicator]
) -> list[tuple[str, int, str]]:
    """(label, count, level) of each target flag group present, for one line in the review queue."""
    counts: dict[str, int] = {}
    levels: dict[str, str] = {}
    for indicator in indicators:
        for flag in target_review_flags(indicator):
            counts[flag.code] = counts.get(flag.code, 0) + 1
            levels[flag.code] = flag.level
    summary = [(label, counts[code], levels[code]) for code, label in _TARGET_SUMMARY if counts.get(code)]
    if target_weight_flags(project, evaluation, indicators):
        summary.insert(0, ("分值不符", 1, "danger"))
    return summary
