"""Helpers for the intake tests: snapshots of project data, users of each role, workbook builders."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from perfgoals.intake.models import ImportBatch, LibraryIndicator
from perfgoals.models import Evaluation, Indicator
from perfgoals.project_years import EVALUATION_FIELDS, PROJECT_FIELDS
from projects.choices import Role
from projects.models import BudgetLine, Membership, Project

#: what a user enters or the file gives (compared in round trips)
INDICATOR_INPUT = (
    "order",
    "level1",
    "level2",
    "level1_printed",
    "level2_printed",
    "name",
    "nature_printed",
    "unit_printed",
    "target_text",
    "actual_text",
    "weight",
    "reported_score",
    "band",
    "band_score",
    "deviation_note",
    "direction_override",
    "not_applicable",
    "explanation",
    "scoring_standard",
    "data_source",
    "basis",
)
#: what the engine made of it (must come out the same too)
INDICATOR_COMPUTED = (
    "target_kind",
    "direction",
    "direction_source",
    "target_value",
    "target_unit",
    "actual_kind",
    "actual_value",
    "actual_unit",
    "score",
    "score_explanation",
    "flags",
)
EVALUATION_COMPUTED = ("execution_rate", "execution_score", "total_score", "grade", "complete", "warnings")


def project_snapshot(project: Project) -> dict:
    """A project-year as comparable values, without keys, timestamps, status or source."""
    evaluation = Evaluation.objects.get(project=project)
    return {
        "identity": (project.unit_id, project.year, project.name),
        "fields": {name: getattr(project, name) for name in PROJECT_FIELDS},
        "empty_level2": project.empty_level2,
        "budget_lines": sorted(
            (line.source, line.initial, line.annual, line.executed)
            for line in BudgetLine.objects.filter(project=project)
        ),
        "indicators": [
            {name: getattr(ind, name) for name in (*INDICATOR_INPUT, *INDICATOR_COMPUTED)}
            for ind in Indicator.objects.filter(project=project).order_by("order")
        ],
        "evaluation": {
            name: getattr(evaluation, name)
            for name in (*EVALUATION_FIELDS, *EVALUATION_COMPUTED, "scheme_id")
        },
    }


def database_state() -> dict:
    """Everything an import could touch, to assert that a refused file changed nothing."""
    return {
        "projects": list(Project.objects.values().order_by("pk")),
        "lines": list(BudgetLine.objects.values().order_by("pk")),
        "indicators": list(Indicator.objects.values().order_by("pk")),
        "evaluations": list(Evaluation.objects.values().order_by("pk")),
        "library": list(LibraryIndicator.objects.values().order_by("pk")),
        "history": (
            Project.history.count(),
            Indicator.history.count(),
            Evaluation.history.count(),
            BudgetLine.history.count(),
        ),
    }


def unit_user(unit):
    return Membership.objects.filter(role=Role.UNIT_USER, unit=unit).order_by("pk").first().user


def role_user(role: str):
    return Membership.objects.filter(role=role).order_by("pk").first().user


def workbook_bytes(rows: list[list], *, title: str = "Sheet1", merges: list[str] = (), setup=None) -> bytes:
    """A one-sheet workbook from rows (None for empty cells), with optional merged ranges."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    if setup is not None:
        setup(workbook, ws)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def yantai():
    """The unit user of 烟台市医疗保障局 (2019 self-evaluations, 2021 goal tables)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="tianbao_yantai")


def no_batches_left_active():
    return not ImportBatch.objects.filter(
        status__in=["pending", "parsing", "confirmed", "importing"]
    ).exists()


D = Decimal


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process even when REDIS_URL turns eager mode off (CI's second run)."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
