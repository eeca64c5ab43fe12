"""The review steps: a supervisor approves, returns or reopens a self-evaluation, approves or returns
a set of targets; every step is a status change recorded in the history and in the review log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..choices import LOCKED_STATUSES, Status
from ..models import Evaluation, ReviewAction, ReviewActionKind
from .access import fresh_project, require_review
from .errors import InvalidData, WorkflowError
from .text import normalise_text
from .versions import acting_as, check_evaluation_version, last_change, lock_evaluation


def record(evaluation: Evaluation, user, action: str, from_status: str, comment: str = "") -> ReviewAction:
    return ReviewAction.objects.create(
        evaluation=evaluation,
        action=action,
        user=user,
        comment=comment,
        from_status=from_status,
        to_status=evaluation.status,
    )


def change_status(evaluation: Evaluation, status: str, reason: str, extra_fields: list[str]) -> None:
    evaluation.status = status
    evaluation.version += 1
    evaluation._change_reason = reason[:100]
    evaluation.save(update_fields=["status", "version", "updated_at", *extra_fields])


def _review_target(
    evaluation: Evaluation, user, expected_version: int | None, allowed: set[str]
) -> Evaluation:
    project = fresh_project(evaluation.project)
    require_review(user, project)
    locked = lock_evaluation(project)
    if locked.status not in allowed:
        by, at = last_change(locked.history)
        who = f"（{by} 于 {timezone.localtime(at).strftime('%m-%d %H:%M')}）" if by and at else ""
        raise WorkflowError(f"该自评当前状态为“{locked.get_status_display()}”{who}，不能执行此操作。")
    check_evaluation_version(locked, expected_version, "该自评")
    return locked


def _required_text(text: str, field_name: str, message: str) -> str:
    text = normalise_text(text)
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
        change_status(evaluation, to_status, log, ["review_comment"])
        record(evaluation, user, kind, from_status, comment)
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
    comment = normalise_text(comment)
    return _review_step(evaluation, user, Status.APPROVED, ReviewActionKind.APPROVE, "审核通过", comment)


@transaction.atomic
def reopen_evaluation(
    evaluation: Evaluation, user, reason: str, expected_version: int | None = None
) -> Evaluation:
    """Unlock an approved (or published) self-evaluation for correction; the reason is required and
    shown to the unit. The plan (weights, budget A) stays fixed: see :mod:`.entry`."""
    reason = _required_text(reason, "reason", "重新开放必须填写理由。")
    evaluation = _review_target(evaluation, user, expected_version, set(LOCKED_STATUSES))
    with acting_as(user):
        from_status = evaluation.status
        evaluation.review_comment = reason
        evaluation.reopened_at = timezone.now()
        change_status(evaluation, Status.RETURNED, f"重新开放：{reason}", ["review_comment", "reopened_at"])
        record(evaluation, user, ReviewActionKind.REOPEN, from_status, reason)
    return evaluation


@transaction.atomic
def approve_targets(
    evaluation: Evaluation, user, comment: str = "", expected_version: int | None = None
) -> Evaluation:
    """Approve submitted targets: the tree is locked and the unit may enter results."""
    evaluation = _review_target(evaluation, user, expected_version, {Status.TARGETS_SUBMITTED})
    comment = normalise_text(comment)
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
