"""Inflated self-scores, shown everywhere they matter (#12): the entry page and the review page show a
reported score above the computed one with the gap ("自报 10.00，高于计算 1.80（高出 8.20）"), on its row
and for the evaluation's total; a reported score at or below the computed one shows nothing new."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.models import Evaluation, Indicator

from .conftest import HTMX, indicator, row_data

pytestmark = pytest.mark.django_db

BOX = 'data-testid="reported-above"'


@pytest.fixture
def reopened(main_project, user_of):
    """Seed 001 附件1, approved as published, reopened by its supervisor for correction."""
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "按审计意见更正实际完成值")
    main_project.evaluation.refresh_from_db()
    return main_project


def scored(project, *, below_weight: bool = False) -> list[Indicator]:
    rows = [
        ind
        for ind in project.indicators.order_by("order")
        if ind.score is not None and ind.weight and not ind.not_applicable
    ]
    return [ind for ind in rows if ind.score < ind.weight] if below_weight else rows


def inflate(ind: Indicator, by: str) -> Decimal:
    """Test setup: the unit's printed (reported) score ``by`` above the computed one."""
    reported = ind.score + Decimal(by)
    Indicator.objects.filter(pk=ind.pk).update(reported_score=reported)
    return reported


def row_html(html: str, ind: Indicator) -> str:
    match = re.search(rf'<tr id="ind-{ind.pk}".*?</tr>', html, re.S)
    assert match, f"row of {ind.name} not on the page"
    return match.group(0)


def test_the_entry_page_shows_a_reported_score_above_the_computed_one_with_the_gap(reopened, client_of):
    high, low, *_ = scored(reopened)
    reported = inflate(high, "8.20")
    Indicator.objects.filter(pk=low.pk).update(reported_score=low.score - Decimal("0.5"))  # below: not this
    html = client_of("unit_own").get(reverse("perfgoals:project", args=[reopened.pk])).content.decode()
    assert html.count(BOX) == 1
    assert f"自报 {reported:.2f}，高于计算 {high.score:.2f}（高出 8.20）" in row_html(html, high)
    assert BOX not in row_html(html, low)
    assert 'class="reported-above"' in html  # the warning style


def test_the_entry_page_shows_a_reported_total_above_the_computed_one(reopened, client_of):
    evaluation = reopened.evaluation
    Evaluation.objects.filter(pk=evaluation.pk).update(
        submitted_total=None, printed_total=evaluation.total_score + Decimal(5)
    )
    html = client_of("unit_own").get(reverse("perfgoals:project", args=[reopened.pk])).content.decode()
    total = evaluation.total_score
    assert 'data-testid="reported-total-above"' in html  # in the summary bar
    assert f"高于计算 {total:.2f}（高出 5.00）" in html
    assert f"自报 {total + 5:.2f}，高于计算 {total:.2f}（高出 5.00）" in html  # on the total row
    # a total reported at the computed one: nothing
    Evaluation.objects.filter(pk=evaluation.pk).update(printed_total=total)
    html = client_of("unit_own").get(reverse("perfgoals:project", args=[reopened.pk])).content.decode()
    assert "reported-total-above" not in html and BOX not in html


def test_the_gap_leaves_the_row_once_the_unit_changes_its_values(reopened, client_of):
    ind = scored(reopened)[0]
    inflate(ind, "3")
    response = client_of("unit_own").post(
        reverse("perfgoals:save_indicator", args=[reopened.pk, ind.pk]),
        row_data(ind, actual_text="0", deviation_note="当年未完成"),
        **HTMX,
    )
    assert response.status_code == 200
    # the printed score no longer describes the new values: the unit reports at submission
    assert Indicator.objects.get(pk=ind.pk).reported_score is None
    assert BOX not in row_html(response.content.decode(), ind)


def test_another_unit_does_not_see_the_page(reopened, client_of):
    inflate(scored(reopened)[0], "8.20")
    response = client_of("unit_other").get(reverse("perfgoals:project", args=[reopened.pk]))
    assert response.status_code == 404


@pytest.fixture
def submitted(main_project, user_of):
    """Seed 001 附件1 reopened, its guessed directions confirmed, submitted again."""
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "按审计意见更正")
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


def test_the_review_page_shows_reported_scores_and_total_above_the_computed_ones(submitted, client_of):
    survey = indicator(submitted, "参保居民满意度")  # computed 4.89 from 88 % against ≥ 90 %
    assert survey.reported_score == survey.score == Decimal("4.89")  # snapshotted on submission
    Indicator.objects.filter(pk=survey.pk).update(reported_score=Decimal(5))  # as if printed 5
    evaluation = submitted.evaluation
    Evaluation.objects.filter(pk=evaluation.pk).update(
        submitted_total=evaluation.total_score + Decimal("0.11")
    )
    html = client_of("supervisor_own").get(reverse("perfgoals:review", args=[submitted.pk])).content.decode()
    row = row_html(html, survey)
    assert "自报 5.00，高于计算 4.89（高出 0.11）" in row
    assert "满分依据不足：自报满分，按填报数值计算得 4.89" in row  # the review flag, as before
    total = evaluation.total_score
    assert f"自报 {total + Decimal('0.11'):.2f}，高于计算 {total:.2f}（高出 0.11）" in html  # the total row
    assert 'data-testid="reported-total-above"' in html  # beside 自报总分（提交时）
    assert html.count(BOX) == 2  # the row and the total, nothing else


def test_the_review_page_shows_no_gap_when_nothing_was_reported_above(submitted, client_of):
    html = client_of("supervisor_own").get(reverse("perfgoals:review", args=[submitted.pk])).content.decode()
    assert BOX not in html and "reported-total-above" not in html
