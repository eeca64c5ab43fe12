"""load_demo turns the seed documents into real data, idempotently."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from perfgoals.models import Evaluation, Indicator, ScoringScheme
from projects.choices import Role
from projects.models import BudgetLine, Department, Membership, Project, Region, Unit

pytestmark = pytest.mark.django_db


def _snapshot():
    """Everything load_demo writes, as comparable values."""
    return {
        "regions": list(Region.objects.values_list("name", "finance_bureau").order_by("pk")),
        "departments": list(Department.objects.values_list("name", "region_id").order_by("pk")),
        "units": list(Unit.objects.values_list("name", "department_id").order_by("pk")),
        "projects": list(Project.objects.values().order_by("pk")),
        "lines": list(BudgetLine.objects.values().order_by("pk")),
        "indicators": list(Indicator.objects.values().order_by("pk")),
        "evaluations": list(Evaluation.objects.values().order_by("pk")),
        "memberships": list(Membership.objects.values().order_by("pk")),
        "schemes": list(ScoringScheme.objects.values().order_by("pk")),
        "history": Indicator.history.count() + Project.history.count() + Evaluation.history.count(),
    }


def test_load_demo_yields_49_projects_of_4_departments(demo):
    assert Project.objects.count() == 49
    assert Department.objects.count() == 4
    assert Region.objects.count() == 4
    assert set(Project.objects.values_list("year", flat=True)) == {2019, 2020, 2021, 2023}
    assert Evaluation.objects.count() == 49


@pytest.mark.parametrize(
    ("department", "year", "count", "amount"),
    [
        ("烟台市医疗保障局", 2021, 8, "9099"),
        ("青海省医疗保障局", 2021, 21, "24554"),
        ("招远市医疗保障局", 2023, 7, "3461.67"),
        ("威海市环翠区医疗保障局", 2020, 10, "6281.00"),
        ("烟台市医疗保障局", 2019, 3, "7672.5"),
    ],
)
def test_loaded_budgets_agree_with_the_documents(demo, department, year, count, amount):
    projects = Project.objects.filter(unit__department__name=department, year=year)
    assert projects.count() == count
    total = BudgetLine.objects.filter(project__in=projects).aggregate(total=Sum("annual"))["total"]
    assert total == Decimal(amount)


def test_yantai_2019_projects_carry_budget_execution_and_printed_scores(demo):
    projects = Project.objects.filter(year=2019).order_by("pk")
    assert [p.budget_totals()["executed"] for p in projects] == [
        Decimal("5515"),
        Decimal("1807.5"),
        Decimal("350"),
    ]
    evaluations = [p.evaluation for p in projects]
    assert [e.printed_total for e in evaluations] == [Decimal("100")] * 3
    assert [e.printed_grade for e in evaluations] == ["优"] * 3
    # 附件2 prints no execution score: kept blank, not filled in from the computation
    assert evaluations[1].printed_execution_score is None
    assert evaluations[1].execution_score is not None


def test_every_role_has_demo_accounts(demo):
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert Membership.objects.filter(role=Role.SUPERVISOR).count() == 4
    assert Membership.objects.filter(role=Role.THIRD_PARTY).count() == 1
    assert Membership.objects.filter(role=Role.FINANCE).count() == 4
    # every unit that has projects has someone to enter them
    for unit in Unit.objects.filter(projects__isnull=False).distinct():
        assert Membership.objects.filter(role=Role.UNIT_USER, unit=unit).exists(), unit


def test_running_load_demo_twice_changes_nothing(demo):
    before = _snapshot()
    call_command("load_demo", verbosity=0)
    assert _snapshot() == before


def test_load_demo_keeps_what_users_changed(demo):
    indicator = Indicator.objects.filter(project__year=2021).first()
    indicator.actual_text = "95%"
    indicator.save(update_fields=["actual_text"])
    call_command("load_demo", verbosity=0)
    indicator.refresh_from_db()
    assert indicator.actual_text == "95%"


def test_the_admin_lists_the_projects(demo, admin_client):
    response = admin_client.get("/admin/projects/project/")
    assert response.status_code == 200
    assert "居民基本医疗保险市级财政补助" in response.content.decode()
    assert "49" in response.content.decode()


def test_the_admin_change_pages_open(demo, admin_client):
    project = Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")
    for url in (
        f"/admin/projects/project/{project.pk}/change/",
        f"/admin/perfgoals/evaluation/{project.evaluation.pk}/change/",
        f"/admin/perfgoals/indicator/{project.indicators.first().pk}/change/",
        "/admin/perfgoals/scoringscheme/",
        "/admin/projects/membership/",
        "/admin/projects/unit/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_the_admin_lists_filter_by_the_projects_own_department_and_region(demo, admin_client):
    department = Department.objects.get(name="烟台市医疗保障局")
    counts = {
        f"/admin/projects/project/?department__id__exact={department.pk}": Project.objects.filter(
            unit__department=department
        ).count(),
        f"/admin/projects/project/?region__id__exact={department.region_id}": Project.objects.filter(
            unit__department__region=department.region
        ).count(),
        f"/admin/perfgoals/evaluation/?project__department__id__exact={department.pk}": (
            Project.objects.filter(unit__department=department, evaluation__isnull=False).count()
        ),
        f"/admin/perfgoals/indicator/?project__department__id__exact={department.pk}": (
            Indicator.objects.filter(project__unit__department=department).count()
        ),
    }
    for url, expected in counts.items():
        response = admin_client.get(url)  # an unknown filter would redirect to ?e=1
        assert response.status_code == 200, url
        assert response.context["cl"].result_count == expected > 0, url
    response = admin_client.get(
        f"/admin/perfgoals/reviewaction/?evaluation__project__department__id__exact={department.pk}"
    )
    assert response.status_code == 200
