"""The lifecycle's table of moves (workflow.review.TRANSITIONS): every review step goes through it, and
what it says is what happens — status, right, comment, history reason, review log."""

from __future__ import annotations

import pytest

from perfgoals import workflow
from perfgoals.choices import EDITABLE_STATUSES, Status
from perfgoals.models import Evaluation, ReviewAction, ReviewActionKind
from perfgoals.workflow.access import require_enter, require_review
from perfgoals.workflow.review import NONE, REQUIRED, TRANSITIONS

from .conftest import set_status

pytestmark = pytest.mark.django_db

#: the public review steps, by the move they make
REVIEW_STEPS = {
    ReviewActionKind.APPROVE: workflow.approve_evaluation,
    ReviewActionKind.RETURN: workflow.return_evaluation,
    ReviewActionKind.REOPEN: workflow.reopen_evaluation,
    # the graded target review: the grade picks the move (优 / 良 approve, 中 returns, 差 refuses)
    ReviewActionKind.APPROVE_TARGETS: lambda e, u, c, v: workflow.grade_targets(e, u, "良", c, v),
    ReviewActionKind.RETURN_TARGETS: lambda e, u, c, v: workflow.grade_targets(e, u, "中", c, v),
    ReviewActionKind.REFUSE_TARGETS: lambda e, u, c, v: workflow.grade_targets(e, u, "差", c, v),
}

#: the grade each graded move records
GRADES = {
    ReviewActionKind.APPROVE_TARGETS: "良",
    ReviewActionKind.RETURN_TARGETS: "中",
    ReviewActionKind.REFUSE_TARGETS: "差",
}


def test_every_move_of_the_review_log_is_in_the_table():
    # a supervisor's correction of a direction is logged beside the moves, but changes no status
    assert set(TRANSITIONS) == set(ReviewActionKind.values) - {ReviewActionKind.CORRECT_DIRECTION}


def test_the_submissions_start_where_their_stage_is_editable_and_need_the_units_right():
    assert TRANSITIONS[ReviewActionKind.SUBMIT].from_statuses == EDITABLE_STATUSES
    assert TRANSITIONS[ReviewActionKind.SUBMIT_TARGETS].from_statuses == {Status.DRAFT}
    for kind in (ReviewActionKind.SUBMIT, ReviewActionKind.SUBMIT_TARGETS):
        assert TRANSITIONS[kind].who is require_enter and TRANSITIONS[kind].comment == NONE
    for kind in REVIEW_STEPS:
        assert TRANSITIONS[kind].who is require_review


@pytest.mark.parametrize("kind", list(REVIEW_STEPS))
def test_a_review_step_does_what_its_row_says(kind, small_project, user_of):
    move = TRANSITIONS[kind]
    start = sorted(move.from_statuses)[0]
    evaluation = set_status(small_project, start)
    version = evaluation.version
    REVIEW_STEPS[kind](evaluation, user_of("supervisor_own"), "请补充说明", version)
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.status == move.to_status and evaluation.version == version + 1
    assert evaluation.review_comment == "请补充说明"
    if move.stamp:
        assert getattr(evaluation, move.stamp) is not None
    log = ReviewAction.objects.filter(evaluation=evaluation).first()
    assert (log.action, log.from_status, log.to_status, log.comment) == (
        kind,
        start,
        move.to_status,
        "请补充说明",
    )
    grade = GRADES.get(kind, "")
    assert evaluation.history.first().history_change_reason == move.reason.format(
        comment="请补充说明", grade=grade
    )
    assert (evaluation.target_grade if move.grades else "", log.grade) == (grade, grade)


@pytest.mark.parametrize("kind", list(REVIEW_STEPS))
def test_a_review_step_from_another_status_changes_nothing(kind, small_project, user_of):
    outside = next(status for status in Status.values if status not in TRANSITIONS[kind].from_statuses)
    evaluation = set_status(small_project, outside)
    with pytest.raises(workflow.WorkflowError, match="不能执行此操作"):
        REVIEW_STEPS[kind](evaluation, user_of("supervisor_own"), "意见", evaluation.version)
    assert Evaluation.objects.get(pk=evaluation.pk).status == outside
    assert not ReviewAction.objects.filter(evaluation=evaluation).exists()


@pytest.mark.parametrize("kind", [kind for kind in REVIEW_STEPS if TRANSITIONS[kind].comment == REQUIRED])
def test_a_required_comment_is_asked_for_in_its_field(kind, small_project, user_of):
    move = TRANSITIONS[kind]
    evaluation = set_status(small_project, sorted(move.from_statuses)[0])
    with pytest.raises(workflow.InvalidData) as refused:
        REVIEW_STEPS[kind](evaluation, user_of("supervisor_own"), "  ", evaluation.version)
    assert refused.value.errors == {move.comment_field: [move.missing_comment]}


@pytest.mark.parametrize("kind", list(REVIEW_STEPS))
def test_a_unit_user_may_make_no_review_step(kind, small_project, user_of):
    evaluation = set_status(small_project, sorted(TRANSITIONS[kind].from_statuses)[0])
    with pytest.raises(workflow.NotPermitted):
        REVIEW_STEPS[kind](evaluation, user_of("unit_own"), "意见", evaluation.version)
