"""Units and their department see the final 复核 on the project page (issue 14): once finance has
finished the item, its 复核总分 / 复核等级, findings and each re-scored indicator with its reason; never
the working notes (scores and reasons) of an item still in progress."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals.models import Indicator
from perfgoals.recheck import actions

pytestmark = pytest.mark.django_db

NOTE = "满意度调查样本不足，按 60% 计"
FINDINGS = "满意度佐证缺失，建议下年度补充问卷"


@pytest.fixture
def item(demo, user_of, small_project):
    sample = actions.draw_sample(user_of("finance"), 2019, {"risk": 1, "random": 10}, seed=9)
    return sample.items.get(evaluation__project=small_project)


@pytest.fixture
def scored(item, user_of, small_project):
    """An item in progress with one lowered 复核得分 and its reason: finance's working notes."""
    indicator = (
        Indicator.objects.filter(project=small_project, not_applicable=False, weight__gt=0)
        .order_by("order")
        .first()
    )
    lowered = (indicator.weight * Decimal("0.6")).quantize(Decimal("0.01"))
    actions.record_indicator_score(user_of("finance"), item, indicator, str(lowered), NOTE)
    item.refresh_from_db()
    return item


def page(client, project) -> str:
    response = client.get(reverse("perfgoals:project", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["unit_own", "supervisor_own", "finance", "admin"])
def test_an_item_in_progress_shows_nothing_on_the_project_page(who, scored, small_project, client_of):
    body = page(client_of(who), small_project)
    assert NOTE not in body and 'data-testid="recheck-final"' not in body


@pytest.mark.parametrize("who", ["unit_own", "supervisor_own", "finance", "admin"])
def test_a_finished_item_shows_its_result_to_whoever_reads_the_project(
    who, scored, small_project, user_of, client_of
):
    done = actions.finish_item(user_of("finance"), scored, FINDINGS, scored.version)
    body = page(client_of(who), small_project)
    assert 'data-testid="recheck-final"' in body
    assert NOTE in body and FINDINGS in body
    assert f'data-testid="recheck-final-grade">{done.recheck_grade}<' in body
    assert f"{done.recheck_total:.2f}" in body


@pytest.mark.parametrize("who", ["unit_other", "supervisor_other", "finance_other"])
def test_others_never_reach_it(who, scored, small_project, user_of, client_of):
    actions.finish_item(user_of("finance"), scored, FINDINGS, scored.version)
    response = client_of(who).get(reverse("perfgoals:project", args=[small_project.pk]))
    assert response.status_code == 404 and FINDINGS not in response.content.decode()


def test_the_units_pages_never_carry_working_notes(scored, small_project, client_of):
    client = client_of("unit_own")
    for url in (
        reverse("perfgoals:project", args=[small_project.pk]),
        reverse("perfgoals:review", args=[small_project.pk]),
        reverse("oversight:unit_home"),
    ):
        response = client.get(url)
        assert NOTE not in response.content.decode()
    assert client.get(reverse("recheck:item", args=[scored.pk])).status_code == 404
