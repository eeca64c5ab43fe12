"""The moves of the lifecycle, in one table: the unit's submissions and the supervisor's review steps.

:data:`TRANSITIONS` says, for each move (named by the review-log entry it writes), from which statuses it
starts, where it goes, whose right it needs, whether it takes a comment and the change reason of its
history row. Every move ends in :func:`move`, which changes the status, moves the page's version on and
writes the history and the review log. The review steps (approve, return or reopen a self-evaluation;
the graded review of targets, whose grade picks its move from the table's ``grades``; finance's review
as the optional last level of a region, :func:`finance_review`, whose step picks its move from the
table's ``finance_step``, after a department approval that ``forwards_as`` its move to finance) run
entirely through :func:`_review`; the two submissions
(:func:`.entry.submit_evaluation`, :func:`.targets.submit_targets`) first check that nothing is missing,
with the messages of their stage, and then make their move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from projects.models import Project

from ..choices import EDITABLE_STATUSES, LOCKED_STATUSES, Grade, Status
from ..models import Evaluation, ReviewAction, ReviewActionKind
from .access import (
    EVALUATIONS,
    TARGETS,
    finance_reviews,
    fresh_project,
    may_finance_review,
    may_review,
    require_enter,
    require_finance_last,
    require_finance_review,
    require_publish,
    require_review,
)
from .errors import InvalidData, NotPermitted, WorkflowError
from .text import normalise_text
from .versions import acting_as, check_evaluation_version, last_change, lock_evaluation

#: a move's comment: required (a return, a reopening: the unit must learn why), optional (an approval),
#: or none (a submission, which leaves the last review comment as it is)
REQUIRED, OPTIONAL, NONE = "required", "optional", "none"

#: the message of a target review without a valid grade
GRADE_MISSING = "请选择评审等级：优、良、中或差。"


@dataclass(frozen=True)
class Transition:
    """One move of the lifecycle (see the module docstring)."""

    from_statuses: frozenset[str]
    to_status: str
    #: the right the move needs: raises NotPermitted for anyone else
    who: Callable[[object, Project], None]
    comment: str
    #: the change reason of the evaluation's history row; ``{comment}`` stands for the comment
    reason: str
    #: where a missing required comment is reported (the form field) and with which message
    comment_field: str = "comment"
    missing_comment: str = ""
    #: an evaluation date field the move sets to the time it is made
    stamp: str = ""
    #: the target review grades (88号: 优 / 良 / 中 / 差) that make this move; ``{grade}`` in the reason
    #: stands for the grade. Every grade makes exactly one move (see :func:`grade_targets`), which the
    #: approval's ``forwards_as`` replaces where finance reviews targets last.
    grades: frozenset[str] = frozenset()
    #: the department's approval of a region whose finance reviews ``stage`` last: the move made
    #: instead (it forwards the project-year to finance; see :class:`~perfgoals.models.FinanceReview`)
    forwards_as: str = ""
    stage: str = ""
    #: finance's step this move makes (``FINANCE_STEPS``): the status awaiting finance picks the move
    finance_step: str = ""


TRANSITIONS: dict[str, Transition] = {
    ReviewActionKind.SUBMIT_TARGETS: Transition(
        frozenset({Status.DRAFT}),
        Status.TARGETS_SUBMITTED,
        who=require_enter,
        comment=NONE,
        reason="提交绩效目标",
        stamp="submitted_at",
    ),
    # the target review is graded (财预〔2015〕88号): 优 / 良 approve, 中 returns the targets to be revised
    # and resubmitted, 差 refuses them (back to the unit's draft, marked 差: they may not enter the budget)
    ReviewActionKind.APPROVE_TARGETS: Transition(
        frozenset({Status.TARGETS_SUBMITTED}),
        Status.TARGETS_APPROVED,
        who=require_review,
        comment=OPTIONAL,
        reason="批复绩效目标（评审等级：{grade}）",
        stamp="targets_approved_at",
        grades=frozenset({Grade.EXCELLENT, Grade.GOOD}),
        forwards_as=ReviewActionKind.FORWARD_TARGETS,
        stage=TARGETS,
    ),
    ReviewActionKind.RETURN_TARGETS: Transition(
        frozenset({Status.TARGETS_SUBMITTED}),
        Status.DRAFT,
        who=require_review,
        comment=REQUIRED,
        reason="退回绩效目标（评审等级：{grade}）：{comment}",
        missing_comment="评为“中”时必须填写意见，说明需要修改的指标，填报单位修改后重新提交。",
        grades=frozenset({Grade.FAIR}),
    ),
    ReviewActionKind.REFUSE_TARGETS: Transition(
        frozenset({Status.TARGETS_SUBMITTED}),
        Status.DRAFT,
        who=require_review,
        comment=REQUIRED,
        reason="绩效目标评为差，不予通过：{comment}",
        missing_comment="评为“差”时必须填写不予通过的理由。",
        grades=frozenset({Grade.POOR}),
    ),
    ReviewActionKind.SUBMIT: Transition(
        frozenset(EDITABLE_STATUSES),
        Status.SUBMITTED,
        who=require_enter,
        comment=NONE,
        reason="提交审核",
        stamp="submitted_at",
    ),
    ReviewActionKind.APPROVE: Transition(
        frozenset({Status.SUBMITTED}),
        Status.APPROVED,
        who=require_review,
        comment=OPTIONAL,
        reason="审核通过",
        forwards_as=ReviewActionKind.FORWARD,
        stage=EVALUATIONS,
    ),
    ReviewActionKind.RETURN: Transition(
        frozenset({Status.SUBMITTED}),
        Status.RETURNED,
        who=require_review,
        comment=REQUIRED,
        reason="退回修改：{comment}",
        missing_comment="退回时必须填写审核意见，说明需要修改的内容。",
    ),
    # the plan (weights, budget A) of a reopened evaluation stays fixed: see .entry
    ReviewActionKind.REOPEN: Transition(
        frozenset(LOCKED_STATUSES),
        Status.RETURNED,
        who=require_review,
        comment=REQUIRED,
        reason="重新开放：{comment}",
        comment_field="reason",
        missing_comment="重新开放必须填写理由。",
        stamp="reopened_at",
    ),
    # --- finance as the last level (a region's FinanceReview): the department's approval forwards, and
    # finance accepts, returns to the department (its review again) or to the unit, with a comment
    ReviewActionKind.FORWARD_TARGETS: Transition(
        frozenset({Status.TARGETS_SUBMITTED}),
        Status.TARGETS_FINANCE,
        who=require_review,
        comment=OPTIONAL,
        reason="批复绩效目标（评审等级：{grade}），报财政审核",
        grades=frozenset({Grade.EXCELLENT, Grade.GOOD}),
    ),
    ReviewActionKind.FINANCE_ACCEPT_TARGETS: Transition(
        frozenset({Status.TARGETS_FINANCE}),
        Status.TARGETS_APPROVED,
        who=require_finance_review,
        comment=OPTIONAL,
        reason="财政审核通过绩效目标",
        stamp="targets_approved_at",
        finance_step="accept",
    ),
    ReviewActionKind.FINANCE_TARGETS_TO_DEPT: Transition(
        frozenset({Status.TARGETS_FINANCE}),
        Status.TARGETS_SUBMITTED,
        who=require_finance_review,
        comment=REQUIRED,
        reason="财政退回绩效目标至主管部门：{comment}",
        missing_comment="退回时必须填写财政审核意见。",
        finance_step="to_department",
    ),
    ReviewActionKind.FINANCE_TARGETS_TO_UNIT: Transition(
        frozenset({Status.TARGETS_FINANCE}),
        Status.DRAFT,
        who=require_finance_review,
        comment=REQUIRED,
        reason="财政退回绩效目标至填报单位：{comment}",
        missing_comment="退回时必须填写财政审核意见。",
        finance_step="to_unit",
    ),
    ReviewActionKind.FORWARD: Transition(
        frozenset({Status.SUBMITTED}),
        Status.FINANCE_PENDING,
        who=require_review,
        comment=OPTIONAL,
        reason="审核通过，报财政审核",
    ),
    ReviewActionKind.FINANCE_ACCEPT: Transition(
        frozenset({Status.FINANCE_PENDING}),
        Status.APPROVED,
        who=require_finance_review,
        comment=OPTIONAL,
        reason="财政审核通过",
        finance_step="accept",
    ),
    ReviewActionKind.FINANCE_TO_DEPT: Transition(
        frozenset({Status.FINANCE_PENDING}),
        Status.SUBMITTED,
        who=require_finance_review,
        comment=REQUIRED,
        reason="财政退回主管部门：{comment}",
        missing_comment="退回时必须填写财政审核意见。",
        finance_step="to_department",
    ),
    ReviewActionKind.FINANCE_TO_UNIT: Transition(
        frozenset({Status.FINANCE_PENDING}),
        Status.RETURNED,
        who=require_finance_review,
        comment=REQUIRED,
        reason="财政退回填报单位：{comment}",
        missing_comment="退回时必须填写财政审核意见。",
        finance_step="to_unit",
    ),
    # where finance reviews self-evaluations last, it may reopen what it accepted (so may the department)
    ReviewActionKind.FINANCE_REOPEN: Transition(
        frozenset(LOCKED_STATUSES),
        Status.RETURNED,
        who=require_finance_last,
        comment=REQUIRED,
        reason="财政重新开放：{comment}",
        comment_field="reason",
        missing_comment="重新开放必须填写理由。",
        stamp="reopened_at",
    ),
    # 决算公开 and its withdrawal: made for a whole department-year by perfgoals.publication.actions
    ReviewActionKind.PUBLISH: Transition(
        frozenset({Status.APPROVED}),
        Status.PUBLISHED,
        who=require_publish,
        comment=NONE,
        reason="决算公开",
    ),
    ReviewActionKind.UNPUBLISH: Transition(
        frozenset({Status.PUBLISHED}),
        Status.APPROVED,
        who=require_publish,
        comment=REQUIRED,
        reason="撤回公开：{comment}",
        comment_field="reason",
        missing_comment="撤回公开必须填写理由。",
    ),
}


def move(
    evaluation: Evaluation,
    user,
    kind: str,
    comment: str = "",
    fields: Iterable[str] = (),
    grade: str = "",
) -> Evaluation:
    """Make the move ``kind`` on an evaluation its caller has locked and checked (right, status,
    version): the new status and version, the comment and the date the move sets, the target review
    ``grade`` of a graded move, ``fields`` the caller changed on the evaluation, the history row with the
    move's reason, and the review-log entry."""
    transition = TRANSITIONS[kind]
    if transition.grades and grade not in transition.grades:
        raise InvalidData({"grade": [GRADE_MISSING]})
    with acting_as(user):
        from_status = evaluation.status
        changed = list(fields)
        if transition.comment != NONE:
            evaluation.review_comment = comment
            changed.append("review_comment")
        if transition.grades:
            evaluation.target_grade = grade
            changed.append("target_grade")
        if transition.stamp:
            setattr(evaluation, transition.stamp, timezone.now())
            changed.append(transition.stamp)
        evaluation.status = transition.to_status
        evaluation.version += 1
        evaluation._change_reason = transition.reason.format(comment=comment, grade=grade)[:100]
        evaluation.save(update_fields=["status", "version", "updated_at", *changed])
        ReviewAction.objects.create(
            evaluation=evaluation,
            action=kind,
            user=user,
            comment=comment,
            grade=grade if transition.grades else "",
            from_status=from_status,
            to_status=evaluation.status,
        )
    return evaluation


