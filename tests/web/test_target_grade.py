"""The graded target review (财预〔2015〕88号, issue 15): the supervisor grades submitted targets 优 / 良 / 中 /
差 through one action (workflow.grade_targets) whose grade picks the move in the transitions table — 优 and
良 approve, 中 returns the targets to be revised and resubmitted, 差 refuses them. The grade is stored and
shown on the project page, the review page and in the review log; a forged grade or another department's
project changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.intake import services as intake_services
from perfgoals.models import Evaluation, Indicator, ReviewAction
from projects.models import Project

from .conftest import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(small_project, user_of) -> Project:
    """困难群众医疗救助 rolled into 2020 and its targets submitted by the unit."""
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    project = Project.objects.select_related("evaluation", "unit__department").get(pk=report.created[0].pk)
    for ind in project.indicators.all():
        if workflow.direction_suggested(ind):
            Indicator.objects.filter(pk=ind.pk).update(direction_override=ind.direction)
    workflow.submit_targets(project.evaluation, user_of("unit_own"))
    project.evaluation.refresh_from_db()
    return project


def grade(client, project, grade, comment="", version=None):
    version = Evaluation.objects.get(project=project).version if version is None else version
    return client.post(
        reverse("perfgoals:grade_targets", args=[project.pk]),
        {"version": version, "grade": grade, "comment": comment},
    )


@pytest.mark.parametrize("given", ["优", "良"])
def test_excellent_and_good_approve_and_the_grade_is_shown_everywhere(submitted, client_of, user_of, given):
    response = grade(client_of("supervisor_own"), submitted, given, "目标明确，指标可衡量")
    assert response.status_code == 302 and response.url == reverse("perfgoals:review_queue")
    evaluation = Evaluation.objects.get(project=submitted)
    assert (evaluation.status, evaluation.target_grade) == (Status.TARGETS_APPROVED, given)
    assert evaluation.targets_approved_at is not None
    log = ReviewAction.objects.filter(evaluation=evaluation).first()
    assert (log.action, log.grade, log.user, log.comment) == (
        "approve_targets",
        given,
        user_of("supervisor_own"),
        "目标明确，指标可衡量",
    )
    assert evaluation.history.first().history_change_reason == f"批复绩效目标（评审等级：{given}）"
    for html in (
        client_of("unit_own").get(reverse("perfgoals:project", args=[submitted.pk])).content.decode(),
        client_of("supervisor_own").get(reverse("perfgoals:review", args=[submitted.pk])).content.decode(),
    ):
        assert f'data-testid="target-grade">{given}<' in html
        assert f'data-testid="log-grade">评审等级：{given}<' in html


def test_fair_returns_the_targets_to_be_revised_and_resubmitted(submitted, client_of, user_of):
    response = grade(client_of("supervisor_own"), submitted, "中", "满意度目标低于上年实际，请调整")
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(project=submitted)
    assert (evaluation.status, evaluation.target_grade) == (Status.DRAFT, "中")
    assert ReviewAction.objects.filter(evaluation=evaluation).first().action == "return_targets"
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[submitted.pk])).content.decode()
    assert "主管部门将绩效目标评为“中”并退回了绩效目标，请按意见修改后重新提交" in page
    assert "满意度目标低于上年实际，请调整" in page and "添加指标" in page  # the tree is the unit's again
    # revised and resubmitted: the reviewer sees the last grade until the new one
    satisfaction = Indicator.objects.get(project=submitted, level2="service_satisfaction")
    workflow.update_indicator_target(
        satisfaction, user_of("unit_own"), {"target_text": "≥88%"}, satisfaction.version
    )
    workflow.submit_targets(Evaluation.objects.get(project=submitted), user_of("unit_own"))
    review = (
        client_of("supervisor_own").get(reverse("perfgoals:review", args=[submitted.pk])).content.decode()
    )
    assert '上次目标评审等级：<strong class="grade-badge" data-testid="target-grade">中<' in review
    grade(client_of("supervisor_own"), submitted, "良")
    assert Evaluation.objects.get(project=submitted).target_grade == "良"
    assert list(
        ReviewAction.objects.filter(evaluation__project=submitted)
        .order_by("pk")
        .values_list("action", "grade")
    ) == [("submit_targets", ""), ("return_targets", "中"), ("submit_targets", ""), ("approve_targets", "良")]


def test_poor_refuses_the_targets_and_marks_them(submitted, client_of):
    response = grade(client_of("supervisor_own"), submitted, "差", "项目立项依据不足，绩效目标与支出内容不符")
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(project=submitted)
    assert (evaluation.status, evaluation.target_grade) == (Status.DRAFT, "差")
    log = ReviewAction.objects.filter(evaluation=evaluation).first()
    assert (log.action, log.grade, log.to_status) == ("refuse_targets", "差", Status.DRAFT)
    assert evaluation.history.first().history_change_reason.startswith(
        "绩效目标评为差，不予通过：项目立项依据不足"
    )
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[submitted.pk])).content.decode()
    assert "主管部门将绩效目标评为“差”，不予通过（不得进入预算安排）" in page
    assert "绩效目标不予通过" in page and 'data-testid="log-grade">评审等级：差<' in page


@pytest.mark.parametrize("given", ["中", "差"])
def test_fair_and_poor_need_a_comment(submitted, client_of, given):
    before = snapshot(submitted)
    response = grade(client_of("supervisor_own"), submitted, given, "  ")
    assert response.status_code == 422
    assert f"评为“{given}”时必须填写" in response.content.decode()
    assert snapshot(submitted) == before


@pytest.mark.parametrize("forged", ["", "A", "优良", "甲", "<script>", "approve"])
def test_a_forged_grade_is_refused_and_changes_nothing(submitted, client_of, user_of, forged):
    before = snapshot(submitted)
    response = grade(client_of("supervisor_own"), submitted, forged, "同意")
    assert response.status_code == 422 and "请选择评审等级：优、良、中或差。" in response.content.decode()
    assert snapshot(submitted) == before
    # the action itself refuses it too, whoever calls it
    with pytest.raises(workflow.InvalidData) as refused:
        workflow.grade_targets(submitted.evaluation, user_of("supervisor_own"), forged, "同意")
    assert refused.value.errors == {"grade": ["请选择评审等级：优、良、中或差。"]}
    assert snapshot(submitted) == before


@pytest.mark.parametrize("role", ["supervisor_other", "finance_other"])
def test_another_departments_project_is_not_found(submitted, client_of, role):
    before = snapshot(submitted)
    assert grade(client_of(role), submitted, "优").status_code == 404
    assert snapshot(submitted) == before


def test_the_unit_and_finance_may_not_grade(submitted, client_of, user_of):
    before = snapshot(submitted)
    assert grade(client_of("unit_own"), submitted, "优").status_code == 403
    assert grade(client_of("finance"), submitted, "优").status_code == 403
    assert snapshot(submitted) == before


def test_a_stale_page_is_refused(submitted, client_of):
    stale = Evaluation.objects.get(project=submitted).version
    Evaluation.objects.filter(project=submitted).update(version=stale + 1)
    before = snapshot(submitted)
    response = grade(client_of("supervisor_own"), submitted, "优", version=stale)
    assert response.status_code == 409
    assert snapshot(submitted) == before


def test_targets_not_submitted_cannot_be_graded(submitted, client_of):
    grade(client_of("supervisor_own"), submitted, "优")
    before = snapshot(submitted)
    response = grade(client_of("supervisor_own"), submitted, "差", "再议")
    assert response.status_code == 409 and "不能执行此操作" in response.content.decode()
    assert snapshot(submitted) == before


def test_each_grade_makes_exactly_one_move_of_the_table():
    from perfgoals.workflow.review import FORWARDS, TRANSITIONS

    assert {g: workflow.target_move(g) for g in ("优", "良", "中", "差", "", "A")} == {
        "优": "approve_targets",
        "良": "approve_targets",
        "中": "return_targets",
        "差": "refuse_targets",
        "": None,
        "A": None,
    }
    # where finance reviews targets last, the approval's forwards_as replaces it (never chosen by a grade)
    graded = [set(t.grades) for kind, t in TRANSITIONS.items() if t.grades and kind not in FORWARDS]
    assert sorted(g for grades in graded for g in grades) == sorted(["优", "良", "中", "差"])


@pytest.mark.parametrize("given, action", [("中", "退回绩效目标"), ("差", "绩效目标不予通过")])
def test_the_units_home_lists_returned_and_refused_targets_first(submitted, client_of, given, action):
    grade(client_of("supervisor_own"), submitted, given, "成本指标测算依据不足")
    page = client_of("unit_own").get(reverse("oversight:unit_home"), {"year": 2020})
    html = page.content.decode()
    assert page.context["rows"][0]["project"].pk == submitted.pk
    returned = html[html.index(f'data-testid="returned-{submitted.pk}"') :]
    returned = returned[: returned.index("</li>")]
    assert f"{action}（评审等级：{given}）" in returned and "成本指标测算依据不足" in returned
    assert "按评审意见修改绩效目标后重新提交" in html


def test_a_draft_never_submitted_is_not_listed_as_returned(small_project, user_of, client_of):
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    page = client_of("unit_own").get(reverse("oversight:unit_home"), {"year": 2020})
    assert f'data-testid="returned-{report.created[0].pk}"' not in page.content.decode()
    assert page.context["rows"][0]["next"] == "填报绩效目标并提交主管部门"
