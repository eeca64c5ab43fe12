"""How the apps are wired together once projects/ no longer imports perfgoals: the cached render
signatures of django-tables2, the project admin with its evaluation, and the list URLs' names."""

from __future__ import annotations

import django_tables2.utils
import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import resolve, reverse

from perfgoals import lists
from perfgoals.admin import EvaluationInline, IndicatorInline
from perfgoals.admin import ProjectAdmin as EvaluatedProjectAdmin
from projects import tables
from projects.admin import BudgetLineInline
from projects.models import Project


def test_the_render_signatures_are_cached_once_the_app_is_ready():
    assert django_tables2.utils.signature is tables._cached_signature
    apps.get_app_config("projects").ready()  # again: nothing changes
    tables.cache_render_signatures()
    assert django_tables2.utils.signature is tables._cached_signature

    def render(value, record):
        return value

    assert tables._cached_signature(render) == tables._uncached_signature(render)
    assert tables._cached_signature(render) is tables._cached_signature(render)


def test_the_project_admin_is_the_one_with_the_evaluation():
    model_admin = admin.site._registry[Project]
    assert type(model_admin) is EvaluatedProjectAdmin
    assert model_admin.list_display == [
        "name",
        "year",
        "department_name",
        "unit",
        "budget_annual",
        "status",
        "total_score",
        "grade",
    ]
    assert model_admin.list_filter == [
        "year",
        "region",
        "department",
        "evaluation__status",
        "evaluation__grade",
    ]
    assert model_admin.list_select_related == ["unit", "department", "evaluation"]
    assert model_admin.inlines == [BudgetLineInline, EvaluationInline, IndicatorInline]


@pytest.mark.django_db
def test_the_project_change_page_has_the_three_inlines(demo, admin_client):
    project = Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    for prefix in ("budget_lines", "evaluation", "indicators"):
        assert f'id="{prefix}-group"' in page, prefix


def test_the_list_urls_keep_their_names_and_paths():
    assert reverse("home") == "/"
    assert reverse("project_list") == "/projects/"
    assert resolve("/").func is lists.home
    assert resolve("/projects/").func.view_class is lists.ProjectListView
    assert reverse("login") == "/login/"
    assert reverse("logout") == "/logout/"
