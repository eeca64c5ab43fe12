"""The department's 公开 page and its two POSTs: every URL × anonymous, unit, supervisor of this / another
department, finance of this / another region, admin. Forged and stale POSTs change nothing and say why."""

from __future__ import annotations

import pytest
from django.test import Client

from perfgoals.choices import Status
from perfgoals.models import ReviewAction
from perfgoals.publication import actions
from perfgoals.publication.contents import preview
from perfgoals.publication.models import Kind, Publication
from tests.web.conftest import set_status

from .conftest import GOALS_YEAR, RESULTS_YEAR, projects_of, statuses

pytestmark = pytest.mark.django_db

PUBLISHERS = ["supervisor_own", "finance", "admin"]
OUTSIDERS = ["unit_own", "unit_other", "supervisor_other", "finance_other"]


def client(client_of, role):
    return Client() if role == "anonymous" else client_of(role)


def publish_url(department, year, kind):
    return f"/publication/{department.pk}/{year}/{kind}/"


def test_the_page_asks_anonymous_to_sign_in(department):
    for url, method in (
        ("/publication/", "get"),
        (publish_url(department, GOALS_YEAR, Kind.GOALS), "post"),
        ("/publication/withdraw/1/", "post"),
    ):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert not Publication.objects.exists()


@pytest.mark.parametrize("role", ["unit_own", "unit_other"])
def test_units_never_see_the_page(role, client_of, department):
    assert client_of(role).get("/publication/").status_code == 404
    assert client_of(role).get("/publication/", {"department": department.pk}).status_code == 404


@pytest.mark.parametrize("role", PUBLISHERS)
def test_the_publishers_see_what_would_be_included_and_excluded(role, client_of, department):
    excluded = projects_of(department, GOALS_YEAR)[0]
    set_status(excluded, Status.TARGETS_SUBMITTED)
    page = client_of(role).get("/publication/", {"department": department.pk, "year": GOALS_YEAR})
    assert page.status_code == 200
    text = page.content.decode()
    assert "预算公开" in text and "决算公开" in text
    assert "将公开 <b>7</b> 个项目" in text
    assert excluded.name in text and "绩效目标尚未批复（当前状态：目标已提交）" in text
    assert preview(department, GOALS_YEAR, Kind.GOALS).token in text


@pytest.mark.parametrize("role", ["supervisor_other", "finance_other"])
def test_another_departments_publishers_do_not_reach_this_one(role, client_of, department):
    assert client_of(role).get("/publication/").status_code == 200  # their own department
    assert department.name not in client_of(role).get("/publication/").content.decode()
    assert client_of(role).get("/publication/", {"department": department.pk}).status_code == 404


