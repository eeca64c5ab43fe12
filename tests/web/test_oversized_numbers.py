"""Numbers too large for their column, typed on the web forms (issue #17): a 19-digit actual, target,
weight or budget figure used to reach the database and fail there on PostgreSQL (SQLite stores
anything). Each is refused with a clear Chinese message at its field and nothing changes; what is
stored is rounded half-up to the column's places (PostgreSQL's rule), never half-even."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import scoring, workflow
from perfgoals.choices import Status
from perfgoals.intake import services as intake_services
from perfgoals.models import Indicator
from perfgoals.workflow.errors import InvalidData
from projects.models import BudgetLine, Project

from .conftest import HTMX, row_data, set_status, snapshot

pytestmark = pytest.mark.django_db

NINETEEN = "1234567890123456789"


@pytest.fixture
def entering(fresh_project):
    set_status(fresh_project, Status.ENTERING)
    return fresh_project


@pytest.fixture
def draft(small_project, user_of) -> Project:
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    return Project.objects.select_related("evaluation", "unit__department").get(pk=report.created[0].pk)


def _save_url(project, ind):
    return reverse("perfgoals:save_indicator", args=[project.pk, ind.pk])


@pytest.mark.parametrize(
    "actual",
    [f"{NINETEEN}人", "1000000000000000万人", f"≥{NINETEEN}", "100000000000亿人"],
)
def test_an_actual_too_large_is_refused_at_the_field(entering, client_of, actual):
    ind = entering.indicators.order_by("order").first()
    before = snapshot(entering)
    response = client_of("unit_own").post(_save_url(entering, ind), row_data(ind, actual_text=actual), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "数值过大" in html and 'class="field-error"' in html
    assert snapshot(entering) == before


def test_the_workflow_refuses_it_too(entering, user_of):
    ind = entering.indicators.order_by("order").first()
    before = snapshot(entering)
    with pytest.raises(InvalidData) as refused:
        workflow.save_indicator_actual(
            ind, user_of("unit_own"), {"actual_text": f"{NINETEEN}人"}, ind.version
        )
    assert "数值过大" in refused.value.errors["actual_text"][0]
    assert snapshot(entering) == before


@pytest.mark.parametrize("weight", [NINETEEN, "123456", "9999.999"])
def test_a_weight_too_large_is_refused_at_the_field(entering, client_of, weight):
    ind = entering.indicators.order_by("order").first()
    before = snapshot(entering)
    response = client_of("unit_own").post(_save_url(entering, ind), row_data(ind, weight=weight), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert ("数值过大" in html or "小数" in html) and 'class="field-error"' in html
    assert snapshot(entering) == before


def test_the_workflow_refuses_a_weight_too_large(entering, user_of):
    ind = entering.indicators.order_by("order").first()
    with pytest.raises(InvalidData) as refused:
        workflow.save_indicator_actual(ind, user_of("unit_own"), {"weight": Decimal(NINETEEN)}, ind.version)
    assert "数值过大" in refused.value.errors["weight"][0]


def test_a_budget_figure_too_large_is_refused_at_the_field(entering, client_of, user_of):
    before = snapshot(entering)
    data = {"version": entering.evaluation.version, "current_year-annual": NINETEEN}
    response = client_of("unit_own").post(reverse("perfgoals:save_budget", args=[entering.pk]), data)
    assert response.status_code == 422
    assert "数值过大" in response.content.decode()
    assert snapshot(entering) == before
    with pytest.raises(InvalidData) as refused:
        workflow.save_budget(
            entering.evaluation,
            user_of("unit_own"),
            {"current_year": {"annual": Decimal(NINETEEN)}},
            entering.evaluation.version,
        )
    assert "数值过大" in refused.value.errors["current_year-annual"][0]
    assert snapshot(entering) == before


@pytest.mark.parametrize("target", [f"≥{NINETEEN}人次", "≥1000000000000000万人"])
def test_a_target_too_large_is_refused_when_added_or_edited(draft, client_of, target):
    before = snapshot(draft)
    count = Indicator.objects.filter(project=draft).count()
    data = {"level1": "output", "level2": "quantity", "name": "新指标", "target_text": target}
    client = client_of("unit_own")
    response = client.post(reverse("perfgoals:add_target", args=[draft.pk]), data, **HTMX)
    assert response.status_code == 422
    assert "数值过大" in response.content.decode()
    ind = Indicator.objects.filter(project=draft).order_by("order").first()
    edit = {f"t{ind.pk}-version": ind.version, f"t{ind.pk}-target_text": target}
    response = client.post(reverse("perfgoals:update_target", args=[draft.pk, ind.pk]), edit, **HTMX)
    assert response.status_code == 422
    assert "数值过大" in response.content.decode()
    assert Indicator.objects.filter(project=draft).count() == count
    assert snapshot(draft) == before


def test_the_largest_numbers_that_fit_are_accepted(entering, user_of):
    assert scoring.fits(Indicator, "actual_value", Decimal("999999999999999999.9999994"))
    assert not scoring.fits(Indicator, "actual_value", Decimal("999999999999999999.9999995"))
    ind = entering.indicators.order_by("order").first()
    # SQLite keeps 15 significant digits: the largest actual it reads back exactly
    workflow.save_indicator_actual(
        ind, user_of("unit_own"), {"actual_text": "999999999999999人"}, ind.version
    )
    ind.refresh_from_db()
    assert ind.actual_value == Decimal("999999999999999")


def test_stored_values_are_rounded_half_up(entering, user_of):
    ind = entering.indicators.order_by("order").first()
    workflow.save_indicator_actual(ind, user_of("unit_own"), {"actual_text": "2.0000025人"}, ind.version)
    ind.refresh_from_db()
    assert ind.actual_value == Decimal("2.000003")  # half-even would give 2.000002
    assert scoring.stored_decimal(Indicator, "actual_value", Decimal("0.0000005")) == Decimal("0.000001")
    assert scoring.stored_decimal(BudgetLine, "annual", Decimal("1.00005")) == Decimal("1.0001")