@transaction.atomic
def _review(
    kind: str, evaluation: Evaluation, user, comment: str, expected_version: int | None, grade: str = ""
) -> Evaluation:
    """A supervisor's move: the comment it requires, the right, the status and the page's version are
    checked (in this order) before :func:`move` makes it."""
    transition = TRANSITIONS[kind]
    comment = normalise_text(comment)
    if transition.comment == REQUIRED and not comment:
        raise InvalidData({transition.comment_field: [transition.missing_comment]})
    project = fresh_project(evaluation.project)
    if transition.forwards_as and finance_reviews(project, transition.stage):
        kind = transition.forwards_as
        transition = TRANSITIONS[kind]
    transition.who(user, project)
    locked = lock_evaluation(project)
    if locked.status not in transition.from_statuses:
        by, at = last_change(locked.history)
        who = f"（{by} 于 {timezone.localtime(at).strftime('%m-%d %H:%M')}）" if by and at else ""
        raise WorkflowError(f"该自评当前状态为“{locked.get_status_display()}”{who}，不能执行此操作。")
    check_evaluation_version(locked, expected_version, "该自评")
    return move(locked, user, kind, comment, grade=grade)


def return_evaluation(
    evaluation: Evaluation, user, comment: str, expected_version: int | None = None
) -> Evaluation:
    """Send a submitted self-evaluation back to the unit with a comment it sees on its project page."""
    return _review(ReviewActionKind.RETURN, evaluation, user, comment, expected_version)


