"""The 公开 tests reuse the web tests' accounts; the department is 烟台市医疗保障局 (2019: three approved
self-evaluations; 2021: eight approved goal tables)."""

from __future__ import annotations

import pytest

from perfgoals.models import Evaluation
from projects.models import Department, Project
from tests.web.conftest import client_of, user_of  # noqa: F401
from tests.web.test_browser_phone import phone_page  # noqa: F401

DEPARTMENT = "烟台市医疗保障局"
RESULTS_YEAR = 2019
GOALS_YEAR = 2021


@pytest.fixture
def department(demo) -> Department:
    return Department.objects.select_related("region").get(name=DEPARTMENT)


@pytest.fixture
def other_department(demo) -> Department:
    return Department.objects.get(name="青海省医疗保障局")


def projects_of(department: Department, year: int) -> list[Project]:
    return list(
        Project.objects.filter(department=department, year=year).select_related("evaluation").order_by("pk")
    )


def statuses(department: Department, year: int) -> dict[int, str]:
    return dict(
        Evaluation.objects.filter(project__department=department, project__year=year).values_list(
            "project_id", "status"
        )
    )
