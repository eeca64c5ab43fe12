"""Scores a supervisor can trust (#12): the walk-through's silent full marks, each reproduced first.

1. a guessed direction is confirmed by the unit before submitting, counted among 需核实 in review, and
   correctable by the supervisor during review with a reason;
2. a text actual against a quantitative target is flagged 文字实际值，需佐证;
3. a save that changes nothing changes nothing;
5. after the targets are approved the weights stay as approved, and a result cannot be saved on a draft.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.intake import services as intake_services
from perfgoals.models import Indicator
from projects.models import Project

from .conftest import HTMX, page_version, row_data, set_status, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(small_project, user_of) -> Project:
    """困难群众医疗救助 (2019, 5 indicators, weights 90 + 10) rolled into 2020 by its unit: a draft."""
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    return Project.objects.select_related("evaluation", "unit__department").get(pk=report.created[0].pk)


def save_url(project, ind):
    return reverse("perfgoals:save_indicator", args=[project.pk, ind.pk])


def approve_targets(project, user_of):
    """The draft's targets submitted and approved through the workflow."""
    for ind in project.indicators.all():
        if workflow.direction_suggested(ind):
            Indicator.objects.filter(pk=ind.pk).update(direction_override=ind.direction)
    workflow.submit_targets(project.evaluation, user_of("unit_own"))
    workflow.grade_targets(project.evaluation, user_of("supervisor_own"), "良")
    project.evaluation.refresh_from_db()
    return project


# --- 5. the workflow layer refuses what the page does not offer ---------------------------------------


def test_a_forged_result_on_a_draft_is_refused_and_changes_nothing(draft, client_of):
    ind = draft.indicators.order_by("order").first()
    before = snapshot(draft)
    response = client_of("unit_own").post(save_url(draft, ind), row_data(ind, actual_text="99%"), **HTMX)
    assert "绩效目标尚未批复，还不能填报完成情况" in response.content.decode()
    assert snapshot(draft) == before


def test_after_the_targets_are_approved_a_weight_cannot_move(draft, client_of, user_of):
    approve_targets(draft, user_of)
    assert draft.evaluation.targets_approved_at is not None
    ind = draft.indicators.filter(weight__gt=0).order_by("order").first()
    before = snapshot(draft)
    response = client_of("unit_own").post(
        save_url(draft, ind), row_data(ind, weight=str(ind.weight - 1)), **HTMX
    )
    assert "绩效目标已批复，本项分值" in response.content.decode()
    assert snapshot(draft) == before
    # and directly through the action, whatever the form would allow
    with pytest.raises(workflow.InvalidData):
        workflow.save_indicator_actual(ind, user_of("unit_own"), {"weight": Decimal(0)}, ind.version)
    # the actual is entered as before, and the status moves into entry keeping the approval
    response = client_of("unit_own").post(save_url(draft, ind), row_data(ind, actual_text="1"), **HTMX)
    assert response.status_code == 200
    draft.evaluation.refresh_from_db()
    assert draft.evaluation.status == Status.ENTERING and draft.evaluation.targets_approved_at


def test_a_goal_table_loaded_as_approved_without_weights_gets_them_from_the_unit(fresh_project, user_of):
    """Published goal tables carry no weights: the unit sets (and corrects) them when it evaluates."""
    assert fresh_project.evaluation.status == Status.TARGETS_APPROVED
    assert fresh_project.evaluation.targets_approved_at is None
    ind = fresh_project.indicators.filter(weight__isnull=True).order_by("order").first()
    unit = user_of("unit_own")
    workflow.save_indicator_actual(ind, unit, {"weight": Decimal(5)}, ind.version)
    ind.refresh_from_db()
    workflow.save_indicator_actual(ind, unit, {"weight": Decimal(4)}, ind.version)
    ind.refresh_from_db()
    assert ind.weight == Decimal(4)


# --- 3. a save that changes nothing changes nothing -------------------------------------------------


def target_form(ind) -> dict:
    """The target row's form as the page renders it, posted back unchanged."""
    from perfgoals.forms import TargetForm

    form = TargetForm(generation="2019", indicator=ind)
    return {f"t{ind.pk}-{name}": ("" if value is None else value) for name, value in form.initial.items()}


def test_saving_an_imported_target_unchanged_changes_nothing(draft, client_of):
    ind = draft.indicators.order_by("order").first()
    # as an import stores it: the printed 指标性质 column says ≤, the text and the name say nothing
    Indicator.objects.filter(pk=ind.pk).update(name="窗口排队", target_text="15分钟", nature_printed="≤")
    from perfgoals import scoring

    scoring.recompute(draft)
    ind.refresh_from_db()
    assert ind.direction == "le"
    before = snapshot(draft)
    response = client_of("unit_own").post(
        reverse("perfgoals:update_target", args=[draft.pk, ind.pk]), target_form(ind), **HTMX
    )
    assert response.status_code == 200
    assert snapshot(draft) == before
    ind.refresh_from_db()
    assert ind.direction == "le" and ind.nature_printed == "≤"
    assert "确认正向" not in response.content.decode()


# --- 1. a guessed direction is never final -----------------------------------------------------------


def _publication_rate(project, *, override: str = "") -> Indicator:
    """An indicator like the walk-through's 违规行为公示率: target 100 %, actual 98 %, no operator.

    The engine's lexicon now reads "公示率" as positive, so the walk-through's wrong guess is made here
    with a name that still gives only "违规" to go by (guessed ≤): the flow under test is a guess the
    unit or the supervisor must correct, whatever the word."""
    from perfgoals import scoring

    ind = project.indicators.filter(weight__gt=0, target_kind="quantitative").order_by("order").first()
    Indicator.objects.filter(pk=ind.pk).update(
        name="违规行为公示情况",
        target_text="100%",
        actual_text="98%",
        nature_printed="",
        direction_override=override,
    )
    scoring.recompute(project)
    ind.refresh_from_db()
    return ind


