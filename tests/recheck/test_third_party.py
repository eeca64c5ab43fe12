"""A third-party reviewer (第三方评价机构, #14): engaged by a region's finance bureau, it sees only the
复核 items finance assigns to it and their projects, records 复核得分 with reasons, and never finishes
an item, draws a sample or sees another item, sample or project."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.recheck import actions
from perfgoals.recheck.models import ItemStatus, RecheckScore
from perfgoals.workflow.errors import InvalidData, NotPermitted
from projects.choices import Role
from projects.models import Membership, Project, ProjectGrant
from projects.scoping import visible_projects
from tests.web.conftest import snapshot

from .test_views import first_weighted


@pytest.fixture
def sample(demo, user_of):
    return actions.draw_sample(user_of("finance"), 2019, {"risk": 1, "random": 10}, seed=9)


@pytest.fixture
def assigned(sample, small_project, user_of):
    item = sample.items.get(evaluation__project=small_project)
    return actions.assign_item(user_of("finance"), item, user_of("third_party").pk, item.version)


def test_assigning_grants_the_project_and_only_it(assigned, small_project, user_of):
    third = user_of("third_party")
    assert list(visible_projects(third)) == [small_project]
    grant = ProjectGrant.objects.get(user=third)
    assert (grant.project, grant.granted_by, grant.reason) == (
        small_project,
        user_of("finance"),
        f"复核记录 #{assigned.pk}",
    )
    assert assigned.history.first().history_change_reason.startswith("委托第三方复核：")
    # taken back: the project is gone from its scope again
    actions.assign_item(user_of("finance"), assigned, "", assigned.version)
    assert not visible_projects(third).exists() and not ProjectGrant.objects.exists()


def test_the_reviewer_scores_an_assigned_item_but_finance_finishes_it(assigned, small_project, client_of):
    before = snapshot(small_project)
    third = client_of("third_party")
    page = third.get(reverse("recheck:item", args=[assigned.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and small_project.name in text
    assert 'name="score"' in text and 'value="finish"' not in text and 'name="assignee"' not in text
    assert reverse("recheck:sample", args=[assigned.sample_id]) not in text  # not the sample
    row = first_weighted(small_project)
    response = third.post(
        reverse("recheck:item", args=[assigned.pk]),
        {"indicator": row.pk, "score": "0", "reason": "佐证材料与实际值不符", "version": assigned.version},
    )
    assert response.status_code == 302
    score = RecheckScore.objects.get(item=assigned)
    assert score.updated_by.username == "disanfang_yantai" and score.score == 0
    assigned.refresh_from_db()
    refused = third.post(
        reverse("recheck:item", args=[assigned.pk]),
        {"do": "finish", "findings": "未发现问题", "version": assigned.version},
    )
    assert refused.status_code == 403
    assigned.refresh_from_db()
    assert assigned.status == ItemStatus.IN_PROGRESS
    done = client_of("finance").post(
        reverse("recheck:item", args=[assigned.pk]),
        {"do": "finish", "findings": "第三方复核：一项指标佐证不足。", "version": assigned.version},
    )
    assert done.status_code == 302
    assigned.refresh_from_db()
    assert (
        assigned.status == ItemStatus.DONE and assigned.recheck_total < small_project.evaluation.total_score
    )
    assert snapshot(small_project) == before  # the unit's own data never change


def test_the_reviewer_sees_nothing_else(assigned, sample, main_project, client_of):
    third = client_of("third_party")
    other = sample.items.exclude(pk=assigned.pk).first()
    assert third.get(reverse("recheck:item", args=[other.pk])).status_code == 404
    assert third.get(reverse("recheck:sample", args=[sample.pk])).status_code == 404
    assert third.get(reverse("recheck:sample_xlsx", args=[sample.pk])).status_code == 404
    assert third.get(reverse("perfgoals:project", args=[main_project.pk])).status_code == 404
    index = third.get(reverse("recheck:index")).content.decode()
    assert assigned.evaluation.project.name in index and f"复核样本 #{sample.pk}" not in index
    assert third.get("/").headers["Location"] == reverse("recheck:index")
    row = first_weighted(other.evaluation.project)
    forged = third.post(
        reverse("recheck:item", args=[other.pk]),
        {"indicator": row.pk, "score": "0", "reason": "x", "version": other.version},
    )
    assert forged.status_code == 404 and not RecheckScore.objects.filter(item=other).exists()


def test_only_the_regions_finance_assigns_and_only_to_its_third_parties(sample, small_project, user_of, demo):
    item = sample.items.get(evaluation__project=small_project)
    for who in ("third_party", "supervisor_own", "finance_other"):
        with pytest.raises(NotPermitted):
            actions.assign_item(user_of(who), item, user_of("third_party").pk, item.version)
    with pytest.raises(InvalidData):  # a finance reviewer is not a third party
        actions.assign_item(user_of("finance"), item, user_of("finance").pk, item.version)
    qinghai = Membership.objects.get(user__username="caizheng_qinghai").region
    outsider = user_of("tianbao_qinghai")
    Membership.objects.filter(user=outsider).delete()
    Membership.objects.create(user=outsider, role=Role.THIRD_PARTY, region=qinghai)
    with pytest.raises(InvalidData):  # engaged by another region
        actions.assign_item(user_of("finance"), item, outsider.pk, item.version)
    with pytest.raises(InvalidData):
        actions.assign_item(user_of("finance"), item, "1; drop", item.version)
    item.refresh_from_db()
    assert item.assignee is None and not ProjectGrant.objects.exists()


def test_a_forged_assignment_post_changes_nothing(sample, small_project, client_of, user_of):
    item = sample.items.get(evaluation__project=small_project)
    url = reverse("recheck:item", args=[item.pk])
    third = user_of("third_party").pk
    assert client_of("third_party").post(url, {"do": "assign", "assignee": third}).status_code == 404
    assert client_of("supervisor_own").post(url, {"do": "assign", "assignee": third}).status_code == 404
    stale = client_of("finance").post(url, {"do": "assign", "assignee": third, "version": item.version + 3})
    assert stale.status_code == 409
    response = client_of("finance").post(url, {"do": "assign", "assignee": third, "version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assignee_id == third


def test_the_engagement_is_a_region_not_a_project(demo):
    """A third-party membership names the region that engaged it; no unit or department."""
    from django.db import IntegrityError, transaction

    user = Membership.objects.get(user__username="disanfang_yantai")
    assert (user.role, user.unit_id, user.department_id) == (Role.THIRD_PARTY, None, None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user.user, role=Role.THIRD_PARTY, unit=Project.objects.first().unit)


def test_a_third_party_sign_in_lands_on_its_work(assigned, client_of):
    page = client_of("third_party").get(reverse("recheck:index"))
    assert 'href="/recheck/"' in page.content.decode()  # 复核 in the navigation
    assert Client().get(reverse("recheck:index")).status_code == 302  # anonymous → login
