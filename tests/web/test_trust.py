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

from .conftest import HTMX, row_data, snapshot

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
    workflow.approve_targets(project.evaluation, user_of("supervisor_own"))
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
