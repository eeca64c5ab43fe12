"""Finance as the optional last level of the review (issue 14 "approval up to finance", issue 15 "review
bottom-up with finance able to be the last level"): a region's FinanceReview setting makes the
department's approval forward the project-year to finance, which accepts it or returns it with a comment
to the department or to the unit — for the self-evaluation and for the targets. Every move is a row of
workflow.review.TRANSITIONS; a region without the setting behaves as before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import EDITABLE_STATUSES, Status
from perfgoals.models import Evaluation, FinanceReview, Indicator, ReviewAction, ReviewActionKind
from perfgoals.workflow.review import TRANSITIONS, finance_move

from .conftest import set_status, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_level(small_project):
    """烟台's finance bureau reviews both stages last."""
    return FinanceReview.objects.create(region=small_project.region, evaluations=True, targets=True)


def fresh(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.get(pk=evaluation.pk)


def log(evaluation: Evaluation) -> list[tuple[str, str, str, str]]:
    """The review log, oldest first: (move, from, to, comment)."""
    rows = ReviewAction.objects.filter(evaluation=evaluation).order_by("created_at", "pk")
    return [(r.action, r.from_status, r.to_status, r.comment) for r in rows]


def forwarded(project, user_of) -> Evaluation:
    """A submitted self-evaluation the department approved: it awaits finance."""
    evaluation = set_status(project, Status.SUBMITTED)
    return workflow.approve_evaluation(evaluation, user_of("supervisor_own"), "同意", evaluation.version)


# --- the table -------------------------------------------------------------------------------------


def test_finances_moves_are_rows_of_the_one_table():
    assert TRANSITIONS[ReviewActionKind.APPROVE].forwards_as == ReviewActionKind.FORWARD
    assert TRANSITIONS[ReviewActionKind.APPROVE_TARGETS].forwards_as == ReviewActionKind.FORWARD_TARGETS
    assert TRANSITIONS[ReviewActionKind.FORWARD].to_status == Status.FINANCE_PENDING
    assert TRANSITIONS[ReviewActionKind.FORWARD_TARGETS].to_status == Status.TARGETS_FINANCE
    expected = {
        (Status.FINANCE_PENDING, "accept"): (ReviewActionKind.FINANCE_ACCEPT, Status.APPROVED),
        (Status.FINANCE_PENDING, "to_department"): (ReviewActionKind.FINANCE_TO_DEPT, Status.SUBMITTED),
        (Status.FINANCE_PENDING, "to_unit"): (ReviewActionKind.FINANCE_TO_UNIT, Status.RETURNED),
        (Status.TARGETS_FINANCE, "accept"): (
            ReviewActionKind.FINANCE_ACCEPT_TARGETS,
            Status.TARGETS_APPROVED,
        ),
        (Status.TARGETS_FINANCE, "to_department"): (
            ReviewActionKind.FINANCE_TARGETS_TO_DEPT,
            Status.TARGETS_SUBMITTED,
        ),
        (Status.TARGETS_FINANCE, "to_unit"): (ReviewActionKind.FINANCE_TARGETS_TO_UNIT, Status.DRAFT),
    }
    for (status, step), (kind, to_status) in expected.items():
        assert finance_move(status, step) == kind
        assert TRANSITIONS[kind].to_status == to_status
    assert finance_move(Status.FINANCE_PENDING, "nonsense") is None


# --- a region without the setting: as before -------------------------------------------------------


@pytest.mark.parametrize("setting", [None, {"evaluations": False, "targets": False}, {"targets": True}])
def test_without_the_setting_the_departments_approval_is_final(setting, small_project, user_of):
    if setting is not None:
        FinanceReview.objects.create(region=small_project.region, **setting)
    evaluation = set_status(small_project, Status.SUBMITTED)
    workflow.approve_evaluation(evaluation, user_of("supervisor_own"), "", evaluation.version)
    assert fresh(evaluation).status == Status.APPROVED
    assert [row[0] for row in log(evaluation)] == [ReviewActionKind.APPROVE]


def test_without_the_setting_finance_makes_no_move(small_project, user_of):
    evaluation = set_status(small_project, Status.APPROVED)
    with pytest.raises(workflow.NotPermitted):
        workflow.reopen_evaluation(evaluation, user_of("finance"), "按审计意见更正", evaluation.version)
    with pytest.raises(workflow.WorkflowError, match="不能执行此操作"):
        workflow.finance_review(evaluation, user_of("finance"), "accept", "", evaluation.version)
    assert fresh(evaluation).status == Status.APPROVED and not log(evaluation)


# --- the self-evaluation ---------------------------------------------------------------------------


def test_the_department_forwards_and_finance_accepts(finance_level, small_project, user_of):
    evaluation = forwarded(small_project, user_of)
    assert evaluation.status == Status.FINANCE_PENDING
    done = workflow.finance_review(evaluation, user_of("finance"), "accept", "", evaluation.version)
    assert done.status == Status.APPROVED
    assert log(evaluation) == [
        (ReviewActionKind.FORWARD, Status.SUBMITTED, Status.FINANCE_PENDING, "同意"),
        (ReviewActionKind.FINANCE_ACCEPT, Status.FINANCE_PENDING, Status.APPROVED, ""),
    ]
    reasons = [h.history_change_reason for h in fresh(evaluation).history.all()[:2]]
    assert reasons == ["财政审核通过", "审核通过，报财政审核"]
    history = fresh(evaluation).history.all()[:2]
    assert [h.history_user.username for h in history] == ["caizheng_yantai", "shenhe_yantai"]


def test_finance_returns_to_the_department_which_reviews_again(finance_level, small_project, user_of):
    evaluation = forwarded(small_project, user_of)
    back = workflow.finance_review(
        evaluation, user_of("finance"), "to_department", "请核实满意度佐证", evaluation.version
    )
    assert back.status == Status.SUBMITTED and back.review_comment == "请核实满意度佐证"
    again = workflow.approve_evaluation(back, user_of("supervisor_own"), "已核实", back.version)
    assert again.status == Status.FINANCE_PENDING
    assert [row[0] for row in log(evaluation)] == [
        ReviewActionKind.FORWARD,
        ReviewActionKind.FINANCE_TO_DEPT,
        ReviewActionKind.FORWARD,
    ]


def test_finance_returns_to_the_unit_which_may_edit_again(finance_level, small_project, user_of):
    evaluation = forwarded(small_project, user_of)
    back = workflow.finance_review(
        evaluation, user_of("finance"), "to_unit", "执行率有误", evaluation.version
    )
    assert back.status == Status.RETURNED and back.status in EDITABLE_STATUSES
    assert back.review_comment == "执行率有误"
    assert log(evaluation)[-1] == (
        ReviewActionKind.FINANCE_TO_UNIT,
        Status.FINANCE_PENDING,
        Status.RETURNED,
        "执行率有误",
    )


@pytest.mark.parametrize("step", ["to_department", "to_unit"])
def test_a_return_needs_a_comment_and_changes_nothing_without(step, finance_level, small_project, user_of):
    evaluation = forwarded(small_project, user_of)
    before = snapshot(small_project)
    with pytest.raises(workflow.InvalidData) as refused:
        workflow.finance_review(evaluation, user_of("finance"), step, "  ", evaluation.version)
    assert refused.value.errors == {"comment": ["退回时必须填写财政审核意见。"]}
    assert snapshot(small_project) == before


@pytest.mark.parametrize("who", ["supervisor_own", "unit_own", "finance_other", "third_party"])
def test_only_the_regions_finance_makes_finances_moves(who, finance_level, small_project, user_of):
    evaluation = forwarded(small_project, user_of)
    before = snapshot(small_project)
    for step in ("accept", "to_department", "to_unit"):
        with pytest.raises(workflow.NotPermitted):
            workflow.finance_review(evaluation, user_of(who), step, "意见", evaluation.version)
    assert snapshot(small_project) == before


def test_finance_cannot_act_before_the_department(finance_level, small_project, user_of):
    evaluation = set_status(small_project, Status.SUBMITTED)
    with pytest.raises(workflow.WorkflowError, match="自评已提交"):
        workflow.finance_review(evaluation, user_of("finance"), "accept", "", evaluation.version)
    assert fresh(evaluation).status == Status.SUBMITTED


def test_a_stale_page_is_refused(finance_level, small_project, user_of):
    evaluation = forwarded(small_project, user_of)
    with pytest.raises(workflow.VersionConflict):
        workflow.finance_review(evaluation, user_of("finance"), "accept", "", evaluation.version - 1)
    assert fresh(evaluation).status == Status.FINANCE_PENDING


def test_awaiting_finance_the_data_is_locked(finance_level, small_project, user_of):
    forwarded(small_project, user_of)
    ind = Indicator.objects.filter(project=small_project).first()
    with pytest.raises(workflow.WorkflowError, match="等待财政部门审核"):
        workflow.save_indicator_actual(ind, user_of("unit_own"), {"actual_text": "100%"}, ind.version)


def test_finance_reopens_what_it_accepted_and_so_may_the_department(finance_level, small_project, user_of):
    evaluation = forwarded(small_project, user_of)
    evaluation = workflow.finance_review(evaluation, user_of("finance"), "accept", "", evaluation.version)
    reopened = workflow.reopen_evaluation(
        evaluation, user_of("finance"), "按审计意见更正", evaluation.version
    )
    assert reopened.status == Status.RETURNED and reopened.reopened_at is not None
    assert log(evaluation)[-1][0] == ReviewActionKind.FINANCE_REOPEN
    other = set_status(small_project, Status.APPROVED)
    again = workflow.reopen_evaluation(other, user_of("supervisor_own"), "更正", other.version)
    assert log(again)[-1][0] == ReviewActionKind.REOPEN
    with pytest.raises(workflow.NotPermitted):
        workflow.reopen_evaluation(set_status(small_project, Status.APPROVED), user_of("finance_other"), "x")


def test_the_batch_approval_forwards_too(finance_level, small_project, main_project, user_of):
    items = [
        (set_status(p, Status.SUBMITTED).pk, p.evaluation.version) for p in (small_project, main_project)
    ]
    done = workflow.approve_many(items, user_of("supervisor_own"), "同意")
    assert {e.status for e in done} == {Status.FINANCE_PENDING}


# --- the targets -----------------------------------------------------------------------------------


def targets_submitted(project) -> Evaluation:
    return set_status(project, Status.TARGETS_SUBMITTED, targets_approved_at=None)


@pytest.mark.parametrize("grade", ["优", "良"])
def test_graded_approval_forwards_the_targets_with_their_grade(grade, finance_level, fresh_project, user_of):
    evaluation = targets_submitted(fresh_project)
    forwarded_targets = workflow.grade_targets(
        evaluation, user_of("supervisor_own"), grade, "", evaluation.version
    )
    assert forwarded_targets.status == Status.TARGETS_FINANCE and forwarded_targets.target_grade == grade
    assert forwarded_targets.targets_approved_at is None
    row = ReviewAction.objects.filter(evaluation=evaluation).first()
    assert (row.action, row.grade) == (ReviewActionKind.FORWARD_TARGETS, grade)
    accepted = workflow.finance_review(
        forwarded_targets, user_of("finance"), "accept", "", forwarded_targets.version
    )
    assert accepted.status == Status.TARGETS_APPROVED and accepted.targets_approved_at is not None
    assert accepted.target_grade == grade


@pytest.mark.parametrize("grade", ["中", "差"])
def test_a_return_or_refusal_by_the_department_does_not_go_to_finance(
    grade, finance_level, fresh_project, user_of
):
    evaluation = targets_submitted(fresh_project)
    back = workflow.grade_targets(evaluation, user_of("supervisor_own"), grade, "修改", evaluation.version)
    assert back.status == Status.DRAFT


@pytest.mark.parametrize(
    "step, status", [("to_department", Status.TARGETS_SUBMITTED), ("to_unit", Status.DRAFT)]
)
def test_finance_returns_the_targets(step, status, finance_level, fresh_project, user_of):
    evaluation = targets_submitted(fresh_project)
    evaluation = workflow.grade_targets(evaluation, user_of("supervisor_own"), "良", "", evaluation.version)
    back = workflow.finance_review(evaluation, user_of("finance"), step, "成本指标不全", evaluation.version)
    assert back.status == status and back.review_comment == "成本指标不全"
    assert back.targets_approved_at is None


def test_the_targets_setting_alone_leaves_self_evaluations_final(small_project, fresh_project, user_of):
    FinanceReview.objects.create(region=small_project.region, targets=True)
    evaluation = set_status(small_project, Status.SUBMITTED)
    assert workflow.approve_evaluation(evaluation, user_of("supervisor_own")).status == Status.APPROVED
    targets = targets_submitted(fresh_project)
    assert workflow.grade_targets(targets, user_of("supervisor_own"), "优").status == Status.TARGETS_FINANCE


# --- pages -----------------------------------------------------------------------------------------


def post_step(client, project, step, comment=""):
    url = reverse("perfgoals:finance_review", args=[project.pk, step])
    return client.post(url, {"comment": comment, "version": fresh(project.evaluation).version})


def test_finances_queue_lists_what_awaits_it(
    finance_level, small_project, fresh_project, main_project, user_of, client_of
):
    forwarded(small_project, user_of)
    targets = targets_submitted(fresh_project)
    workflow.grade_targets(targets, user_of("supervisor_own"), "优", "", targets.version)
    set_status(main_project, Status.SUBMITTED)  # still the department's
    page = client_of("finance").get(reverse("perfgoals:finance_queue")).content.decode()
    assert small_project.name in page and fresh_project.name in page
    assert main_project.name not in page
    assert "待财政审核" in page and "目标待财政审核" in page
    other = client_of("finance_other").get(reverse("perfgoals:finance_queue")).content.decode()
    assert small_project.name not in other


@pytest.mark.parametrize(
    "who, status",
    [("supervisor_own", 403), ("unit_own", 403), ("third_party", 403), ("finance", 200), ("admin", 200)],
)
def test_finances_queue_is_finances(who, status, client_of):
    assert client_of(who).get(reverse("perfgoals:finance_queue")).status_code == status


def test_the_queue_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("perfgoals:finance_queue"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_review_page_shows_finances_form_to_finance_only(
    finance_level, small_project, user_of, client_of
):
    forwarded(small_project, user_of)
    url = reverse("perfgoals:review", args=[small_project.pk])
    assert 'data-testid="finance-accept"' in client_of("finance").get(url).content.decode()
    for who in ("supervisor_own", "unit_own"):
        page = client_of(who).get(url).content.decode()
        assert 'data-testid="finance-accept"' not in page and "待财政审核" in page


def test_the_target_review_page_shows_finances_form(finance_level, fresh_project, user_of, client_of):
    targets = targets_submitted(fresh_project)
    workflow.grade_targets(targets, user_of("supervisor_own"), "良", "", targets.version)
    page = client_of("finance").get(reverse("perfgoals:review", args=[fresh_project.pk])).content.decode()
    assert 'data-testid="finance-accept"' in page and "目标待财政审核" in page


def test_accepting_on_the_page(finance_level, small_project, user_of, client_of):
    forwarded(small_project, user_of)
    response = post_step(client_of("finance"), small_project, "accept")
    assert response.status_code == 302 and response["Location"] == reverse("perfgoals:finance_queue")
    assert fresh(small_project.evaluation).status == Status.APPROVED


def test_a_return_without_comment_on_the_page_is_refused_at_the_form(
    finance_level, small_project, user_of, client_of
):
    forwarded(small_project, user_of)
    before = snapshot(small_project)
    response = post_step(client_of("finance"), small_project, "to_unit", " ")
    assert response.status_code == 422 and "退回时必须填写财政审核意见" in response.content.decode()
    assert snapshot(small_project) == before


@pytest.mark.parametrize(
    "who, status",
    [
        ("supervisor_own", 403),
        ("unit_own", 403),
        ("unit_other", 404),
        ("finance_other", 404),
        ("third_party", 404),
    ],
)
@pytest.mark.parametrize("step", ["accept", "to_department", "to_unit"])
def test_every_step_url_by_every_role(who, status, step, finance_level, small_project, user_of, client_of):
    forwarded(small_project, user_of)
    before = snapshot(small_project)
    assert post_step(client_of(who), small_project, step, "意见").status_code == status
    assert snapshot(small_project) == before


def test_a_step_url_needs_post_and_a_known_step(finance_level, small_project, user_of, client_of):
    forwarded(small_project, user_of)
    client = client_of("finance")
    assert (
        client.get(reverse("perfgoals:finance_review", args=[small_project.pk, "accept"])).status_code == 405
    )
    assert post_step(client, small_project, "approve").status_code == 404


def test_finance_reopens_on_the_page(finance_level, small_project, user_of, client_of):
    evaluation = forwarded(small_project, user_of)
    workflow.finance_review(evaluation, user_of("finance"), "accept", "", evaluation.version)
    client = client_of("finance")
    page = client.get(reverse("perfgoals:review", args=[small_project.pk])).content.decode()
    assert 'data-testid="reopen"' in page
    response = client.post(
        reverse("perfgoals:reopen", args=[small_project.pk]),
        {"reason": "按审计意见更正", "version": fresh(evaluation).version},
    )
    assert response.status_code == 302 and fresh(evaluation).status == Status.RETURNED


def test_without_the_setting_finance_gets_no_reopen(small_project, client_of):
    set_status(small_project, Status.APPROVED)
    client = client_of("finance")
    page = client.get(reverse("perfgoals:review", args=[small_project.pk])).content.decode()
    assert 'data-testid="reopen"' not in page
    response = client.post(
        reverse("perfgoals:reopen", args=[small_project.pk]),
        {"reason": "更正", "version": fresh(small_project.evaluation).version},
    )
    assert response.status_code == 403


def test_the_department_is_told_it_went_on_to_finance(finance_level, small_project, fresh_project, client_of):
    client = client_of("supervisor_own")
    evaluation = set_status(small_project, Status.SUBMITTED)
    response = client.post(
        reverse("perfgoals:approve", args=[small_project.pk]), {"version": evaluation.version}, follow=True
    )
    assert "报本级财政部门审核" in response.content.decode()
    targets = targets_submitted(fresh_project)
    response = client.post(
        reverse("perfgoals:grade_targets", args=[fresh_project.pk]),
        {"version": targets.version, "grade": "优"},
        follow=True,
    )
    assert "绩效目标评为“优”，已报本级财政部门审核" in response.content.decode()
    assert fresh(targets).status == Status.TARGETS_FINANCE


def test_the_unit_reads_finances_return_on_its_pages(
    finance_level, small_project, fresh_project, user_of, client_of
):
    evaluation = forwarded(small_project, user_of)
    workflow.finance_review(evaluation, user_of("finance"), "to_unit", "执行数与决算不符", evaluation.version)
    targets = targets_submitted(fresh_project)
    targets = workflow.grade_targets(targets, user_of("supervisor_own"), "良", "", targets.version)
    workflow.finance_review(targets, user_of("finance"), "to_unit", "缺少成本指标", targets.version)
    client = client_of("unit_own")
    page = client.get(reverse("perfgoals:project", args=[small_project.pk])).content.decode()
    assert "财政部门退回修改" in page and "执行数与决算不符" in page
    page = client.get(reverse("perfgoals:project", args=[fresh_project.pk])).content.decode()
    assert "财政部门退回了绩效目标" in page and "缺少成本指标" in page
    home = client.get(reverse("oversight:unit_home") + "?year=2019").content.decode()
    assert "执行数与决算不符" in home
