"""The overview's figures (issue 13), each checked against counts computed here, independently, from the
models, for each role's scope; another department's or region's figures never appear."""

from __future__ import annotations

import json
import statistics
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from perfgoals import scoring
from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator
from perfgoals.oversight import scope as scopes
from perfgoals.oversight.figures import overview
from perfgoals.oversight.signals import RESULT_STATUSES, SIGNALS, evaluation_signals, risk_score
from perfgoals.workflow.flags import indicator_review_flags
from projects.models import Project
from projects.scoping import visible_projects

pytestmark = pytest.mark.django_db


def expected(projects) -> dict:
    """The overview's figures computed the slow, obvious way from model instances."""
    projects = list(projects.select_related("evaluation", "department"))
    by_status = {s.value: 0 for s in Status}
    for p in projects:
        by_status[p.evaluation.status] += 1
    results = [p.evaluation for p in projects if p.evaluation.status in RESULT_STATUSES]
    scores = [e.total_score for e in results if e.total_score is not None]
    by_grade = {g: sum(1 for e in results if e.grade == g) for g in "优良中差"}
    departments = {}
    for p in projects:
        row = departments.setdefault(p.department.name, {"projects": 0, "submitted": 0, "approved": 0})
        row["projects"] += 1
        row["submitted"] += p.evaluation.status in RESULT_STATUSES
        row["approved"] += p.evaluation.status in (Status.APPROVED, Status.PUBLISHED)
    return {
        "projects": len(projects),
        "by_status": by_status,
        "by_grade": by_grade,
        "mean": (sum(scores) / len(scores)).quantize(Decimal("0.01")) if scores else None,
        "median": Decimal(statistics.median(scores)).quantize(Decimal("0.01")) if scores else None,
        "full": sum(1 for s in scores if s == 100),
        "scores": len(scores),
        "departments": departments,
    }


def assert_matches(figures, want) -> None:
    assert figures.projects == want["projects"]
    assert {str(k): v for k, v in figures.by_status.items()} == want["by_status"]
    assert figures.by_grade == want["by_grade"]
    assert figures.mean_score == want["mean"]
    assert figures.median_score == want["median"]
    if want["scores"]:
        assert figures.full_marks_share == (Decimal(want["full"]) / want["scores"]).quantize(
            Decimal("0.0001")
        )
    got = {
        row.name: {"projects": row.projects, "submitted": row.submitted, "approved": row.approved}
        for row in figures.departments
    }
    assert got == want["departments"]


@pytest.fixture
def results_2021(demo, user_of):
    """2021 in two regions with results: Yantai's and Qinghai's goal tables scored and submitted/approved."""
    from perfgoals.choices import Grade

    for i, evaluation in enumerate(Evaluation.objects.filter(project__year=2021).select_related("project")):
        Indicator.objects.filter(project=evaluation.project, weight__isnull=True).update(weight=Decimal(5))
        for ind in evaluation.project.indicators.all()[:: 2 + i % 3]:
            Indicator.objects.filter(pk=ind.pk).update(actual_text=ind.target_text)
        scoring.recompute(evaluation.project)
        status = [Status.SUBMITTED, Status.APPROVED, Status.RETURNED, Status.PUBLISHED, Status.ENTERING][
            i % 5
        ]
        Evaluation.objects.filter(pk=evaluation.pk).update(status=status)
    assert (
        Evaluation.objects.filter(project__year=2021, grade=Grade.EXCELLENT).count()
        < Evaluation.objects.filter(project__year=2021).count()
    )


@pytest.mark.parametrize("role", ["finance", "supervisor_own", "finance_other", "supervisor_other", "admin"])
def test_every_figure_matches_the_models_in_each_scope(results_2021, user_of, role):
    user = user_of(role)
    scope = scopes.for_user(user, 2021)
    figures = overview(scope.projects, scope.year, scope.level)
    assert_matches(figures, expected(visible_projects(user).filter(year=2021)))
    mine = set(visible_projects(user).values_list("pk", flat=True))
    assert {r.project_id for r in figures.results} <= mine
    visible_departments = set(visible_projects(user).values_list("department__name", flat=True))
    assert {row.name for row in figures.departments} <= visible_departments


def test_the_administrator_sees_the_departments_and_drills_down(results_2021, user_of):
    admin = user_of("admin")
    scope = scopes.for_user(admin, 2021)
    assert scope.level == "region"
    figures = overview(scope.projects, 2021, scope.level)
    assert (
        len(figures.children) == Project.objects.filter(year=2021).values("department").distinct().count() > 1
    )
    department = figures.children[0]
    drilled = scopes.for_user(admin, 2021, department=department.key)
    assert drilled.level == "department"
    assert_matches(
        overview(drilled.projects, 2021, drilled.level),
        expected(Project.objects.filter(year=2021, department_id=department.key)),
    )
    unit = (
        Project.objects.filter(year=2021, department_id=department.key)
        .values_list("unit_id", flat=True)
        .first()
    )
    one_unit = scopes.for_user(admin, 2021, unit=unit)
    assert one_unit.level == "unit"
    rows = overview(one_unit.projects, 2021, "unit").children
    assert {r.key for r in rows} == set(
        Project.objects.filter(year=2021, unit_id=unit).values_list("pk", flat=True)
    )


