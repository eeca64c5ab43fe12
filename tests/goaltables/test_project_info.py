"""项目信息 on the web: 长期目标, 立项依据, 项目立项时间/结束时间, 是否包含政府采购/采购金额, 项目总预算 are
changed by one action (workflow.update_project_info): the unit, while the targets are a draft; Decimal
money; Chinese errors; a forged post, another unit's project (404), a reviewer (403), a stale version
(409) and locked targets (409) change nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.models import Evaluation
from projects.models import Department, Project
from tests.web.conftest import set_status

pytestmark = pytest.mark.django_db

FIELDS = (
    "long_term_goal",
    "legal_basis",
    "start_date",
    "end_date",
    "government_procurement",
    "procurement_amount",
    "total_budget",
)


@pytest.fixture
def project(demo, user_of) -> Project:
    unit_user = user_of("unit_own")
    project = next(
        p
        for p in Project.objects.filter(year=2021).select_related("unit__department").order_by("pk")
        if workflow.may_enter(unit_user, p)
    )
    set_status(project, Status.DRAFT)
    return project


def url(project) -> str:
    return reverse("perfgoals:save_project_info", args=[project.pk])


def stored(project) -> tuple:
    fresh = Project.objects.get(pk=project.pk)
    return tuple(getattr(fresh, name) for name in FIELDS)


def version(project) -> int:
    return Evaluation.objects.get(project=project).version


def post_data(project, **changes) -> dict:
    data = {
        "version": version(project),
        "long_term_goal": "三年内实现参保人员应保尽保",
        "legal_basis": "《中华人民共和国社会保险法》\n市政府第 12 次常务会议纪要",
        "start_date": "2021-01-01",
        "end_date": "2021-12-31",
        "government_procurement": "yes",
        "procurement_amount": "12.3456",
        "total_budget": "1,807.5万元",
    }
    data.update(changes)
    return data


def test_the_unit_saves_the_fields(project, client_of):
    before = version(project)
    response = client_of("unit_own").post(url(project), post_data(project))
    assert response.status_code == 302 and response["Location"].endswith("#goal-info")
    fresh = Project.objects.get(pk=project.pk)
    assert fresh.long_term_goal == "三年内实现参保人员应保尽保"
    assert fresh.legal_basis.startswith("《中华人民共和国社会保险法》\n")
    assert (fresh.start_date, fresh.end_date) == (date(2021, 1, 1), date(2021, 12, 31))
    assert fresh.government_procurement is True
    assert fresh.procurement_amount == Decimal("12.3456") and isinstance(fresh.procurement_amount, Decimal)
    assert fresh.total_budget == Decimal("1807.5")
    assert version(project) == before + 1
    record = fresh.history.first()
    assert record.history_change_reason.startswith("修改项目信息：长期目标")
    assert record.history_user.username == "tianbao_yantai"
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[project.pk])).content.decode()
    assert "三年内实现参保人员应保尽保" in page and "1807.5" in page and "2021.01.01 至 2021.12.31" in page
    assert 'id="project-info-form"' in page


def test_the_form_is_offered_only_to_the_unit_in_the_draft(project, client_of):
    page = reverse("perfgoals:project", args=[project.pk])
    assert 'id="project-info-form"' in client_of("unit_own").get(page).content.decode()
    assert 'id="project-info-form"' not in client_of("supervisor_own").get(page).content.decode()
    set_status(project, Status.TARGETS_APPROVED)
    assert 'id="project-info-form"' not in client_of("unit_own").get(page).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"total_budget": "abc"}, "请输入数字"),
        ({"total_budget": "-5"}, "不能为负数"),
        ({"total_budget": "1.23456"}, "最多保留 4 位小数"),
        ({"start_date": "2021-13-40"}, "请输入日期"),
        ({"end_date": "2020-12-31"}, "项目结束时间不能早于立项时间"),
        ({"government_procurement": "no"}, "只有包含政府采购的项目才填写政府采购金额"),
        ({"government_procurement": "maybe"}, "选择一个有效的选项"),
        ({"procurement_amount": "2000", "total_budget": "100"}, "政府采购金额不能超过项目总预算"),
    ],
)
def test_bad_input_changes_nothing(project, client_of, changes, message):
    before, before_version = stored(project), version(project)
    response = client_of("unit_own").post(url(project), post_data(project, **changes))
    assert response.status_code == 422
    text = response.content.decode()
    assert message in text and "项目信息有填写错误，未保存" in text
    assert stored(project) == before and version(project) == before_version


def test_a_stale_version_is_refused(project, client_of):
    before = stored(project)
    data = post_data(project, version=version(project) - 1)
    response = client_of("unit_own").post(url(project), data)
    assert response.status_code == 409 and "项目信息" in response.content.decode()
    assert stored(project) == before
    # no version at all (a forged post): refused by the form, nothing saved
    data.pop("version")
    assert client_of("unit_own").post(url(project), data).status_code == 422
    assert stored(project) == before


def test_locked_targets_change_nothing(project, client_of):
    set_status(project, Status.TARGETS_SUBMITTED)
    before = stored(project)
    response = client_of("unit_own").post(url(project), post_data(project))
    assert response.status_code == 409 and "指标体系已锁定" in response.content.decode()
    assert stored(project) == before


def test_others_change_nothing(project, client_of):
    before = stored(project)
    # a reviewer of the department sees the project but does not enter it
    assert client_of("supervisor_own").post(url(project), post_data(project)).status_code == 403
    # another department's people do not see it at all
    for role in ("supervisor_other", "finance_other"):
        assert client_of(role).post(url(project), post_data(project)).status_code == 404
    assert stored(project) == before
    # the unit's user on another department's project: 404
    other = Project.objects.filter(department=Department.objects.get(name="青海省医疗保障局")).first()
    set_status(other, Status.DRAFT)
    other_before = stored(other)
    assert client_of("unit_own").post(url(other), post_data(other)).status_code == 404
    assert stored(other) == other_before


def test_the_action_refuses_without_a_page_version(project, user_of):
    before = stored(project)
    with pytest.raises(workflow.VersionConflict):
        workflow.update_project_info(project, user_of("unit_own"), {"total_budget": Decimal("5")}, None)
    with pytest.raises(workflow.InvalidData):
        workflow.update_project_info(
            project, user_of("unit_own"), {"total_budget": Decimal("NaN")}, version(project)
        )
    assert stored(project) == before
    outcome = workflow.update_project_info(project, user_of("unit_own"), {}, None)
    assert outcome.changed == []
