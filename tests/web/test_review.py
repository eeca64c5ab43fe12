"""Review by the supervisor: the queue, the flags, approve / return / reopen, and the locks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import scoring, workflow
from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator, ReviewAction

from .conftest import HTMX, indicator, row_data, set_status, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(main_project, user_of):
    """Seed 001 附件1 reopened, corrected by the unit and submitted again."""
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "按审计意见更正")
    # the seed's guessed directions confirmed as read (#12: a guess is confirmed before submitting)
    workflow.confirm_directions(main_project, user_of("unit_own"), None)
    survey = indicator(main_project, "参保居民满意度")  # ≥ 90%, weight 5
    workflow.save_indicator_actual(
        survey,
        user_of("unit_own"),
        {"actual_text": "88%", "deviation_note": "窗口排队时间长"},
        survey.version,
    )
    workflow.submit_evaluation(main_project.evaluation, user_of("unit_own"))
    main_project.evaluation.refresh_from_db()
    return main_project


def review_url(project, name="review"):
    return reverse(f"perfgoals:{name}", args=[project.pk])


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_lists_the_departments_submitted_evaluations_with_total_grade_and_flags(
    submitted, small_project, demo, client_of
):
    html = client_of("supervisor_own").get(reverse("perfgoals:review_queue")).content.decode()
    assert submitted.name in html
    assert small_project.name not in html  # approved, not waiting
    assert "99.89" in html and "优" in html  # 88 ÷ 90 × 5 = 4.89 instead of 5
    assert "分值不符" in html  # 附件1's 产出 rows add up to 60 under a 50-point header
    assert reverse("perfgoals:review", args=[submitted.pk]) in html


def test_another_departments_supervisor_does_not_see_it_in_the_queue(submitted, client_of):
    html = client_of("supervisor_other").get(reverse("perfgoals:review_queue")).content.decode()
    assert submitted.name not in html
    assert "没有待审核的自评" in html


def test_the_queue_is_for_supervisors(client_of, demo):
    for role in ("unit_own", "finance"):
        assert client_of(role).get(reverse("perfgoals:review_queue")).status_code == 403


# --- the review page -----------------------------------------------------------------------------


def test_the_review_page_shows_computed_beside_reported_scores(submitted, client_of):
    html = client_of("supervisor_own").get(review_url(submitted)).content.decode()
    assert "自报得分" in html and "计算得分" in html
    assert "88 ÷ 90 × 5 = 4.89" in html
    assert 'data-testid="review-total"' in html
    assert "审核通过" in html and "退回修改" in html


def test_the_review_page_flags_what_a_supervisor_must_check(main_project, client_of):
    # full marks printed for a value that does not support them
    rate = indicator(main_project, "居民参保率")
    Indicator.objects.filter(pk=rate.pk).update(actual_text="80%")
    # a large overshoot without a word about it
    students = indicator(main_project, "普通学生参保人数")
    Indicator.objects.filter(pk=students.pk).update(actual_text="80 万人")
    # a value nobody can read
    pay = indicator(main_project, "居民基本医疗保险支付率")
    Indicator.objects.filter(pk=pay.pk).update(actual_text="abc%%")
    scoring.recompute(main_project)
    set_status(main_project, Status.SUBMITTED)
    html = client_of("supervisor_own").get(review_url(main_project)).content.decode()
    assert "满分依据不足：自报满分，按填报数值计算得 1.74" in html
    assert "超出目标 60% 未说明" in html
    assert "实际值无法识别" in html
    assert "分值不符：产出指标各项分值合计 60，与表头 50 分不符" in html


def test_a_finance_reviewer_reads_the_review_page_without_the_buttons(submitted, client_of):
    response = client_of("finance").get(review_url(submitted))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="approve"' not in html and 'data-testid="return"' not in html


# --- decisions -----------------------------------------------------------------------------------


def test_returning_needs_a_comment(submitted, client_of):
    before = snapshot(submitted)
    response = client_of("supervisor_own").post(
        review_url(submitted, "return"), {"version": submitted.evaluation.version, "comment": "  "}
    )
    assert response.status_code == 422
    assert "退回时必须填写审核意见" in response.content.decode()
    assert snapshot(submitted) == before


def test_a_returned_evaluation_shows_the_comment_to_the_unit_and_opens_entry_again(submitted, client_of):
    comment = "满意度偏差说明不充分，请补充原因。"
    response = client_of("supervisor_own").post(
        review_url(submitted, "return"), {"version": submitted.evaluation.version, "comment": comment}
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(project=submitted)
    assert evaluation.status == Status.RETURNED and evaluation.review_comment == comment
    action = ReviewAction.objects.get(evaluation=evaluation, action="return")
    assert action.user.username == "shenhe_yantai" and action.comment == comment
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[submitted.pk])).content.decode()
    assert 'id="review-notice"' in page and comment in page
    assert 'data-testid="submit"' in page  # entry is open again


def test_approval_locks_the_data(submitted, client_of):
    response = client_of("supervisor_own").post(
        review_url(submitted, "approve"), {"version": submitted.evaluation.version}
    )
    assert response.status_code == 302
    assert Evaluation.objects.get(project=submitted).status == Status.APPROVED
    rate = indicator(submitted, "居民参保率")
    before = snapshot(submitted)
    response = client_of("unit_own").post(
        reverse("perfgoals:save_indicator", args=[submitted.pk, rate.pk]),
        row_data(rate, actual_text="92%"),
        **HTMX,
    )
    assert response.status_code == 409
    assert "数据已锁定" in response.content.decode()
    assert snapshot(submitted) == before
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[submitted.pk])).content.decode()
    assert 'data-testid="submit"' not in page and "数据已锁定" in page


def test_only_a_supervisor_reopens_and_only_with_a_reason(small_project, client_of):
    url = review_url(small_project, "reopen")
    version = small_project.evaluation.version
    assert client_of("unit_own").post(url, {"version": version, "reason": "想改"}).status_code == 403
    response = client_of("supervisor_own").post(url, {"version": version, "reason": ""})
    assert response.status_code == 422 and "重新开放必须填写理由" in response.content.decode()
    assert Evaluation.objects.get(project=small_project).status == Status.APPROVED
    response = client_of("supervisor_own").post(url, {"version": version, "reason": "更正满意度调查结果"})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(project=small_project)
    assert evaluation.status == Status.RETURNED and evaluation.reopened_at is not None
    assert ReviewAction.objects.get(evaluation=evaluation).comment == "更正满意度调查结果"


def test_two_supervisors_deciding_at_once_do_not_both_win(submitted, client_of):
    version = submitted.evaluation.version
    assert (
        client_of("supervisor_own").post(review_url(submitted, "approve"), {"version": version}).status_code
        == 302
    )
    response = client_of("admin").post(
        review_url(submitted, "return"), {"version": version, "comment": "请补充"}
    )
    assert response.status_code == 409
    assert "当前状态为“自评已审核”" in response.content.decode()
    assert Evaluation.objects.get(project=submitted).status == Status.APPROVED


def test_the_workflow_itself_checks_the_users_right(submitted, user_of):
    with pytest.raises(workflow.NotPermitted):
        workflow.approve_evaluation(submitted.evaluation, user_of("supervisor_other"))
    with pytest.raises(workflow.NotPermitted):
        workflow.approve_evaluation(submitted.evaluation, user_of("unit_own"))
    with pytest.raises(workflow.NotPermitted):
        rate = indicator(submitted, "居民参保率")
        workflow.save_indicator_actual(rate, user_of("unit_other"), {"actual_text": "90%"}, rate.version)
    assert Evaluation.objects.get(project=submitted).status == Status.SUBMITTED


def test_reported_scores_are_snapshotted_on_submission(submitted):
    survey = indicator(submitted, "参保居民满意度")
    assert survey.reported_score == survey.score == Decimal("4.89")
