"""The page's version: every change to a project-year's content moves ``Evaluation.version``; a submission
carries the version its page was rendered with and is refused when someone else changed anything since;
the user's own inline saves keep the page's version current; the history section follows every save."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.intake import services as intake_services
from perfgoals.models import Evaluation, Indicator, ReviewAction
from projects.choices import Role
from projects.models import BudgetLine, Membership, Project

from .conftest import HTMX, indicator, row_data, snapshot

pytestmark = pytest.mark.django_db

#: what a refused submission says, whoever changed what
STALE_SUBMIT = "自评没有提交。页面已显示最新数据，请核对后再提交。"


@pytest.fixture
def reopened(main_project, user_of):
    """Seed 001 附件1, reopened by its supervisor: complete but for one deviation note (see below)."""
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "按审计意见更正")
    # the seed's guessed directions confirmed as read (#12: a guess is confirmed before submitting)
    workflow.confirm_directions(main_project, user_of("unit_own"), None)
    main_project.evaluation.refresh_from_db()
    return main_project


@pytest.fixture
def colleague(main_project):
    """A second unit user of the same unit (烟台市医疗保障局): 李同事."""
    user = get_user_model().objects.create_user("tianbao_yantai_li", first_name="李同事", password="x")
    Membership.objects.create(user=user, role=Role.UNIT_USER, unit=main_project.unit)
    return user


@pytest.fixture
def draft(small_project, user_of) -> Project:
    """困难群众医疗救助 rolled into 2020 by its unit: a target draft."""
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    return Project.objects.select_related("evaluation", "unit__department").get(pk=report.created[0].pk)


def version_of(project) -> int:
    return Evaluation.objects.get(project=project).version


def fresh(ind: Indicator) -> Indicator:
    return Indicator.objects.get(pk=ind.pk)


def save(project, user, name: str, **values) -> workflow.SaveOutcome:
    ind = indicator(project, name)
    return workflow.save_indicator_actual(ind, user, values, ind.version)


def page_submit_version(html: str) -> int:
    """The version the submit button of a rendered page (or of an htmx answer) sends."""
    form = html[html.index('data-testid="submit"') - 400 : html.index('data-testid="submit"')]
    return int(re.search(r'name="version" value="(-?\d+)" class="page-version"', form).group(1))


def oob_page_version(html: str) -> int:
    return int(
        re.search(r'value="(-?\d+)" class="page-version" hx-swap-oob="outerHTML:.page-version"', html).group(
            1
        )
    )


def complete(project, user) -> None:
    """The one thing 附件1 lacks before submission: the reason why 居民参保率 (91%) missed 92%."""
    save(project, user, "居民参保率", actual_text="91%", deviation_note="外出务工人员未参保")


# --- workflow: every change moves the version --------------------------------------------------------


def test_every_change_to_the_results_moves_the_evaluation_version(reopened, user_of):
    user = user_of("unit_own")
    evaluation = reopened.evaluation
    start = version_of(reopened)

    outcome = save(reopened, user, "居民参保率", actual_text="91%")
    assert version_of(reopened) == start + 1
    assert (outcome.evaluation_version_before, outcome.evaluation_version) == (start, start + 1)
    record = Evaluation.history.filter(project_id=reopened.pk, version=start + 1).earliest("history_date")
    assert (
        record.history_user == user
        and record.history_change_reason == "填报指标“3、居民参保率”：实际完成值（B）"
    )

    save(reopened, user, "居民参保率", actual_text="91%")  # nothing changes: no new version
    assert version_of(reopened) == start + 1

    workflow.save_budget(evaluation, user, {"current_year": {"executed": Decimal("5460")}}, start + 1)
    assert version_of(reopened) == start + 2
    workflow.save_explanations(evaluation, user, {"goal_result_text": "全年目标基本完成。"}, start + 2)
    assert version_of(reopened) == start + 3
    assert (
        Evaluation.history.filter(project_id=reopened.pk, version=start + 3)
        .earliest("history_date")
        .history_change_reason
        == "修改目标实际完成情况"
    )


def test_every_change_to_the_targets_moves_the_evaluation_version(draft, user_of):
    user = user_of("unit_own")
    start = version_of(draft)
    first = Indicator.objects.filter(project=draft, level1="output").order_by("order").first()
    workflow.update_indicator_target(first, user, {"weight": first.weight - 5}, first.version)
    assert version_of(draft) == start + 1
    added = workflow.add_indicator(
        draft,
        user,
        {
            "level2": first.level2,
            "name": "新指标",
            "target_text": "≥5 次",
            "nature": "ge",
            "weight": Decimal(5),
        },
    ).indicator
    assert version_of(draft) == start + 2
    workflow.move_indicator(added, user, "up")
    assert version_of(draft) == start + 3
    workflow.delete_indicator(added, user, fresh(added).version)
    assert version_of(draft) == start + 4
    workflow.save_level1_weights(draft.evaluation, user, {"output": Decimal(40)}, start + 4)
    assert version_of(draft) == start + 5
    reasons = list(
        Evaluation.history.filter(project_id=draft.pk, version__gt=start)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", flat=True)
    )
    for reason in (
        "修改指标“",
        "新增指标“新指标”",
        "调整指标“新指标”的顺序",
        "删除指标“新指标”",
        "修改一级指标分值",
    ):
        assert any(r and r.startswith(reason) for r in reasons), reason


# --- workflow: submissions take the page's version ---------------------------------------------------


def test_a_submission_over_a_change_its_submitter_has_not_seen_is_refused(reopened, user_of, colleague):
    user = user_of("unit_own")
    seen = version_of(reopened)  # the user's page
    complete(reopened, colleague)  # the colleague saves a row the user's page does not show
    before = snapshot(reopened)
    with pytest.raises(workflow.VersionConflict) as refused:
        workflow.submit_evaluation(reopened.evaluation, user, seen)
    message = refused.value.message
    assert message.startswith("本项目的自评数据已被 李同事 于 ")
    assert "（填报指标“3、居民参保率”：实际完成值（B）、偏差原因分析及改进措施）" in message
    assert message.endswith(STALE_SUBMIT)
    assert refused.value.changed_by == "李同事"
    assert snapshot(reopened) == before  # nothing submitted, no reported score written
    # with the page reloaded, the submission goes
    assert (
        workflow.submit_evaluation(reopened.evaluation, user, version_of(reopened)).status == Status.SUBMITTED
    )


def test_the_users_own_saves_keep_the_page_current(reopened, user_of):
    user = user_of("unit_own")
    seen = version_of(reopened)
    seen = save(reopened, user, "参保居民满意度", actual_text="90%").page_version(seen)
    outcome = save(reopened, user, "居民参保率", actual_text="91%", deviation_note="外出务工人员未参保")
    seen = outcome.page_version(seen)
    assert seen == version_of(reopened)
    assert workflow.submit_evaluation(reopened.evaluation, user, seen).status == Status.SUBMITTED


def test_a_save_over_someone_elses_change_leaves_the_page_stale(reopened, user_of, colleague):
    user = user_of("unit_own")
    seen = version_of(reopened)
    save(reopened, colleague, "参保居民满意度", actual_text="90%")  # not on the user's page
    outcome = save(reopened, user, "居民参保率", actual_text="91%", deviation_note="外出务工人员未参保")
    assert outcome.page_version(seen) == seen  # the user's save does not hide the colleague's
    with pytest.raises(workflow.VersionConflict, match="李同事"):
        workflow.submit_evaluation(reopened.evaluation, user, outcome.page_version(seen))


def test_a_target_submission_over_an_unseen_change_is_refused(draft, user_of, colleague):
    Membership.objects.filter(user=colleague).update(unit=draft.unit)
    seen = version_of(draft)
    ind = Indicator.objects.filter(project=draft).order_by("order").first()
    workflow.update_indicator_target(ind, colleague, {"target_text": "≥99%"}, ind.version)
    with pytest.raises(workflow.VersionConflict) as refused:
        workflow.submit_targets(draft.evaluation, user_of("unit_own"), seen)
    assert refused.value.message.startswith("本项目的绩效目标已被 李同事 于 ")
    assert "绩效目标没有提交" in refused.value.message
    assert Evaluation.objects.get(project=draft).status == Status.DRAFT
    assert (
        workflow.submit_targets(draft.evaluation, user_of("unit_own"), version_of(draft)).status
        == Status.TARGETS_SUBMITTED
    )


def test_the_review_steps_still_take_the_version(reopened, user_of):
    complete(reopened, user_of("unit_own"))
    workflow.submit_evaluation(reopened.evaluation, user_of("unit_own"), version_of(reopened))
    submitted = version_of(reopened)
    with pytest.raises(workflow.VersionConflict, match="（提交审核）"):
        workflow.approve_evaluation(reopened.evaluation, user_of("supervisor_own"), "", submitted - 1)
    workflow.return_evaluation(reopened.evaluation, user_of("supervisor_own"), "请补充", submitted)
    assert version_of(reopened) == submitted + 1
    workflow.submit_evaluation(reopened.evaluation, user_of("unit_own"), submitted + 1)
    workflow.approve_evaluation(reopened.evaluation, user_of("supervisor_own"), "", submitted + 2)
    workflow.reopen_evaluation(reopened.evaluation, user_of("supervisor_own"), "再次更正", submitted + 3)
    assert Evaluation.objects.get(project=reopened).status == Status.RETURNED


# --- views: the page's version and the history follow the inline saves -------------------------------


def save_url(project, ind):
    return reverse("perfgoals:save_indicator", args=[project.pk, ind.pk])


def test_an_inline_save_answers_the_history_and_the_new_page_version(reopened, client_of):
    client = client_of("unit_own")
    page = client.get(reverse("perfgoals:project", args=[reopened.pk])).content.decode()
    seen = page_submit_version(page)
    assert seen == version_of(reopened)
    # every form of the page that carries the page's version is marked for the out-of-band update
    assert page.count('class="page-version"') == 3 + Indicator.objects.filter(project=reopened).count() + 1

    rate = indicator(reopened, "居民参保率")
    response = client.post(
        save_url(reopened, rate), {**row_data(rate, actual_text="91%"), "version": seen}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert oob_page_version(html) == page_submit_version(html) == seen + 1 == version_of(reopened)
    history = html[
        html.index('<section class="card" id="history" aria-label="变更记录" hx-swap-oob="true">') :
    ]
    assert "指标“3、居民参保率”" in history
    assert '<span class="old">93%</span> → <span class="new">91%</span>' in history

    # the page carries on from its own saves: the budget and the submission are not stale
    seen = oob_page_version(html)
    response = client.post(
        save_url(reopened, rate),
        {**row_data(fresh(rate), deviation_note="外出务工人员未参保"), "version": seen},
        **HTMX,
    )
    seen = oob_page_version(response.content.decode())
    response = client.post(
        reverse("perfgoals:save_budget", args=[reopened.pk]),
        {"version": seen, "current_year-executed": "5460"},
    )
    assert response.status_code == 302
    seen = page_submit_version(client.get(reverse("perfgoals:project", args=[reopened.pk])).content.decode())
    assert client.post(reverse("perfgoals:submit", args=[reopened.pk]), {"version": seen}).status_code == 302
    assert Evaluation.objects.get(project=reopened).status == Status.SUBMITTED


def test_a_stale_page_cannot_submit_and_is_told_who_changed_what(reopened, client_of, colleague):
    client = client_of("unit_own")
    seen = page_submit_version(client.get(reverse("perfgoals:project", args=[reopened.pk])).content.decode())
    complete(reopened, colleague)
    # the user's own save does not make the page current: it has not seen the colleague's
    survey = indicator(reopened, "参保居民满意度")
    html = client.post(
        save_url(reopened, survey), {**row_data(survey, actual_text="90%"), "version": seen}, **HTMX
    ).content.decode()
    assert oob_page_version(html) == page_submit_version(html) == seen
    # …though its history section now shows it
    assert "李同事" in html[html.index('id="history"') :]
    before = snapshot(reopened)
    response = client.post(reverse("perfgoals:submit", args=[reopened.pk]), {"version": seen})
    assert response.status_code == 409
    page = response.content.decode()
    assert "本项目的自评数据已被 李同事 于" in page and STALE_SUBMIT in page
    assert snapshot(reopened) == before
    # the answer is the page as it now is: submitting from it goes
    assert (
        client.post(
            reverse("perfgoals:submit", args=[reopened.pk]), {"version": page_submit_version(page)}
        ).status_code
        == 302
    )


@pytest.mark.parametrize("sent", [None, "", "abc", "-1", "9999"])
def test_a_forged_submit_version_changes_nothing(reopened, client_of, user_of, sent):
    complete(reopened, user_of("unit_own"))
    before = snapshot(reopened)
    data = {} if sent is None else {"version": sent}
    response = client_of("unit_own").post(reverse("perfgoals:submit", args=[reopened.pk]), data)
    assert response.status_code == 409
    page = response.content.decode()
    if sent == "9999":
        assert "本项目的自评数据已被 烟台市医疗保障局填报人 于" in page and STALE_SUBMIT in page
    else:
        assert "页面缺少版本信息，自评没有提交。" in page
    assert snapshot(reopened) == before


def test_a_forged_page_version_on_a_save_does_not_make_the_page_current(reopened, client_of):
    rate = indicator(reopened, "居民参保率")
    for sent in ({"version": "abc"}, {}, {"version": "9999"}):
        rate = fresh(rate)
        html = (
            client_of("unit_own")
            .post(
                save_url(reopened, rate),
                {**row_data(rate, deviation_note=f"说明{len(sent)}{sent}"), **sent},
                **HTMX,
            )
            .content.decode()
        )
        assert oob_page_version(html) != version_of(reopened)


@pytest.mark.parametrize("sent", ["stale", "abc"])
def test_a_stale_target_submission_changes_nothing(draft, client_of, sent):
    client = client_of("unit_own")
    version = version_of(draft)
    workflow.save_level1_weights(
        draft.evaluation,
        get_user_model().objects.get(username="tianbao_yantai"),
        {"output": Decimal(40)},
        version,
    )
    before = snapshot(draft)
    response = client.post(
        reverse("perfgoals:submit_targets", args=[draft.pk]),
        {"version": version if sent == "stale" else sent},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "项目支出绩效目标表" in page  # the target editor, with the latest data
    if sent == "stale":
        assert "本项目的绩效目标已被 烟台市医疗保障局填报人 于" in page and "（修改一级指标分值）" in page
    else:
        assert "页面缺少版本信息，绩效目标没有提交。" in page
    assert snapshot(draft) == before
    assert ReviewAction.objects.filter(evaluation__project=draft).count() == 0


def test_a_target_edit_answers_the_history_out_of_band(draft, client_of):
    ind = Indicator.objects.filter(project=draft).order_by("order").first()
    data = {f"t{ind.pk}-version": ind.version, f"t{ind.pk}-target_text": "≥99%"}
    html = (
        client_of("unit_own")
        .post(reverse("perfgoals:update_target", args=[draft.pk, ind.pk]), data, **HTMX)
        .content.decode()
    )
    history = html[
        html.index('<section class="card" id="history" aria-label="变更记录" hx-swap-oob="true">') :
    ]
    assert f"指标“{ind.name}”" in history and '<span class="new">≥99%</span>' in history
    # the re-rendered tree's submit button carries the new version
    assert f'<input type="hidden" name="version" value="{version_of(draft)}">' in html


#: an inline save and its answer, whatever the number of indicators: the action (locks, the row, the
#: evaluation's version bump and its history row, the rescoring, the change history) and the re-rendered
#: row with the page's parts out of band, of which the history section is 5 queries
#: (views.loading.history_records, with the bulk rescorings' ScoreChange rows since #18). 36 while the
#: answer built the whole page (issue #11: 31).
SAVE_QUERIES = 32


def test_an_inline_save_runs_a_fixed_number_of_queries(
    main_project, small_project, client_of, user_of, django_assert_num_queries
):
    client = client_of("unit_own")
    for project in (main_project, small_project):  # 24 and 5 indicators
        workflow.reopen_evaluation(project.evaluation, user_of("supervisor_own"), "更正")
        ind = Indicator.objects.filter(project=project).order_by("order").first()
        client.post(save_url(project, ind), row_data(ind, deviation_note="预热"), **HTMX)  # warm the session
        ind = fresh(ind)
        with django_assert_num_queries(SAVE_QUERIES):
            response = client.post(
                save_url(project, ind),
                {**row_data(ind, deviation_note="说明"), "version": version_of(project)},
                **HTMX,
            )
        assert response.status_code == 200


#: upper bounds of an inline save (request included) that changes a score: the rescoring writes the
#: row's new score and its history row too. 38 while the answer built the whole page.
RESCORING_SAVE_QUERIES = 34  # + the ScoreChange rows of the history section (#18)


@pytest.mark.parametrize(
    "values, bound",
    [({"deviation_note": "说明"}, SAVE_QUERIES), ({"actual_text": "91%"}, RESCORING_SAVE_QUERIES)],
)
def test_an_inline_save_answers_without_building_the_page(reopened, client_of, values, bound):
    """The answer is rendered from what the request loaded and the save returned: after the action only
    the history is read (4 queries), not the project, its indicators, rights and review log again."""
    client = client_of("unit_own")
    ind = indicator(reopened, "居民参保率")
    client.post(save_url(reopened, ind), row_data(ind, deviation_note="预热"), **HTMX)  # warm the session
    ind = fresh(ind)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            save_url(reopened, ind), {**row_data(ind, **values), "version": version_of(reopened)}, **HTMX
        )
    assert response.status_code == 200 and "已保存“3、居民参保率”" in response.content.decode()
    assert len(queries) <= bound
    sql = [query["sql"] for query in queries.captured_queries]
    assert not any("perfgoals_reviewaction" in text for text in sql)
    assert (
        sum(1 for text in sql if text.startswith('SELECT "projects_project"')) == 2
    )  # the view's, the action's


def test_budget_line_changes_are_not_lost_to_the_page_version(reopened, client_of, colleague):
    """A page that followed its own saves still conflicts on the budget when someone else changed it."""
    client = client_of("unit_own")
    seen = page_submit_version(client.get(reverse("perfgoals:project", args=[reopened.pk])).content.decode())
    workflow.save_budget(
        reopened.evaluation, colleague, {"current_year": {"executed": Decimal("5400")}}, seen
    )
    rate = indicator(reopened, "居民参保率")
    html = client.post(
        save_url(reopened, rate), {**row_data(rate, actual_text="91%"), "version": seen}, **HTMX
    ).content.decode()
    response = client.post(
        reverse("perfgoals:save_budget", args=[reopened.pk]),
        {"version": oob_page_version(html), "current_year-executed": "5460"},
    )
    assert response.status_code == 409
    assert "预算执行数据已被 李同事 于" in response.content.decode()
    assert BudgetLine.objects.get(project=reopened, source="current_year").executed == Decimal("5400")