@pytest.mark.parametrize("role", PUBLISHERS)
def test_a_publisher_publishes_by_post(role, client_of, department):
    token = preview(department, RESULTS_YEAR, Kind.RESULTS).token
    response = client_of(role).post(publish_url(department, RESULTS_YEAR, Kind.RESULTS), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == f"/publication/?department={department.pk}&year={RESULTS_YEAR}"
    publication = Publication.objects.get()
    assert publication.kind == Kind.RESULTS and len(publication.projects) == 3
    assert set(statuses(department, RESULTS_YEAR).values()) == {Status.PUBLISHED}
    page = client_of(role).get(response["Location"]).content.decode()
    assert "已公开" in page and publication.slug in page and "撤回" in page


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("kind", [Kind.GOALS, Kind.RESULTS])
def test_a_forged_publish_from_anyone_else_is_not_found_and_changes_nothing(
    role, kind, client_of, department
):
    year = GOALS_YEAR if kind == Kind.GOALS else RESULTS_YEAR
    before = statuses(department, year)
    token = preview(department, year, kind).token
    response = client_of(role).post(publish_url(department, year, kind), {"token": token})
    assert response.status_code == 404
    assert not Publication.objects.exists() and statuses(department, year) == before


@pytest.mark.parametrize(
    "url",
    [
        "/publication/{d}/2021/everything/",  # no such kind
        "/publication/{d}/1999/goals/",  # no such year in the department
        "/publication/999999/2021/goals/",  # no such department
    ],
)
def test_forged_addresses_are_not_found(url, client_of, department):
    response = client_of("supervisor_own").post(url.format(d=department.pk))
    assert response.status_code == 404
    assert not Publication.objects.exists()


def test_a_get_on_the_publish_address_is_refused(client_of, department):
    response = client_of("supervisor_own").get(publish_url(department, GOALS_YEAR, Kind.GOALS))
    assert response.status_code == 405
    assert not Publication.objects.exists()


def test_a_stale_page_publishes_nothing_and_says_why(client_of, department):
    token = preview(department, RESULTS_YEAR, Kind.RESULTS).token
    set_status(projects_of(department, RESULTS_YEAR)[0], Status.RETURNED)
    before = statuses(department, RESULTS_YEAR)
    response = client_of("supervisor_own").post(
        publish_url(department, RESULTS_YEAR, Kind.RESULTS), {"token": token}
    )
    assert response.status_code == 409
    assert "公开范围在您打开页面后已有变化" in response.content.decode()
    assert not Publication.objects.exists() and statuses(department, RESULTS_YEAR) == before
    # a forged token is refused the same way
    response = client_of("supervisor_own").post(
        publish_url(department, RESULTS_YEAR, Kind.RESULTS), {"token": "x" * 500}
    )
    assert response.status_code == 409 and not Publication.objects.exists()


def test_publishing_twice_says_it_is_published(client_of, department, user_of):
    actions.publish_goals(department, GOALS_YEAR, user_of("supervisor_own"))
    response = client_of("finance").post(
        publish_url(department, GOALS_YEAR, Kind.GOALS),
        {"token": preview(department, GOALS_YEAR, Kind.GOALS).token},
    )
    assert response.status_code == 409 and "请先撤回再重新公开" in response.content.decode()
    assert Publication.objects.count() == 1


@pytest.mark.parametrize("role", PUBLISHERS)
def test_a_publisher_withdraws_with_a_reason(role, client_of, department, user_of):
    publication = actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))
    response = client_of(role).post(f"/publication/withdraw/{publication.pk}/", {"reason": "数据更正"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert not publication.in_force and publication.withdraw_reason == "数据更正"
    assert set(statuses(department, RESULTS_YEAR).values()) == {Status.APPROVED}
    page = client_of(role).get(response["Location"]).content.decode()
    assert "数据更正" in page  # the record of the withdrawal


def test_a_withdrawal_without_a_reason_changes_nothing(client_of, department, user_of):
    publication = actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))
    logged = ReviewAction.objects.count()
    response = client_of("supervisor_own").post(f"/publication/withdraw/{publication.pk}/", {"reason": " "})
    assert response.status_code == 422 and "撤回公开必须填写理由" in response.content.decode()
    publication.refresh_from_db()
    assert publication.in_force and ReviewAction.objects.count() == logged
    assert set(statuses(department, RESULTS_YEAR).values()) == {Status.PUBLISHED}


@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_forged_withdrawal_from_anyone_else_is_not_found(role, client_of, department, user_of):
    publication = actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))
    response = client_of(role).post(f"/publication/withdraw/{publication.pk}/", {"reason": "伪造"})
    assert response.status_code == 404
    publication.refresh_from_db()
    assert publication.in_force
    assert set(statuses(department, RESULTS_YEAR).values()) == {Status.PUBLISHED}


def test_the_reports_page_links_to_publication(client_of, department):
    page = client_of("supervisor_own").get("/reports/", {"department": department.pk, "year": GOALS_YEAR})
    assert f"/publication/?department={department.pk}&amp;year={GOALS_YEAR}" in page.content.decode()


def test_the_navigation_offers_publication_to_publishers_only(client_of):
    assert 'href="/publication/"' in client_of("supervisor_own").get("/reports/").content.decode()
    assert 'href="/publication/"' not in client_of("unit_own").get("/reports/").content.decode()


def test_the_page_lists_every_year_of_the_department(client_of, department, user_of):
    actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))
    response = client_of("finance").get("/publication/", {"department": department.pk})
    rows = {row["year"]: row for row in response.context["year_rows"]}
    assert set(rows) == {GOALS_YEAR, RESULTS_YEAR}
    goals_2021 = dict((kind, (current, ready)) for kind, current, ready in rows[GOALS_YEAR]["kinds"])
    assert goals_2021[Kind.GOALS] == (None, 8) and goals_2021[Kind.RESULTS] == (None, 0)
    results_2019 = dict((kind, (current, ready)) for kind, current, ready in rows[RESULTS_YEAR]["kinds"])
    assert results_2019[Kind.RESULTS][0] == Publication.objects.get() and results_2019[Kind.RESULTS][1] == 3
    text = response.content.decode()
    assert "各年度公开情况" in text and "可公开 8 个项目" in text and "已公开" in text
