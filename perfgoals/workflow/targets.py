"""The target stage: building the indicator tree of a draft, its level-1 weights, and submitting it.

Decisions the brief left open:

* The tree is edited only while the evaluation is a draft (目标草稿): once the targets are submitted or
  approved it is locked for the unit (a supervisor returns the targets to reopen it).
* 指标性质 is one choice for the user: "按指标值识别" (nothing stored), ≥ / ≤ / = / ≈ (stored as
  ``direction_override``, the user's confirmation) or 定性 (stored as ``nature_printed = "定性"``, the
  engine's own way of saying "qualitative whatever the text"). A printed column value is kept until the
  user picks something else.
* The level-2 category decides the level 1 (the vocabulary's parent); categories come from the
  generation of the project's year, unless the tree already uses the other generation's codes (seed 000
  prints the 2019 layout in 2021: the printed table wins, as in ``vocabulary.generation_for_year``).
* Moving swaps an indicator with its neighbour in the same level-2 category (the only order visible in
  the printed form); it changes no value, so it checks no version, but the order is part of what a
  submitter sees: it bumps the evaluation's version like every other change to the tree.
* Submission needs, besides the weights: every target readable (or marked 定性) and every direction the
  engine only guessed (from the name, or "bare number → ≥") confirmed by the user — the domain's
  "a suggestion the user confirms, never a silent guess".
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from projects.models import Project

from .. import scoring
from ..choices import Status, ValueBasis
from ..engine import Kind, vocabulary
from ..engine.values import format_decimal
from ..models import STANDARD_101_FIELDS, STANDARD_101_LENGTHS, Evaluation, Indicator, ReviewActionKind
from ..weights import WeightRow, weight_sums
from .access import fresh_project, require_enter, require_targets_editable
from .entry import engine_scheme, reading_errors, weight_errors
from .errors import InvalidData, Problem, TargetsIncomplete, VersionConflict, WorkflowError
from .review import move
from .target_checks import LastYear, TargetCheck, check_targets
from .text import fields_text, fmt, normalise_text
from .versions import (
    SaveOutcome,
    acting_as,
    bump_evaluation,
    check_evaluation_version,
    conflict_message,
    last_change,
    lock_evaluation,
)

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
    "explanation": "指标解释",
    "scoring_standard": "评(扣)分标准",
    "data_source": "数据来源/佐证",
    "basis": "取值依据",
    "library_key": "指标库条目",
}

#: the fields of 财预〔2021〕101号 (and the library link): saved like the others, but nothing the engine
#: reads, so a change of these alone does not rescore
DESCRIPTIVE_FIELDS = frozenset({*STANDARD_101_FIELDS, "library_key"})


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
SUGGESTED_SOURCES = Indicator.GUESSED_SOURCES


TARGET_STAGE = {Status.DRAFT, Status.TARGETS_SUBMITTED, Status.TARGETS_FINANCE}


def project_generation(project: Project, indicators: Iterable[Indicator] = ()) -> str:
    """The vocabulary generation ("2019" / "2021") the project's tree is built in."""
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
    return indicator.direction_guessed


def target_unreadable(indicator: Indicator) -> bool:
    """The target text says nothing the engine can use, and the user has not marked it qualitative."""
    return (
        indicator.target_kind in (Kind.UNREADABLE, Kind.EMPTY) and nature_choice(indicator) != "qualitative"
    )


