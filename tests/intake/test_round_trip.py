"""Exporting any demo project to the template and importing it back yields the same data."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest

from perfgoals.choices import Status
from perfgoals.intake import services, template
from perfgoals.intake.models import ImportKind
from projects.models import Project

from .conftest import project_snapshot, unit_user

pytestmark = pytest.mark.django_db


def _export(projects) -> bytes:
    ids = [p.pk for p in projects]
    return template.export_projects(services.export_queryset(unit_user(projects[0].unit), project_ids=ids))


def test_every_demo_project_survives_export_and_import(demo):
    """All 49 projects, one workbook per unit, imported back by that unit's own user."""
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

        plan, report = services.import_workbook(io.BytesIO(data), actor=services.Actor(user), kind=ImportKind.GOALS)

        assert plan.errors == [], [e.text() for e in plan.errors]
        assert len(report.created) == len(projects)
        for project in Project.objects.filter(pk__in=report.created):
            assert project.evaluation.status == Status.DRAFT
            assert project_snapshot(project) == before[project.name + str(project.year)], project.name
            checked += 1
    assert checked == 49


def test_a_draft_is_replaced_by_its_own_export_without_change(demo):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    project.evaluation.status = Status.DRAFT
    project.evaluation.save(update_fields=["status"])
    before = project_snapshot(project)
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
    from perfgoals.services import recompute

    projects = list(Project.objects.order_by("pk"))
    before = [project_snapshot(p) for p in projects]
    history = Indicator.history.count()
    for project in projects:
        recompute(project)
    assert [project_snapshot(p) for p in projects] == before
    assert Indicator.history.count() == history  # not one indicator row was rewritten
