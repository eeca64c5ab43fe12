"""An indicator's direction (正向 / 反向): a guess is never final (#12, item 1).

The engine reads a direction from the target text ("≥95%", "≤15分钟"), from a printed 指标性质 column,
or, when neither says anything, guesses it from the name ("投诉次数" → ≤) or falls back to ≥. A guess
decides the score as much as a printed operator does, and a wrong one gives full marks to a missed
target (违规行为公示率 98 % against 100 %, guessed ≤ from "违规"). So:

* the unit confirms every guessed direction — one row at a time, or all those listed at once — before
  it submits its targets or its results (:func:`confirm_direction`, :func:`confirm_directions`); it may
  still choose the other direction while the targets are its own (a draft, or a goal table that was
  never approved in this system); once approved here the directions are part of the targets;
* a supervisor reviewing the targets or the results corrects a direction with a reason
  (:func:`correct_direction`): the project-year is rescored at once, the correction is in the review
  log and the indicator's history, and the unit reads the reason on the row (``direction_note``).
"""

from __future__ import annotations

from django.db import transaction

from projects.models import Project

from .. import scoring
from ..choices import EDITABLE_STATUSES, Nature
from ..models import Evaluation, Indicator, ReviewAction, ReviewActionKind
from .access import (
    DIRECTION_REVIEW_STATUSES,
    fresh_project,
    require_enter,
    require_review,
    targets_fixed,
    unit_may_choose_direction,
)
from .errors import InvalidData, VersionConflict, WorkflowError
from .targets import direction_suggested
from .text import normalise_text
from .versions import (
    SaveOutcome,
    acting_as,
    bump_evaluation,
    check_evaluation_version,
    conflict_message,
    last_change,
    lock_evaluation,
)

#: the directions a person may choose, with the words the messages use
DIRECTIONS = {code: label for code, label in Nature.choices}


def unconfirmed(indicators) -> list[Indicator]:
    """The applicable indicators whose direction is still the engine's guess."""
    return [i for i in indicators if not i.not_applicable and direction_suggested(i)]


def _require_unit_may_choose(evaluation: Evaluation) -> None:
    if not unit_may_choose_direction(evaluation):
        if targets_fixed(evaluation) and evaluation.status in EDITABLE_STATUSES:
            raise WorkflowError("指标方向已随绩效目标批复确定，不能修改；如有错误，请联系主管部门更正。")
        raise WorkflowError(f"项目当前状态为“{evaluation.get_status_display()}”，不能修改指标方向。")


def _direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise InvalidData({"direction": ["请选择指标方向：正向（≥）、反向（≤）、等于或约等于。"]})
    return direction


def _save_direction(indicator: Indicator, direction: str, note: str, reason: str) -> None:
    indicator.direction_override = direction
    indicator.direction_note = note
    indicator.version += 1
    indicator._change_reason = reason[:100]
    indicator.save(update_fields=["direction_override", "direction_note", "version"])


@transaction.atomic
def confirm_direction(indicator: Indicator, user, direction: str, expected_version: int) -> SaveOutcome:
    """The unit confirms (or changes) one indicator's direction; rescored at once."""
    direction = _direction(direction)
    project = fresh_project(indicator.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    _require_unit_may_choose(evaluation)
    current = Indicator.objects.select_for_update().filter(pk=indicator.pk, project=project).first()
    if current is None:
        raise WorkflowError("该指标已被删除，页面已刷新。")
    if current.direction_override == direction:
        return SaveOutcome(indicator=current)
    if current.version != expected_version:
        by, at = last_change(current.history)
        raise VersionConflict(conflict_message(f"指标“{current.name}”", by, at), changed_by=by, changed_at=at)
    with acting_as(user):
        verb = "确认" if direction == current.direction else "改为"
        _save_direction(current, direction, "", f"{verb}指标方向：{DIRECTIONS[direction]}")
        bump_evaluation(evaluation, f"指标“{current.name}”方向{verb}{DIRECTIONS[direction]}")
        result = scoring.recompute(project)
    current.refresh_from_db()
    return SaveOutcome(changed=["direction_override"], result=result, indicator=current)


@transaction.atomic
def confirm_directions(project: Project, user, expected_version: int | None) -> SaveOutcome:
    """The unit confirms every guessed direction as the system read it, in one step."""
    project = fresh_project(project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    _require_unit_may_choose(evaluation)
    check_evaluation_version(evaluation, expected_version, "本项目", outcome="指标方向没有确认")
    pending = unconfirmed(Indicator.objects.select_for_update().filter(project=project).order_by("order"))
    if not pending:
        return SaveOutcome()
    with acting_as(user):
        for indicator in pending:
            _save_direction(
                indicator,
                indicator.direction,
                "",
                f"确认系统推测的指标方向：{DIRECTIONS.get(indicator.direction, indicator.direction)}",
            )
        bump_evaluation(evaluation, f"确认 {len(pending)} 项指标方向（按系统推测）")
        result = scoring.recompute(project)
    return SaveOutcome(changed=[str(i.pk) for i in pending], result=result)


@transaction.atomic
def correct_direction(
    indicator: Indicator, user, direction: str, reason: str, expected_version: int | None
) -> SaveOutcome:
    """A supervisor corrects an indicator's direction while reviewing, with a reason the unit reads."""
    direction = _direction(direction)
    reason = normalise_text(reason)
    if not reason:
        raise InvalidData({"reason": ["更正指标方向必须填写理由，填报单位会看到。"]})
    if len(reason) > 300:
        raise InvalidData({"reason": ["理由最多 300 字。"]})
    project = fresh_project(indicator.project)
    require_review(user, project)
    evaluation = lock_evaluation(project)
    if evaluation.status not in DIRECTION_REVIEW_STATUSES:
        raise WorkflowError(
            f"该项目当前状态为“{evaluation.get_status_display()}”，只有审核中的目标或自评可以更正指标方向。"
        )
    check_evaluation_version(evaluation, expected_version, "该自评", outcome="指标方向没有更正")
    current = Indicator.objects.select_for_update().filter(pk=indicator.pk, project=project).first()
    if current is None:
        raise WorkflowError("该指标已被删除，页面已刷新。")
    if current.direction == direction and current.direction_override == direction:
        raise InvalidData({"direction": [f"该指标的方向已是{DIRECTIONS[direction]}。"]})
    before = current.score
    with acting_as(user):
        _save_direction(current, direction, reason, f"主管部门更正方向为{DIRECTIONS[direction]}：{reason}")
        bump_evaluation(evaluation, f"主管部门更正“{current.name}”方向：{reason}")
        result = scoring.recompute(project)
        current.refresh_from_db()
        ReviewAction.objects.create(
            evaluation=evaluation,
            action=ReviewActionKind.CORRECT_DIRECTION,
            user=user,
            comment=(
                f"“{current.name}”方向更正为{DIRECTIONS[direction]}"
                f"（得分 {_score(before)} → {_score(current.score)}）：{reason}"
            ),
            from_status=evaluation.status,
            to_status=evaluation.status,
        )
    return SaveOutcome(changed=["direction_override"], result=result, indicator=current)


def _score(value) -> str:
    return "—" if value is None else f"{value:.2f}"