def approve_evaluation(
    evaluation: Evaluation, user, comment: str = "", expected_version: int | None = None
) -> Evaluation:
    """Approve a submitted self-evaluation; its data is locked from then on."""
    return _review(ReviewActionKind.APPROVE, evaluation, user, comment, expected_version)


def reopen_evaluation(
    evaluation: Evaluation, user, reason: str, expected_version: int | None = None
) -> Evaluation:
    """Unlock an approved (or published) self-evaluation for correction; the reason is required and
    shown to the unit. The plan (weights, budget A) stays fixed: see :mod:`.entry`. The department's
    supervisor reopens; where finance reviews self-evaluations last, finance may reopen too (its own
    move in the log)."""
    kind = ReviewActionKind.REOPEN
    if not may_review(user, evaluation.project) and may_finance_review(user, evaluation.project):
        kind = ReviewActionKind.FINANCE_REOPEN
    return _review(kind, evaluation, user, reason, expected_version)


#: the moves a department's approval makes instead where finance reviews last (never chosen by a grade)
FORWARDS = frozenset(t.forwards_as for t in TRANSITIONS.values() if t.forwards_as)


def target_move(grade: str) -> str | None:
    """The move a target review grade makes (from the table's ``grades``), None for no valid grade.
    Where finance reviews targets last, :func:`_review` makes the approval's ``forwards_as`` instead."""
    return next(
        (kind for kind, t in TRANSITIONS.items() if grade and grade in t.grades and kind not in FORWARDS),
        None,
    )


