"""Fixtures of the web tests: the demo accounts of every role, the projects they act on, and a
snapshot of everything an action could change (to assert that nothing changed)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator, ReviewAction
from projects.models import BudgetLine, Project

#: the project-year most tests act on: seed 001 附件1 (24 indicators, 烟台市医疗保障局)
MAIN_PROJECT = (2019, "居民基本医疗保险市级财政补助")
#: a small 2019 project of the same unit (5 indicators)
SMALL_PROJECT = (2019, "困难群众医疗救助")
#: a 2021 goal table of the same unit: approved targets, no weights, no results yet
FRESH_PROJECT = (2021, "城乡居民医疗保险市级补助")

ROLES = {
    "unit_own": "tianbao_yantai",  # 烟台市医疗保障局 (the projects' unit)
    "unit_other": "tianbao_yantai2",  # 烟台市医疗保障服务中心: same department, another unit
    "supervisor_own": "shenhe_yantai",
    "supervisor_other": "shenhe_qinghai",
    "finance": "caizheng_yantai",
    "finance_other": "caizheng_qinghai",
    "third_party": "disanfang_yantai",  # 第三方评价机构 engaged by 烟台's finance bureau
    "admin": "admin",
}


def _project(year: int, name: str) -> Project:
    return Project.objects.select_related("evaluation", "unit__department").get(year=year, name=name)


@pytest.fixture
def main_project(demo) -> Project:
    return _project(*MAIN_PROJECT)


@pytest.fixture
def small_project(demo) -> Project:
    return _project(*SMALL_PROJECT)


@pytest.fixture
def fresh_project(demo) -> Project:
    return _project(*FRESH_PROJECT)


@pytest.fixture
def user_of(demo):
    """username or role key → User."""
    User = get_user_model()

    def get(name: str):
        return User.objects.get(username=ROLES.get(name, name))

    return get


@pytest.fixture
def client_of(user_of):
    """A logged-in test client for a role key or username (a fresh client each call)."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(user_of(name))
        return client

    return make


def set_status(project: Project, status: str, **extra) -> Evaluation:
    """Put a project-year in a status directly (test setup, not a workflow step)."""
    Evaluation.objects.filter(project=project).update(status=status, **extra)
    project.evaluation.refresh_from_db()
    return project.evaluation


def indicator(project: Project, name_part: str) -> Indicator:
    return Indicator.objects.get(project=project, name__contains=name_part)


def snapshot(project: Project) -> dict:
    """Everything a web action could change on a project-year, as comparable values."""
    evaluation = Evaluation.objects.get(project=project)
    return {
        "evaluation": Evaluation.objects.filter(pk=evaluation.pk)
        .values(
            "status",
            "version",
            "total_score",
            "grade",
            "review_comment",
            "reopened_at",
            "submitted_at",
            "low_score_explanation",
        )
        .get(),
        "indicators": list(
            Indicator.objects.filter(project=project)
            .order_by("pk")
            .values(
                "actual_text",
                "band",
                "band_score",
                "weight",
                "deviation_note",
                "version",
                "score",
                "reported_score",
            )
        ),
        "budget": list(
            BudgetLine.objects.filter(project=project)
            .order_by("source")
            .values("initial", "annual", "executed")
        ),
        "goal_result_text": Project.objects.get(pk=project.pk).goal_result_text,
        "review_actions": ReviewAction.objects.filter(evaluation=evaluation).count(),
        "history": (
            Indicator.history.filter(project_id=project.pk).count(),
            Evaluation.history.filter(project_id=project.pk).count(),
            BudgetLine.history.filter(project_id=project.pk).count(),
            Project.history.filter(id=project.pk).count(),
        ),
    }


def row_data(ind: Indicator, **values) -> dict:
    """POST data of one indicator row, as the page sends it."""
    prefix = f"ind{ind.pk}"
    data = {f"{prefix}-version": ind.version}
    for name, value in values.items():
        data[f"{prefix}-{name}"] = "" if value is None else value
    return data


def page_version(project: Project) -> dict:
    """POST data of a submit button: the version of the project-year a freshly loaded page carries."""
    return {"version": Evaluation.objects.get(project=project).version}


HTMX = {"HTTP_HX_REQUEST": "true"}

__all__ = ["HTMX", "ROLES", "Status", "indicator", "page_version", "row_data", "set_status", "snapshot"]
