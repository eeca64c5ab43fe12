"""Fixtures of the report tests: the 2019 Yantai department, its seed document, users of every role."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from perfgoals.reports.data import department_projects, department_year
from projects.models import Department, Project

SEED_001 = Path(__file__).resolve().parents[2] / "projects" / "seed_data" / "001_yantai_2019.json"


@pytest.fixture(scope="session")
def seed001() -> dict:
    """The transcribed 2019 Yantai document: what the generated forms must print."""
    return json.loads(SEED_001.read_text(encoding="utf-8"))


@pytest.fixture
def yantai(demo) -> Department:
    return Department.objects.select_related("region").get(name="烟台市医疗保障局")


@pytest.fixture
def dy2019(yantai):
    """The Yantai department's 2019 projects as the reports see them."""
    return department_year(yantai, 2019, department_projects(Project.objects.all(), yantai, 2019))


@pytest.fixture
def user(demo):
    """A demo account by name: user("shenhe_yantai")."""

    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def open_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def merged_value(ws, row: int, col: int):
    """The value shown in a cell, following merged ranges to their top-left cell."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return ws.cell(merged.min_row, merged.min_col).value
    return ws.cell(row, col).value


def merged_range(ws, row: int, col: int):
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return merged
    return None


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process even when REDIS_URL is set (tests that do not start a worker)."""
    from config.celery import app

    before = {
        "task_always_eager": app.conf.task_always_eager,
        "task_eager_propagates": app.conf.task_eager_propagates,
    }
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(before)