#: finance's steps on what awaits it (targets or a self-evaluation), by the name a view posts
FINANCE_STEPS = {
    "accept": "审核通过",
    "to_department": "退回主管部门",
    "to_unit": "退回填报单位",
}


def finance_move(status: str, step: str) -> str | None:
    """The move finance's ``step`` makes from ``status`` (the table's ``finance_step``); a status that
    awaits nothing from finance gives the self-evaluation's move (refused by its status), an unknown
    step None."""
    moves = [kind for kind, t in TRANSITIONS.items() if step and t.finance_step == step]
    return next((k for k in moves if status in TRANSITIONS[k].from_statuses), moves[-1] if moves else None)


def finance_review(
    evaluation: Evaluation, user, step: str, comment: str = "", expected_version: int | None = None
) -> Evaluation:
    """Finance's review of what the department approved and forwarded (targets or a self-evaluation):
    ``accept`` (the self-evaluation is then approved and locked, the targets approved), ``to_department``
    (back to the department's review) or ``to_unit`` (back to the unit); a return needs a comment. The
    status checked under the lock decides; a step that is none of these is refused before anything."""
    kind = finance_move(evaluation.status, step)
    if kind is None:
        raise InvalidData({"step": ["请选择财政审核操作：审核通过、退回主管部门或退回填报单位。"]})
    return _review(kind, evaluation, user, comment, expected_version)


def grade_targets(
    evaluation: Evaluation, user, grade: str, comment: str = "", expected_version: int | None = None
) -> Evaluation:
    """The supervisor's graded review of submitted targets (财预〔2015〕88号): 优 / 良 approve them (the tree
    is locked and the unit may enter results), 中 returns them to the unit to be revised and resubmitted,
    差 refuses them (back to the unit, marked 差). 中 and 差 need a comment the unit reads on its page.
    The grade is stored on the evaluation (``target_grade``) and in the review log. A grade that is none
    of the four is refused before anything is read."""
    kind = target_move(grade)
    if kind is None:
        raise InvalidData({"grade": [GRADE_MISSING]})
    return _review(kind, evaluation, user, comment, expected_version, grade=grade)


#: how many submissions one batch approval takes at most
BATCH_LIMIT = 200


@transaction.atomic
def approve_many(
    items: Iterable[tuple[int, int]], user, comment: str = "", target_grade: str = ""
) -> list[Evaluation]:
    """Approve several submissions with one comment: self-evaluations (审核通过) and targets (批复, with
    ``target_grade``, 优 or 良, for every set of targets chosen), each ``(evaluation id, version the page
    showed)`` checked exactly as one approval checks it (the right, the status, the version). All or
    nothing: one refusal approves none, and the message lists every refusal. A project the user may not
    review is named as not found, never by its name."""
    items = list(dict(items).items())
    if not items:
        raise InvalidData({"select": ["请勾选要批复的项目。"]})
    if len(items) > BATCH_LIMIT:
        raise InvalidData({"select": [f"一次最多批复 {BATCH_LIMIT} 个项目。"]})
    evaluations = {
        e.pk: e for e in Evaluation.objects.select_related("project").filter(pk__in=[pk for pk, _ in items])
    }
    done, refused = [], []
    for pk, version in items:
        evaluation = evaluations.get(pk)
        if evaluation is None or not may_review(user, evaluation.project):
            refused.append(f"编号 {pk}：项目不存在或无权审核")
            continue
        targets = evaluation.status == Status.TARGETS_SUBMITTED
        kind = ReviewActionKind.APPROVE_TARGETS if targets else ReviewActionKind.APPROVE
        if targets and target_grade not in TRANSITIONS[kind].grades:
            refused.append(f"{evaluation.project.name}：批复绩效目标须选择评审等级（优或良）")
            continue
        try:
            with transaction.atomic():
                done.append(
                    _review(kind, evaluation, user, comment, version, grade=target_grade if targets else "")
                )
        except NotPermitted:
            refused.append(f"编号 {pk}：项目不存在或无权审核")
        except WorkflowError as problem:
            refused.append(f"{evaluation.project.name}：{problem}")
    if refused:
        raise WorkflowError("本次未批复任何项目。以下项目不能批复：" + "；".join(refused))
    return done