def _target_changes(indicator: Indicator, data: dict) -> dict:
    """The stored fields that change, from what the form sent (``nature`` is the 指标性质 choice)."""
    wanted: dict = {}
    for name in ("name", "target_text", "unit_printed"):
        if name in data:
            wanted[name] = normalise_text(data[name])
    if "level2" in data:
        wanted["level2"] = data["level2"] or ""
        wanted["level1"] = vocabulary.level1_of(wanted["level2"]) or data.get("level1") or ""
    if "weight" in data:
        wanted["weight"] = data["weight"]
    for name in ("explanation", "scoring_standard", "data_source", "library_key"):
        if name in data and data[name] is not None:
            wanted[name] = normalise_text(data[name])
    if "basis" in data and data["basis"] is not None:
        wanted["basis"] = data["basis"] or ""
    if "not_applicable" in data and data["not_applicable"] is not None:
        wanted["not_applicable"] = bool(data["not_applicable"])
    # the choice the form showed (nature_choice) sent back unchanged is no change: "按指标值识别" shown
    # for a printed ≤ column must not clear it (#12: an unchanged save flipped ≤15分钟 to ≥)
    if "nature" in data and data["nature"] in NATURE_CHOICES and data["nature"] != nature_choice(indicator):
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
    for name, limit in STANDARD_101_LENGTHS.items():
        if name in changes and len(new[name]) > limit:
            errors[name] = [f"{TARGET_FIELDS[name]}最多 {limit} 字（现 {len(new[name])} 字）。"]
    if "basis" in changes and new["basis"] not in ("", *ValueBasis.values):
        errors["basis"] = ["取值依据请选择：计划标准、行业标准、历史标准或其他。"]
    if "library_key" in changes and len(new["library_key"]) > 300:
        errors["library_key"] = ["指标库条目无效。"]
    reread = {"target_text", "unit_printed", "nature_printed", "direction_override"}
    if new["target_text"] and reread & set(changes) and not {"target_text", "unit_printed"} & set(errors):
        # a number the column cannot hold (19 digits, 10^15 万人) is refused here, not by the database
        for field, messages in reading_errors(
            indicator, changes, engine_scheme(evaluation), TARGET_FIELDS
        ).items():
            if field in ("target_text", "unit_printed"):
                errors.setdefault(field, []).extend(messages)
    if "weight" in changes or (indicator.pk is None and new["weight"] is not None):
        probe = Indicator(
            pk=indicator.pk, level1=new["level1"], level2=new["level2"], weight=indicator.weight
        )
        refusals = weight_errors(probe, new["weight"], evaluation, engine_scheme(evaluation), siblings)
        if refusals:
            errors["weight"] = refusals
    return errors


def _siblings(project: Project) -> list[Indicator]:
    """The project-year's indicators with what the weight checks and the ordering read."""
    return list(
        Indicator.objects.filter(project=project).only(
            "pk", "weight", "level1", "level2", "not_applicable", "order"
        )
    )


