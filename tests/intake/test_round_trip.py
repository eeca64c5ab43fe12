"""Exporting any demo project to the template and importing it back yields the same data."""

from __future__ import annotations

import io
from collections import Counter, defaultdict

import pytest

from perfgoals.choices import Status
from perfgoals.intake import services, template
from perfgoals.intake.models import ImportKind
from projects.models import Project

from .conftest import project_snapshot, unit_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("string_table")]


def _export(projects) -> bytes:
    ids = [p.pk for p in projects]
    return template.export_projects(services.export_queryset(unit_user(projects[0].unit), project_ids=ids))


def _decide_for_some_indicators() -> Counter:
    """What a user decides beyond the printed form, on demo indicators of every project: 档次内得分 inside
    the band (its low and its high end), 指标方向（人工确认） of each kind, 不适用; then rescored as the
    entry page would. Returns how many of each were set (so the round trip below is not vacuous)."""
    from perfgoals.engine import Kind
    from perfgoals.models import Indicator
    from perfgoals.scoring import recompute
    from perfgoals.workflow import band_range, band_scale

    directions = ["le", "ge", "eq", "approx"]
    counts: Counter = Counter()
    n = 0
    for project in Project.objects.select_related("evaluation__scheme").order_by("pk"):
        scheme = project.evaluation.scheme.engine_scheme()
        changed = []
        for ind in Indicator.objects.filter(project=project).order_by("order"):
            n += 1
            fields = []
            if ind.band and ind.weight is not None:
                found = scheme.find_band(ind.band, band_scale(ind, scheme))
                if found is not None:
                    low, high = band_range(found[1], ind.weight)
                    ind.band_score = low if n % 2 else high
                    fields.append("band_score")
            if ind.target_kind == Kind.QUANTITATIVE and n % 3 == 0:
                ind.direction_override = directions[(n // 3) % len(directions)]
                fields.append("direction_override")
            if n % 11 == 0:
                ind.not_applicable = True
                fields.append("not_applicable")
            if fields:
                ind.save(update_fields=fields)
                counts.update(fields)
                changed.append(ind)
        if changed:
            counts["projects"] += 1
            recompute(project)
    return counts


def test_every_demo_project_survives_export_and_import(demo):
    """All 49 projects, one workbook per unit, imported back by that unit's own user — with 档次内得分,
    指标方向（人工确认） and 不适用 set on some indicators of every kind first."""
    from perfgoals.models import Indicator

    counts = _decide_for_some_indicators()
    assert (
        counts["band_score"] >= 5 and counts["direction_override"] >= 20 and counts["not_applicable"] >= 20
    ), counts
    assert set(
        Indicator.objects.exclude(direction_override="").values_list("direction_override", flat=True)
    ) == {"ge", "le", "eq", "approx"}
    by_unit = defaultdict(list)
    for project in Project.objects.select_related("unit").order_by("pk"):
        by_unit[project.unit].append(project)
    assert sum(len(projects) for projects in by_unit.values()) == 49
    checked = 0
    for unit, projects in by_unit.items():
        user = unit_user(unit)
        before = {p.name + str(p.year): project_snapshot(p) for p in projects}
        data = _export(projects)
        Project.objects.filter(pk__in=[p.pk for p in projects]).delete()

        plan, report = services.import_workbook(
            io.BytesIO(data), actor=services.Actor(user), kind=ImportKind.GOALS
        )

        assert plan.errors == [], [e.text() for e in plan.errors]
        assert len(report.created) == len(projects)
        for project in Project.objects.filter(pk__in=report.created):
            assert project.evaluation.status == Status.DRAFT
            assert project_snapshot(project) == before[project.name + str(project.year)], project.name
            checked += 1
    assert checked == 49


def test_a_draft_is_replaced_by_its_own_export_without_change(demo):
    from perfgoals.scoring import recompute

    _decide_for_some_indicators()
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    project.evaluation.status = Status.DRAFT
    project.evaluation.save(update_fields=["status"])
    project.indicators.filter(order=2).update(not_applicable=True)
    recompute(project)
    before = project_snapshot(project)
    stored = [(i.band_score, i.direction_override, i.not_applicable) for i in project.indicators.all()]
    assert any(band_score is not None for band_score, _, _ in stored)
    assert any(direction for _, direction, _ in stored) and any(na for _, _, na in stored)
    data = _export([project])

    plan, report = services.import_workbook(
        io.BytesIO(data), actor=services.Actor(unit_user(project.unit)), kind=ImportKind.GOALS
    )

    assert plan.ok and report.replaced == [project.pk]
    assert [p.action for p in plan.projects] == ["replace"]
    assert project_snapshot(Project.objects.get(pk=project.pk)) == before


def test_project_years_are_stored_scored_exactly_as_recompute_scores_them(demo):
    """create_project_years scores in memory before inserting; recompute must find nothing to change."""
    from perfgoals.models import Indicator
    from perfgoals.scoring import recompute

    projects = list(Project.objects.order_by("pk"))
    before = [project_snapshot(p) for p in projects]
    history = Indicator.history.count()
    for project in projects:
        recompute(project)
    assert [project_snapshot(p) for p in projects] == before
    assert Indicator.history.count() == history  # not one indicator row was rewritten
