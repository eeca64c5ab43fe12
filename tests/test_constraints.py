"""What must never happen is refused by the database itself, whatever code writes."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from perfgoals import scoring
from perfgoals.models import Evaluation, Indicator
from projects.choices import Role
from projects.models import BudgetLine, Department, Membership, Project, Region, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    region = Region.objects.create(name="测试市", finance_bureau="测试市财政局")
    department = Department.objects.create(region=region, name="测试市医疗保障局")
    unit = Unit.objects.create(department=department, name="测试市医疗保障服务中心")
    project = Project.objects.create(unit=unit, year=2024, name="测试项目")
    Evaluation.objects.create(project=project, scheme=scoring.scheme_for(project))
    return project


def _indicator(project, **fields):
    values = {
        "order": 1,
        "level1": "output",
        "level2": "quantity",
        "name": "参保人数",
        "target_text": "≥100人",
    }
    values.update(fields)
    return Indicator.objects.create(project=project, **values)


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()
    return True


def test_negative_weight_is_refused(project):
    assert refused(lambda: _indicator(project, weight=Decimal("-1")))


def test_two_indicators_at_one_position_are_refused(project):
    _indicator(project, order=3)
    assert refused(lambda: _indicator(project, order=3, name="另一指标"))


def test_level2_must_belong_to_level1(project):
    assert refused(lambda: _indicator(project, level1="satisfaction", level2="quantity"))


def test_score_above_weight_is_refused(project):
    assert refused(lambda: _indicator(project, weight=Decimal("5"), score=Decimal("5.01")))


def test_negative_budget_is_refused(project):
    assert refused(
        lambda: BudgetLine.objects.create(project=project, source="current_year", annual=Decimal("-1"))
    )


def test_one_line_per_fund_source(project):
    BudgetLine.objects.create(project=project, source="current_year", annual=Decimal("10"))
    assert refused(
        lambda: BudgetLine.objects.create(project=project, source="current_year", annual=Decimal("5"))
    )


def test_same_project_twice_in_a_unit_and_year_is_refused(project):
    assert refused(lambda: Project.objects.create(unit=project.unit, year=2024, name="测试项目"))


def test_total_score_above_100_is_refused(project):
    evaluation = project.evaluation
    evaluation.total_score = Decimal("100.01")
    assert refused(lambda: evaluation.save())


def test_membership_scope_must_match_role(project):
    user = get_user_model().objects.create(username="someone")
    # a unit user attached to a department, not a unit
    assert refused(
        lambda: Membership.objects.create(user=user, role=Role.UNIT_USER, department=project.unit.department)
    )
    assert refused(lambda: Membership.objects.create(user=user, role=Role.SUPERVISOR, unit=project.unit))
    Membership.objects.create(user=user, role=Role.UNIT_USER, unit=project.unit)


def test_a_projects_department_and_region_are_its_units(project):
    """The project's copies of its unit's department and region (for the lists) are set from the
    unit; tests/test_organisation_copy.py checks every path, and PostgreSQL's refusal."""
    assert project.department == project.unit.department
    assert project.region == project.unit.department.region