def test_another_departments_or_units_id_is_not_found(results_2021, user_of):
    qinghai = Project.objects.filter(year=2021, region__name="青海省").first()
    for bad in [
        {"department": qinghai.department_id},
        {"unit": qinghai.unit_id},
        {"department": "1 OR 1=1"},
        {"unit": "-3"},
    ]:
        with pytest.raises(Http404):
            scopes.for_user(user_of("supervisor_own"), 2021, **bad)
    with pytest.raises(Http404):
        scopes.for_user(user_of("finance"), 1999)


def test_the_signals_say_what_the_review_page_says(results_2021, main_project, user_of):
    """The database's signal conditions and the review page's flags (Python) agree on every indicator."""
    evaluations = Evaluation.objects.filter(status__in=RESULT_STATUSES).select_related("scheme")
    # make the interesting cases exist: full marks claimed without support, text actual judged complete
    Evaluation.objects.filter(project=main_project).update(status=Status.SUBMITTED)
    ind = main_project.indicators.filter(weight__gt=0, target_kind="quantitative").order_by("order")[1]
    Indicator.objects.filter(pk=ind.pk).update(actual_text="1", reported_score=ind.weight)
    scoring.recompute(main_project)
    by_project = {s.project_id: s for s in evaluation_signals(Project.objects.all())}
    for evaluation in evaluations:
        scheme = evaluation.scheme.engine_scheme()
        indicators = list(Indicator.objects.filter(project_id=evaluation.project_id))
        flags = [indicator_review_flags(i, scheme) for i in indicators]
        counts = by_project[evaluation.project_id].counts
        assert counts.get("full_marks_unsupported", 0) == sum(
            1 for f in flags if any(x.code == "full_marks_unsupported" for x in f)
        )
        text_full = sum(
            1
            for i in indicators
            if i.text_actual
            and i.weight
            and i.score is not None
            and i.score >= i.weight
            and not i.not_applicable
        )
        assert counts.get("text_actual_full", 0) == text_full
    assert by_project[main_project.pk].counts["full_marks_unsupported"] >= 1


def test_the_2019_yantai_evaluations_appear_under_the_signals_that_fit_them(demo):
    """Seed 001: full marks everywhere, 产出 rows worth 60 under a 50-point header (附件1), a form
    printed without an execution score (附件2), text actuals judged complete."""
    Evaluation.objects.filter(project__year=2019).update(status=Status.APPROVED)
    signals = {
        s.project_name: s
        for s in evaluation_signals(Project.objects.filter(year=2019, region__name="烟台市"))
    }
    main = signals["居民基本医疗保险市级财政补助"]
    assert main.counts.get("weights_off_header") == 1 and "分值与表头不符" in main.reasons
    assert all(s.counts.get("full_total") == 1 for s in signals.values())
    assert any(s.counts.get("execution_score_blank") for s in signals.values())
    assert any(s.counts.get("text_actual_full") for s in signals.values())
    assert all(s.risk > 0 for s in signals.values())


def test_reported_above_computed_counts_the_gap(main_project, demo):
    Evaluation.objects.filter(project=main_project).update(
        status=Status.SUBMITTED, submitted_total=Decimal("100.00")
    )
    main_project.indicators.filter(weight__gt=0, target_kind="quantitative").update(actual_text="0")
    scoring.recompute(main_project)
    total = Evaluation.objects.get(project=main_project).total_score
    assert total < 100
    (signals,) = evaluation_signals(Project.objects.filter(pk=main_project.pk))
    assert signals.reported_gap == Decimal(100) - total
    assert signals.counts["reported_above"] == 1
    assert f"自报总分高于计算 {Decimal(100) - total:.2f} 分" in signals.reasons


@given(
    st.dictionaries(st.sampled_from([s.code for s in SIGNALS]), st.integers(0, 50)),
    st.decimals(0, 100, places=2),
)
def test_the_risk_score_is_bounded_and_grows_with_every_signal(counts, gap):
    risk = risk_score(counts, gap)
    assert Decimal(0) <= risk <= 100
    for signal in SIGNALS:
        more = dict(counts)
        more[signal.code] = more.get(signal.code, 0) + 1
        assert risk_score(more, gap + (1 if signal.code == "reported_above" else 0)) >= risk


def test_the_command_prints_the_pages_figures(results_2021):
    out = StringIO()
    call_command("overview", "--region", "烟台市", "--year", "2021", "--json", stdout=out)
    data = json.loads(out.getvalue())
    want = expected(Project.objects.filter(year=2021, region__name="烟台市"))
    assert data["projects"] == want["projects"] and data["by_status"] == want["by_status"]
    assert data["by_grade"] == want["by_grade"]
    assert data["mean_score"] == (str(want["mean"]) if want["mean"] is not None else None)
    (department,) = data["departments"]
    assert {k: department[k] for k in ("projects", "submitted", "approved")} == want["departments"][
        department["name"]
    ]
    assert set(department) >= {"name", "mean_score", "flagged", "reported_minus_computed"}
    assert "青海" not in out.getvalue()
    with pytest.raises(CommandError, match="没有名为"):
        call_command("overview", "--region", "火星市", "--year", "2021", "--json")
    out = StringIO()
    call_command(
        "overview", "--region", "烟台市", "--department", "烟台市医疗保障局", "--year", "2021", stdout=out
    )
    assert "个项目" in out.getvalue()
