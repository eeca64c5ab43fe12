"""The review queue's tabs (待审核 / 已退回 / 已批复) and batch approval with one comment (issue 13):
all or nothing, each submission checked as a single approval is, another department's never named."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.models import Evaluation, ReviewAction
from projects.models import Project

from .conftest import set_status

pytestmark = pytest.mark.django_db

QUEUE = "perfgoals:review_queue"


@pytest.fixture
def submissions(demo):
    """Three of Yantai's 2021 projects submitted (two self-evaluations, one set of targets), one returned,
    one approved; one of Qinghai's submitted."""
    yantai = list(Project.objects.filter(year=2021, region__name="烟台市").order_by("pk")[:5])
    set_status(yantai[0], Status.SUBMITTED)
    set_status(yantai[1], Status.SUBMITTED)
    set_status(yantai[2], Status.TARGETS_SUBMITTED)
    set_status(yantai[3], Status.RETURNED)
    set_status(yantai[4], Status.APPROVED)
    qinghai = Project.objects.filter(year=2021, region__name="青海省").order_by("pk").first()
    set_status(qinghai, Status.SUBMITTED)
    return yantai, qinghai


def names(response) -> set[str]:
    return {row.record.name for row in response.context["table"].page.object_list}


def test_the_tabs_split_the_queue_and_count_under_the_same_filters(submissions, client_of):
    yantai, qinghai = submissions
    client = client_of("supervisor_own")
    pending = client.get(reverse(QUEUE))
    assert names(pending) == {p.name for p in yantai[:3]}
    counts = {t["code"]: t["count"] for t in pending.context["tabs"]}
    assert counts == {
        "pending": 3,
        "returned": 1,
        "approved": 1
        + Project.objects.filter(
            region__name="烟台市", evaluation__status__in=[Status.APPROVED, Status.PUBLISHED]
        )
        .exclude(pk=yantai[4].pk)
        .count(),
    }
    assert names(client.get(reverse(QUEUE), {"tab": "returned"})) == {yantai[3].name}
    assert yantai[4].name in names(client.get(reverse(QUEUE), {"tab": "approved", "year": 2021}))
    assert qinghai.name not in pending.content.decode()
    assert 'data-testid="approve-many"' in pending.content.decode()
    assert (
        'data-testid="approve-many"' not in client.get(reverse(QUEUE), {"tab": "returned"}).content.decode()
    )


def _select(*projects) -> list[str]:
    return [f"{p.evaluation.pk}:{Evaluation.objects.get(project=p).version}" for p in projects]


def test_batch_approval_approves_all_with_one_comment(submissions, client_of, user_of):
    yantai, _ = submissions
    chosen = yantai[:3]
    response = client_of("supervisor_own").post(
        reverse("perfgoals:approve_many"),
        {"select": _select(*chosen), "comment": "经审核，同意。", "target_grade": "良"},
    )
    assert response.status_code == 302
    statuses = {p.name: Evaluation.objects.get(project=p).status for p in chosen}
    assert statuses == {
        chosen[0].name: Status.APPROVED,
        chosen[1].name: Status.APPROVED,
        chosen[2].name: Status.TARGETS_APPROVED,
    }
    for p in chosen:
        action = ReviewAction.objects.filter(evaluation__project=p).order_by("-pk").first()
        assert action.comment == "经审核，同意。" and action.user == user_of("supervisor_own")
    assert "已批复 3 个项目" in [str(m) for m in get_messages(response.wsgi_request)][0]
    assert Evaluation.objects.get(project=chosen[2]).target_grade == "良"
    assert (
        ReviewAction.objects.filter(evaluation__project=chosen[2], action="approve_targets").get().grade
        == "良"
    )


@pytest.mark.parametrize("grade", ["", "中", "差", "A"])
def test_batch_approval_of_targets_needs_a_grade_of_good_or_better(submissions, client_of, grade):
    yantai, _ = submissions
    before = list(Evaluation.objects.order_by("pk").values_list("status", "version", "target_grade"))
    response = client_of("supervisor_own").post(
        reverse("perfgoals:approve_many"), {"select": _select(*yantai[:3]), "target_grade": grade}
    )
    message = [str(m) for m in get_messages(response.wsgi_request)][0]
    assert (
        "本次未批复任何项目" in message
        and f"{yantai[2].name}：批复绩效目标须选择评审等级（优或良）" in message
    )
    assert list(Evaluation.objects.order_by("pk").values_list("status", "version", "target_grade")) == before


def test_one_refusal_approves_none_and_says_why(submissions, client_of):
    yantai, qinghai = submissions
    stale = f"{yantai[1].evaluation.pk}:{Evaluation.objects.get(project=yantai[1]).version - 1}"
    before = list(Evaluation.objects.order_by("pk").values_list("status", "version"))
    actions = ReviewAction.objects.count()
    response = client_of("supervisor_own").post(
        reverse("perfgoals:approve_many"),
        {"select": [*_select(yantai[0]), stale, *_select(yantai[3], qinghai)], "comment": "同意"},
    )
    message = [str(m) for m in get_messages(response.wsgi_request)][0]
    assert "本次未批复任何项目" in message
    assert yantai[1].name in message  # the stale page
    assert yantai[3].name in message and "已退回修改" in message  # not waiting for approval
    assert qinghai.name not in message and "项目不存在或无权审核" in message  # another department's
    assert list(Evaluation.objects.order_by("pk").values_list("status", "version")) == before
    assert ReviewAction.objects.count() == actions


@pytest.mark.parametrize("select", [[], ["abc"], ["1:x"], ["9" * 30 + ":1"]])
def test_a_forged_or_empty_selection_changes_nothing(submissions, client_of, select):
    before = list(Evaluation.objects.order_by("pk").values_list("status", "version"))
    response = client_of("supervisor_own").post(reverse("perfgoals:approve_many"), {"select": select})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)]
    assert list(Evaluation.objects.order_by("pk").values_list("status", "version")) == before
