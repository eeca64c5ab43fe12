"""The named actions of 公开: who may publish, what is included and excluded, the 已公开 move through the
workflow's table, the frozen contents, withdrawal (撤回) with its reason, and refusals that change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator, ReviewAction, ReviewActionKind
from perfgoals.oversight.figures import overview
from perfgoals.publication import actions
from perfgoals.publication.contents import preview
from perfgoals.publication.models import Kind, Publication
from perfgoals.workflow import InvalidData, NotPermitted, VersionConflict, WorkflowError
from perfgoals.workflow.review import TRANSITIONS
from projects.models import Project
from tests.web.conftest import set_status

from .conftest import GOALS_YEAR, RESULTS_YEAR, projects_of, statuses

pytestmark = pytest.mark.django_db


def test_the_publish_moves_are_in_the_one_table():
    publish = TRANSITIONS[ReviewActionKind.PUBLISH]
    assert publish.from_statuses == {Status.APPROVED} and publish.to_status == Status.PUBLISHED
    unpublish = TRANSITIONS[ReviewActionKind.UNPUBLISH]
    assert unpublish.from_statuses == {Status.PUBLISHED} and unpublish.to_status == Status.APPROVED
    assert unpublish.comment == "required"


def test_publish_goals_freezes_the_approved_goal_tables_and_lists_the_rest(department, user_of):
    projects = projects_of(department, GOALS_YEAR)
    draft = projects[0]
    set_status(draft, Status.DRAFT)
    before = statuses(department, GOALS_YEAR)
    publication = actions.publish_goals(department, GOALS_YEAR, user_of("supervisor_own"))
    assert publication.kind == Kind.GOALS and publication.published_by.username == "shenhe_yantai"
    assert publication.published_at is not None and publication.in_force
    assert set(publication.project_ids) == {p.pk for p in projects[1:]}
    assert [e["id"] for e in publication.excluded] == [draft.pk]
    assert (
        "绩效目标尚未批复" in publication.excluded[0]["reason"]
        and "目标草稿" in publication.excluded[0]["reason"]
    )
    # the goal tables as printed: every indicator, level names as printed, target text, 性质 and 单位
    first = next(p for p in publication.projects if p["id"] == projects[1].pk)
    indicators = Indicator.objects.filter(project=projects[1]).order_by("order")
    assert len(first["indicators"]) == indicators.count() > 0
    for stored, ind in zip(first["indicators"], indicators, strict=True):
        assert stored["name"] == ind.name and stored["target"] == ind.target_text
        assert stored["level1"] == (ind.level1_printed or ind.get_level1_display())
        assert stored["level2"] == (ind.level2_printed or ind.get_level2_display())
        assert (stored["nature"], stored["unit"]) == (ind.nature_printed, ind.unit_printed)
    assert publication.contents["department"] == department.name
    # 预算公开 moves no status; the history says who and why
    assert statuses(department, GOALS_YEAR) == before
    record = publication.history.first()
    assert record.history_user.username == "shenhe_yantai"
    assert record.history_change_reason.startswith("预算公开")


def test_the_level_names_stay_as_printed(department, user_of):
    project = projects_of(department, GOALS_YEAR)[0]
    ind = Indicator.objects.filter(project=project).order_by("order").first()
    Indicator.objects.filter(pk=ind.pk).update(level2_printed="社会效益")
    publication = actions.publish_goals(department, GOALS_YEAR, user_of("supervisor_own"))
    stored = next(p for p in publication.projects if p["id"] == project.pk)["indicators"][0]
    assert stored["level2"] == "社会效益"


def test_publish_results_moves_the_approved_evaluations_to_published(department, user_of):
    projects = projects_of(department, RESULTS_YEAR)
    submitted = projects[0]
    set_status(submitted, Status.SUBMITTED)
    versions = dict(Evaluation.objects.filter(project__in=projects).values_list("project_id", "version"))
    publication = actions.publish_results(department, RESULTS_YEAR, user_of("finance"))
    assert set(publication.project_ids) == {p.pk for p in projects[1:]}
    assert [e["id"] for e in publication.excluded] == [submitted.pk]
    assert "自评已提交" in publication.excluded[0]["reason"]
    now = statuses(department, RESULTS_YEAR)
    assert now[submitted.pk] == Status.SUBMITTED
    for project in projects[1:]:
        evaluation = Evaluation.objects.get(project=project)
        assert now[project.pk] == Status.PUBLISHED
        assert evaluation.version == versions[project.pk] + 1
        assert evaluation.history.first().history_change_reason == "决算公开"
        assert evaluation.history.first().history_user.username == "caizheng_yantai"
        log = ReviewAction.objects.filter(evaluation=evaluation).first()
        assert (log.action, log.from_status, log.to_status) == (
            ReviewActionKind.PUBLISH,
            Status.APPROVED,
            Status.PUBLISHED,
        )
        item = next(p for p in publication.projects if p["id"] == project.pk)
        assert item["total_score"] == f"{evaluation.total_score:.2f}"
        assert item["grade"] == evaluation.grade
        assert item["execution_rate"].endswith("%")


def test_the_overview_still_counts_published_evaluations_as_approved(department, user_of):
    before = overview(
        Project.objects.filter(department=department, year=RESULTS_YEAR), RESULTS_YEAR, "region"
    )
    actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))
    after = overview(Project.objects.filter(department=department, year=RESULTS_YEAR), RESULTS_YEAR, "region")
    assert after.by_status[Status.PUBLISHED] == before.by_status[Status.APPROVED] == 3
    assert after.by_status[Status.APPROVED] == 0
    assert [row.approved for row in after.children] == [row.approved for row in before.children] == [3]
    assert [row.submitted for row in after.children] == [row.submitted for row in before.children]


@pytest.mark.parametrize("role", ["unit_own", "unit_other", "supervisor_other", "finance_other"])
@pytest.mark.parametrize("kind", [Kind.GOALS, Kind.RESULTS])
def test_no_one_else_publishes_and_nothing_changes(role, kind, department, user_of):
    year = GOALS_YEAR if kind == Kind.GOALS else RESULTS_YEAR
    before = statuses(department, year)
    act = actions.publish_goals if kind == Kind.GOALS else actions.publish_results
    with pytest.raises(NotPermitted):
        act(department, year, user_of(role))
    assert not Publication.objects.exists()
    assert statuses(department, year) == before
    assert not ReviewAction.objects.filter(action=ReviewActionKind.PUBLISH).exists()


def test_the_admin_publishes_too(department, user_of):
    assert actions.publish_goals(department, GOALS_YEAR, user_of("admin")).in_force


def test_a_second_publication_of_the_same_kind_is_refused_until_withdrawn(department, user_of):
    supervisor = user_of("supervisor_own")
    first = actions.publish_goals(department, GOALS_YEAR, supervisor)
    with pytest.raises(WorkflowError, match="请先撤回"):
        actions.publish_goals(department, GOALS_YEAR, supervisor)
    assert Publication.objects.count() == 1
    actions.withdraw(first, supervisor, "指标值有误，更正后重新公开")
    second = actions.publish_goals(department, GOALS_YEAR, supervisor)
    assert second.pk != first.pk and second.slug != first.slug
    assert Publication.objects.filter(withdrawn_at__isnull=True).get() == second


def test_a_page_that_saw_another_scope_publishes_nothing(department, user_of):
    projects = projects_of(department, RESULTS_YEAR)
    token = preview(department, RESULTS_YEAR, Kind.RESULTS).token
    set_status(projects[0], Status.RETURNED)  # someone reopened one since the page was shown
    before = statuses(department, RESULTS_YEAR)
    with pytest.raises(VersionConflict, match="公开范围"):
        actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"), expected=token)
    assert not Publication.objects.exists() and statuses(department, RESULTS_YEAR) == before
    # the page's current token publishes
    token = preview(department, RESULTS_YEAR, Kind.RESULTS).token
    assert actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"), expected=token)


def test_nothing_to_publish_and_a_bad_year_are_refused(department, user_of):
    for project in projects_of(department, RESULTS_YEAR):
        set_status(project, Status.ENTERING)
    with pytest.raises(WorkflowError, match="没有自评已审核通过的项目"):
        actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))
    with pytest.raises(InvalidData, match="年度"):
        actions.publish_goals(department, "二〇二一", user_of("supervisor_own"))
    assert not Publication.objects.exists()


def test_withdrawing_results_needs_a_reason_and_moves_them_back(department, user_of):
    supervisor = user_of("supervisor_own")
    publication = actions.publish_results(department, RESULTS_YEAR, supervisor)
    with pytest.raises(InvalidData, match="撤回公开必须填写理由"):
        actions.withdraw(publication, supervisor, "   ")
    with pytest.raises(NotPermitted):
        actions.withdraw(publication, user_of("finance_other"), "理由")
    with pytest.raises(NotPermitted):
        actions.withdraw(publication, user_of("unit_own"), "理由")
    publication.refresh_from_db()
    assert publication.in_force
    assert set(statuses(department, RESULTS_YEAR).values()) == {Status.PUBLISHED}

    done = actions.withdraw(publication, user_of("finance"), "执行率数据需更正")
    assert (done.withdrawn_by.username, done.withdraw_reason) == ("caizheng_yantai", "执行率数据需更正")
    assert set(statuses(department, RESULTS_YEAR).values()) == {Status.APPROVED}
    log = ReviewAction.objects.filter(action=ReviewActionKind.UNPUBLISH)
    assert log.count() == 3 and {entry.comment for entry in log} == {"执行率数据需更正"}
    assert done.history.first().history_change_reason == "撤回公开：执行率数据需更正"
    with pytest.raises(WorkflowError, match="已于"):
        actions.withdraw(done, supervisor, "再撤一次")


def test_a_published_evaluation_reopened_stays_as_published(department, user_of):
    from perfgoals import workflow

    supervisor = user_of("supervisor_own")
    publication = actions.publish_results(department, RESULTS_YEAR, supervisor)
    evaluation = Evaluation.objects.get(project_id=publication.project_ids[0])
    workflow.reopen_evaluation(evaluation, supervisor, "更正实际完成值", evaluation.version)
    assert Evaluation.objects.get(pk=evaluation.pk).status == Status.RETURNED
    publication.refresh_from_db()
    assert publication.project_ids[0] == evaluation.project_id  # the published record is unchanged
    # withdrawing later leaves the reopened one where it is
    actions.withdraw(publication, supervisor, "重新审核")
    assert Evaluation.objects.get(pk=evaluation.pk).status == Status.RETURNED


def test_what_was_published_cannot_be_changed(department, user_of):
    publication = actions.publish_goals(department, GOALS_YEAR, user_of("supervisor_own"))
    publication.contents["projects"][0]["name"] = "改过的名称"
    with pytest.raises(ValidationError):
        publication.save()
    assert Publication.objects.get(pk=publication.pk).projects[0]["name"] != "改过的名称"
