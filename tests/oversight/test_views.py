"""The overview pages: who gets which, what they show, and nothing outside the user's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.models import Evaluation

pytestmark = pytest.mark.django_db


def test_the_starting_page_is_the_overview_for_overseers_and_my_projects_for_units(client_of):
    for role, target in [
        ("finance", "/overview/"),
        ("supervisor_own", "/overview/"),
        ("admin", "/overview/"),
        ("unit_own", "/overview/mine/"),
    ]:
        response = client_of(role).get("/", follow=True)
        assert response.redirect_chain[-1][0] == target, role
        assert response.status_code == 200


def test_the_overview_shows_its_scope_only(client_of, demo):
    Evaluation.objects.filter(project__year=2019).update(status=Status.APPROVED)
    page = client_of("finance").get(reverse("oversight:overview"), {"year": 2019})
    html = page.content.decode()
    assert page.status_code == 200
    assert "烟台市医疗保障局" in html and "青海" not in html
    figures = page.context["figures"]
    assert figures.projects == 3 and figures.by_grade["优"] == 3
    # every status count links to the list filtered to exactly those projects
    card = next(c for c in page.context["status_cards"] if c["code"] == Status.APPROVED)
    listed = client_of("finance").get(card["url"])
    assert listed.context["table"].paginator.count == card["count"] == 3
    # the chart data and its tables are on the page; the chart library is served from the site
    assert 'id="overview-data"' in html and "vendor/echarts-5.6.0/echarts.common.min.js" in html
    assert "以表格查看" in html
    # another region's supervisor sees none of it, even when asking by id
    other = client_of("supervisor_other")
    department = figures.children[0].key if figures.level == "region" else page.context["scope"].department.pk
    assert (
        other.get(reverse("oversight:overview"), {"year": 2019, "department": department}).status_code == 404
    )


def test_a_signal_lists_its_projects(client_of, demo):
    Evaluation.objects.filter(project__year=2019).update(status=Status.APPROVED)
    page = client_of("supervisor_own").get(
        reverse("oversight:overview"), {"year": 2019, "signal": "weights_off_header"}
    )
    assert page.context["chosen_signal"].code == "weights_off_header"
    assert [r.project_name for r in page.context["flagged"]] == ["居民基本医疗保险市级财政补助"]
    assert "各三级指标分值之和与自评表表头的一级指标分值不一致" in page.content.decode()


def test_a_unit_user_sees_the_returned_evaluation_first_with_the_comment(client_of, user_of, main_project):
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "请补充满意度调查方式")
    page = client_of("unit_own").get(reverse("oversight:unit_home"), {"year": 2019})
    html = page.content.decode()
    assert page.context["rows"][0]["project"].pk == main_project.pk
    assert f'data-testid="returned-{main_project.pk}"' in html and "请补充满意度调查方式" in html
    assert "按审核意见修改后重新提交" in html
    # a unit user asking for the overview gets their own page
    assert client_of("unit_own").get(reverse("oversight:overview")).url == reverse("oversight:unit_home")