@transaction.atomic
def add_indicator(project: Project, user, data: dict) -> SaveOutcome:
    """Add an indicator to a draft tree (at the end of its level-2 category), and rescore."""
    project = fresh_project(project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_targets_editable(evaluation)
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
        result = scoring.recompute(project)
    new.refresh_from_db()
    return SaveOutcome(changed=list(changes), result=result, indicator=new)


def _locked_indicator(
    indicator: Indicator, project: Project, expected_version: int | None, what: str = ""
) -> Indicator:
    """The indicator locked for the transaction, checked against the version the page had
    (``None``: no check); ``what`` qualifies it in a conflict message."""
    current = Indicator.objects.select_for_update().filter(pk=indicator.pk, project=project).first()
    if current is None:
        raise WorkflowError("该指标已被删除，页面已刷新。")
    if expected_version is not None and current.version != expected_version:
        by, at = last_change(current.history)
        raise VersionConflict(
            conflict_message(f"指标“{current.name}”{what}", by, at), changed_by=by, changed_at=at
        )
    return current


@transaction.atomic
def update_indicator_target(indicator: Indicator, user, data: dict, expected_version: int) -> SaveOutcome:
    """Change an indicator of a draft tree: category, name, target, 指标性质, unit, weight, applicability.

    ``data`` holds cleaned form values (``nature`` is the 指标性质 choice, see ``NATURE_CHOICES``); keys
    absent are left alone. Raises NotPermitted, WorkflowError (status), VersionConflict or InvalidData.
    """
    project = fresh_project(indicator.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_targets_editable(evaluation)
    current = _locked_indicator(indicator, project, None)
    changes = _target_changes(current, data)
    if not changes:
        return SaveOutcome(indicator=current)
    if current.version != expected_version:
        by, at = last_change(current.history)
        raise VersionConflict(conflict_message(f"指标“{current.name}”", by, at), changed_by=by, changed_at=at)
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
        current._change_reason = f"修改指标：{fields_text(changes, TARGET_FIELDS)}"
        current.save(update_fields=[*changes, "version"])
        bump_evaluation(evaluation, f"修改指标“{current.name}”：{fields_text(changes, TARGET_FIELDS)}")
        # 101号 fields alone change no score: no rescoring (the page reloads the stored results)
        result = None if set(changes) <= DESCRIPTIVE_FIELDS else scoring.recompute(project)
    current.refresh_from_db()
    return SaveOutcome(changed=list(changes), result=result, indicator=current)


@transaction.atomic
def delete_indicator(indicator: Indicator, user, expected_version: int) -> SaveOutcome:
    """Remove an indicator from a draft tree (the history keeps it), and rescore."""
    project = fresh_project(indicator.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_targets_editable(evaluation)
    current = _locked_indicator(indicator, project, expected_version, "（删除前）")
    with acting_as(user):
        current._change_reason = "删除指标"
        current.delete()
        bump_evaluation(evaluation, f"删除指标“{current.name}”")
        result = scoring.recompute(project)
    return SaveOutcome(changed=["deleted"], result=result, indicator=current)


@transaction.atomic
def move_indicator(indicator: Indicator, user, direction: str) -> SaveOutcome:
    """Swap an indicator with its neighbour above (``"up"``) or below (``"down"``) in its category."""
    project = fresh_project(indicator.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_targets_editable(evaluation)
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
        scoring.recompute(project)
    return SaveOutcome(changed=["order"], indicator=current)


@transaction.atomic
def save_level1_weights(
    evaluation: Evaluation, user, weights: dict[str, Decimal | None], expected_version: int
) -> SaveOutcome:
    """Save the declared weight of each level-1 category (the form's header "产出指标（50 分）")."""
    project = fresh_project(evaluation.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_targets_editable(evaluation)
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
    check_evaluation_version(evaluation, expected_version, "一级指标分值")
    # the headers stand for their rows: execution weight + the headers may not exceed the total
    headers = weight_sums(
        [WeightRow(Decimal(str(value)), code) for code, value in new.items()], engine_scheme(evaluation)
    )
    if not errors and any(problem.over for problem in headers.problems()):
        errors["__all__"] = [
            f"一级指标分值合计 {fmt(headers.rows)} 分，加预算执行 {fmt(headers.execution)} 分为 "
            f"{fmt(headers.sum)} 分，超过总分 {fmt(headers.total)} 分；"
            f"一级指标合计最多 {fmt(headers.total - headers.execution)} 分。"
        ]
    if errors:
        raise InvalidData(errors)
    with acting_as(user):
        evaluation.declared_level1_weights = new
        bump_evaluation(evaluation, "修改一级指标分值", ["declared_level1_weights"])
        result = scoring.recompute(project)
    return SaveOutcome(
        changed=sorted(k for k in set(new) | set(declared) if new.get(k) != declared.get(k)), result=result
    )


#: the project's fields the goal tables print, editable in the target stage, with their Chinese names
PROJECT_INFO_FIELDS = {
    "long_term_goal": "长期目标",
    "legal_basis": "立项依据",
    "start_date": "项目立项时间",
    "end_date": "项目结束时间",
    "government_procurement": "是否包含政府采购",
    "procurement_amount": "政府采购金额",
    "total_budget": "项目总预算",
}
_INFO_TEXT_MAX = 4000
_MONEY_MAX = Decimal("1e10")  # 14 digits, 4 places (projects.models.MONEY)


def _info_errors(wanted: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("long_term_goal", "legal_basis"):
        if len(wanted[name]) > _INFO_TEXT_MAX:
            errors[name] = [f"{PROJECT_INFO_FIELDS[name]}最多 {_INFO_TEXT_MAX} 字。"]
    for name in ("procurement_amount", "total_budget"):
        value = wanted[name]
        if value is None:
            continue
        if not isinstance(value, Decimal) or not value.is_finite():
            errors[name] = ["请输入金额（万元），例如 1807.5。"]
        elif value < 0:
            errors[name] = ["金额不能为负数。"]
        elif value >= _MONEY_MAX or value != value.quantize(Decimal("0.0001")):
            errors[name] = ["金额以万元为单位，最多 10 位整数、4 位小数。"]
    start, end = wanted["start_date"], wanted["end_date"]
    if start and end and start > end:
        errors["end_date"] = ["项目结束时间不能早于立项时间。"]
    if wanted["government_procurement"] is not True and wanted["procurement_amount"] is not None:
        errors["procurement_amount"] = ["只有包含政府采购的项目才填写政府采购金额。"]
    amount, total = wanted["procurement_amount"], wanted["total_budget"]
    if "procurement_amount" not in errors and "total_budget" not in errors:
        if amount is not None and total is not None and amount > total:
            errors["procurement_amount"] = ["政府采购金额不能超过项目总预算。"]
    return errors


@transaction.atomic
def update_project_info(project: Project, user, data: dict, expected_version: int | None) -> SaveOutcome:
    """Change the fields the goal tables print (长期目标, 立项依据, 项目立项时间/结束时间, 是否包含政府采购
    and its amount, 项目总预算): the unit, while the targets are a draft (new or returned). ``data``: the
    cleaned values (keys absent are left alone; dates, True/False/None, Decimal money). Raises NotPermitted,
    WorkflowError (status), VersionConflict (``expected_version``: the page's Evaluation.version) or
    InvalidData; nothing is saved then."""
    project = fresh_project(project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_targets_editable(evaluation)
    wanted = {name: getattr(project, name) for name in PROJECT_INFO_FIELDS}
    for name in PROJECT_INFO_FIELDS:
        if name in data:
            value = data[name]
            if name in ("long_term_goal", "legal_basis"):
                value = (value or "").replace("\r\n", "\n").strip()
            elif value == "":
                value = None
            wanted[name] = value
    if wanted["government_procurement"] not in (True, False, None):
        raise InvalidData({"government_procurement": ["请选择“是”或“否”。"]})
    changes = {name: value for name, value in wanted.items() if value != getattr(project, name)}
    if not changes:
        return SaveOutcome()
    if expected_version is None:
        raise VersionConflict("页面缺少版本信息，项目信息没有保存。页面已显示最新数据，请核对后再保存。")
    check_evaluation_version(evaluation, expected_version, "项目信息")
    errors = _info_errors(wanted)
    if errors:
        raise InvalidData(errors)
    with acting_as(user):
        for name, value in changes.items():
            setattr(project, name, value)
        what = "、".join(PROJECT_INFO_FIELDS[name] for name in changes)
        project._change_reason = f"修改项目信息：{what}"[:100]
        project.save(update_fields=list(changes))
        bump_evaluation(evaluation, f"修改项目信息：{what}")
    return SaveOutcome(changed=list(changes))


def run_target_checks(
    project: Project,
    evaluation: Evaluation,
    indicators: list[Indicator],
    last_year: dict[int, LastYear] | None = None,
) -> list[TargetCheck]:
    """The automatic checks of the targets (:mod:`.target_checks`), for this project-year's scheme and
    headers; ``last_year`` as :func:`.last_year.last_year_values` loads it (none: that check is skipped)."""
    return check_targets(
        project.year, indicators, engine_scheme(evaluation), evaluation.declared_level1_weights, last_year
    )


def target_problems(
    project: Project,
    evaluation: Evaluation,
    indicators: list[Indicator],
    checks: list[TargetCheck] | None = None,
) -> list[Problem]:
    """Everything a target submission still lacks, in page order (uses the stored readings): each row's
    missing weight, unreadable target or unconfirmed direction, then the blocking checks (``checks``: as
    :func:`run_target_checks` returned them, else computed here)."""
    problems: list[Problem] = []
    active = [i for i in indicators if not i.not_applicable]
    if not active:
        problems.append(Problem("targets-add", "绩效指标：尚未添加任何适用的指标"))
    for indicator in active:
        issues = []
        if indicator.weight is None:
            issues.append("未设分值")
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
    if checks is None:
        checks = run_target_checks(project, evaluation, indicators)
    problems.extend(Problem(check.anchor, check.text) for check in checks if check.blocking)
    return problems


#: the wording of a refused target submission (see check_evaluation_version)
_SUBMIT_TARGETS_CONFLICT = {"outcome": "绩效目标没有提交", "advice": "页面已显示最新数据，请核对后再提交。"}


@transaction.atomic
def submit_targets(evaluation: Evaluation, user, expected_version: int | None = None) -> Evaluation:
    """Submit the draft targets to the department, or raise :class:`TargetsIncomplete` listing everything.

    ``expected_version`` as for :func:`submit_evaluation`: a stale page gets :class:`VersionConflict`.
    """
    project = fresh_project(evaluation.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_targets_editable(evaluation)
    check_evaluation_version(evaluation, expected_version, "本项目的绩效目标", **_SUBMIT_TARGETS_CONFLICT)
    with acting_as(user):
        scoring.recompute(project)
        evaluation.refresh_from_db()
        indicators = list(project.indicators.order_by("order"))
        problems = target_problems(project, evaluation, indicators)
        if problems:
            raise TargetsIncomplete(problems)
        move(evaluation, user, ReviewActionKind.SUBMIT_TARGETS)
    return evaluation