def _problems(project, user) -> list[str]:
    """What a submission would list as missing, as the texts of the rows' problems."""
    try:
        workflow.submit_evaluation(project.evaluation, user)
    except workflow.Incomplete as refused:
        return [p.text for p in refused.problems]
    raise AssertionError("submitted")


def test_a_guessed_direction_blocks_submission_until_the_unit_confirms_it(main_project, client_of, user_of):
    unit = user_of("unit_own")
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "更正实际值")
    ind = _publication_rate(main_project)
    assert ind.direction_guessed
    assert any("违规行为公示情况" in p and "指标方向为系统推测" in p for p in _problems(main_project, unit))
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[main_project.pk])).content.decode()
    assert 'id="guessed-directions"' in page and f'data-testid="confirm-ge-{ind.pk}"' in page
    # the unit changes the guess to 正向 on its row: rescored at once, 98 ÷ 100 × weight
    response = client_of("unit_own").post(
        reverse("perfgoals:confirm_direction", args=[main_project.pk, ind.pk]),
        {"version": ind.version, "direction": "ge"},
    )
    assert response.status_code == 302
    ind.refresh_from_db()
    assert ind.direction == "ge" and not ind.direction_guessed
    assert ind.score == (ind.weight * Decimal("0.98")).quantize(Decimal("0.01"))
    assert not any("违规行为公示情况" in p and "方向" in p for p in _problems(main_project, unit))
    reasons = [h.history_change_reason or "" for h in ind.history.all()[:3]]
    assert any("改为指标方向：正向" in r for r in reasons)


def test_confirming_all_directions_is_one_step_with_the_page_version(main_project, client_of, user_of):
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "更正实际值")
    _publication_rate(main_project)
    guessed = [i for i in main_project.indicators.all() if i.direction_guessed]
    stale = {"version": main_project.evaluation.version - 1}
    before = snapshot(main_project)
    url = reverse("perfgoals:confirm_directions", args=[main_project.pk])
    client_of("unit_own").post(url, stale)
    assert snapshot(main_project) == before  # an old page confirms nothing
    client_of("unit_own").post(url, page_version(main_project))
    assert not [i for i in main_project.indicators.all() if i.direction_guessed]
    for ind in guessed:
        stored = Indicator.objects.get(pk=ind.pk)
        assert stored.direction_override == ind.direction and stored.score == ind.score


def test_review_counts_guessed_directions_and_text_actuals_among_the_items_to_check(main_project, client_of):
    set_status(main_project, Status.SUBMITTED)
    ind = _publication_rate(main_project)
    review = reverse("perfgoals:review", args=[main_project.pk])
    before = client_of("supervisor_own").get(review).context["check_count"]
    Indicator.objects.filter(pk=ind.pk).update(direction_override="le")
    after = client_of("supervisor_own").get(review).context["check_count"]
    assert before == after + 1  # the guess was one of the items to check
    # a text actual against a quantitative target: the unit picked 完成, nobody saw it
    Indicator.objects.filter(pk=ind.pk).update(
        name="资金到位金额", target_text="1200万以上", actual_text="见附件"
    )
    from perfgoals import scoring

    scoring.recompute(main_project)
    response = client_of("supervisor_own").get(review)
    assert "文字实际值，需佐证" in response.content.decode()
    assert response.context["check_count"] >= after + 1


def test_the_supervisor_corrects_a_direction_with_a_reason_and_the_unit_reads_it(
    main_project, client_of, user_of
):
    set_status(main_project, Status.SUBMITTED)
    ind = _publication_rate(main_project, override="le")  # the unit confirmed the wrong guess
    assert ind.score == ind.weight  # 100 ÷ 98 × w, capped: the silent full marks
    url = reverse("perfgoals:correct_direction", args=[main_project.pk, ind.pk])
    post = {f"dir{ind.pk}-direction": "ge", f"dir{ind.pk}-version": main_project.evaluation.version}
    # without a reason: refused, nothing changes
    before = snapshot(main_project)
    client_of("supervisor_own").post(url, {**post, f"dir{ind.pk}-reason": " "})
    assert snapshot(main_project) == before
    # the unit cannot correct, nor can another department's supervisor
    for who in ("unit_own", "supervisor_other"):
        client_of(who).post(url, {**post, f"dir{ind.pk}-reason": "公示率越高越好"})
        assert snapshot(main_project) == before
    reason = "公示率是公开违规行为的比例，越高越好，应为正向指标"
    response = client_of("supervisor_own").post(url, {**post, f"dir{ind.pk}-reason": reason})
    assert response.status_code == 302
    ind.refresh_from_db()
    expected = (ind.weight * Decimal("0.98")).quantize(Decimal("0.01"))
    assert ind.direction == "ge" and ind.score == expected and ind.direction_note == reason
    action = main_project.evaluation.review_actions.first()
    assert action.action == "correct_direction" and reason in action.comment
    assert f"{expected:.2f}" in action.comment and main_project.evaluation.review_actions.count() > 0
    assert Status.SUBMITTED == Indicator.objects.get(pk=ind.pk).project.evaluation.status
    # the unit sees the new direction and the reason on its row
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[main_project.pk])).content.decode()
    assert f'data-testid="direction-note-{ind.pk}"' in page and reason in page
