"""The public pages of 公开, without login: only what was published, as it was published. A withdrawn
publication, a department-year never published and a project not in a publication are 404s for everyone;
an edit after publication changes nothing on them; the 公开表 reads back with openpyxl."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator
from perfgoals.publication import actions
from projects.models import Project
from tests.web.conftest import set_status

from .conftest import GOALS_YEAR, RESULTS_YEAR, projects_of

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "unit_own", "supervisor_own", "supervisor_other", "finance", "finance_other", "admin"]


def visitor(client_of, role) -> Client:
    return Client() if role == "anonymous" else client_of(role)


def urls(publication, project_id) -> list[str]:
    return [
        f"/public/{publication.slug}/",
        f"/public/{publication.slug}/xlsx/",
        f"/public/{publication.slug}/p/{project_id}/",
        f"/public/d/{publication.department_id}/{publication.year}/",
    ]


@pytest.fixture
def goals(department, user_of):
    """预算公开 of 2021 with one project left out (its targets returned to the draft)."""
    left_out = projects_of(department, GOALS_YEAR)[0]
    set_status(left_out, Status.DRAFT)
    publication = actions.publish_goals(department, GOALS_YEAR, user_of("supervisor_own"))
    return publication, left_out


@pytest.fixture
def results(department, user_of):
    return actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))


def test_nothing_is_public_before_anything_is_published(demo, department):
    page = Client().get("/public/")
    assert page.status_code == 200 and "暂无公开的绩效信息" in page.content.decode()
    project = projects_of(department, GOALS_YEAR)[0]
    for url in (
        f"/public/d/{department.pk}/{GOALS_YEAR}/",
        f"/public/d/{department.pk}/{RESULTS_YEAR}/",
        "/public/notaslug/",
        "/public/notaslug/xlsx/",
        f"/public/notaslug/p/{project.pk}/",
    ):
        assert Client().get(url).status_code == 404, url


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_publication_in_force_without_signing_in(role, client_of, goals):
    publication, _ = goals
    for url in urls(publication, publication.project_ids[0]):
        response = visitor(client_of, role).get(url)
        assert response.status_code == 200, url
    index = visitor(client_of, role).get("/public/").content.decode()
    assert publication.contents["region"] in index and f"/public/{publication.slug}/" in index


def test_the_goal_tables_are_shown_as_published(goals):
    publication, left_out = goals
    text = Client().get(f"/public/{publication.slug}/").content.decode()
    for project in Project.objects.filter(pk__in=publication.project_ids):
        assert project.name in text
        for ind in Indicator.objects.filter(project=project):
            assert ind.name in text
            assert (ind.level1_printed or ind.get_level1_display()) in text
            assert (ind.level2_printed or ind.get_level2_display()) in text
    # the project left out is nowhere on the public pages
    assert left_out.name not in text
    assert (
        left_out.name
        not in Client().get(f"/public/d/{publication.department_id}/{GOALS_YEAR}/").content.decode()
    )
    assert left_out.name not in Client().get("/public/").content.decode()


def test_the_results_are_shown_as_published(results):
    text = Client().get(f"/public/{results.slug}/").content.decode()
    for evaluation in Evaluation.objects.filter(project_id__in=results.project_ids).select_related("project"):
        assert evaluation.project.name in text
        assert f"{evaluation.total_score:.2f}" in text and evaluation.grade in text
    assert "预算执行率" in text and "%" in text


@pytest.mark.parametrize("role", ROLES)
def test_a_withdrawn_publication_is_not_found_by_anyone(role, client_of, goals, user_of):
    publication, _ = goals
    actions.withdraw(publication, user_of("supervisor_own"), "指标值更正")
    for url in urls(publication, publication.project_ids[0]):
        assert visitor(client_of, role).get(url).status_code == 404, url
    assert publication.slug not in visitor(client_of, role).get("/public/").content.decode()


def test_a_project_not_published_is_not_found_by_its_id(goals, department, other_department):
    publication, left_out = goals
    other = Project.objects.filter(department=other_department).first()
    unpublished_year = projects_of(department, RESULTS_YEAR)[0]
    for project in (left_out, other, unpublished_year):
        assert Client().get(f"/public/{publication.slug}/p/{project.pk}/").status_code == 404
    # the other department-years are not public
    assert Client().get(f"/public/d/{department.pk}/{RESULTS_YEAR}/").status_code == 404
    assert Client().get(f"/public/d/{other_department.pk}/{GOALS_YEAR}/").status_code == 404


def test_one_project_of_a_publication(goals):
    publication, _ = goals
    first, second = publication.projects[:2]
    text = Client().get(f"/public/{publication.slug}/p/{first['id']}/").content.decode()
    assert first["name"] in text and second["name"] not in text


def test_an_edit_after_publication_changes_nothing_public(goals, results):
    publication, _ = goals
    project = Project.objects.get(pk=publication.project_ids[0])
    ind = Indicator.objects.filter(project=project).order_by("order").first()
    old_target = ind.target_text
    Indicator.objects.filter(pk=ind.pk).update(target_text="≥999999（公开后修改）")
    Project.objects.filter(pk=project.pk).update(name="公开后改名的项目")
    text = Client().get(f"/public/{publication.slug}/").content.decode()
    assert "公开后修改" not in text and "公开后改名的项目" not in text
    assert old_target in text
    xlsx = b"".join(Client().get(f"/public/{publication.slug}/xlsx/").streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert "公开后" not in str([c for ws in book.worksheets for row in ws.values for c in row])
    # a published score changed later (reopened and re-entered) stays as published
    evaluation = Evaluation.objects.get(project_id=results.project_ids[0])
    published = results.projects[0]["total_score"]
    Evaluation.objects.filter(pk=evaluation.pk).update(total_score=Decimal("12.34"), grade="差")
    text = Client().get(f"/public/{results.slug}/").content.decode()
    assert "12.34" not in text and published in text


def test_the_goals_table_reads_back_with_openpyxl(goals):
    """烟台 2021: the region's 项目预算支出绩效目标表, a sheet a published project (as export_goals prints
    it), from the frozen contents; the left-out project has no sheet."""
    publication, left_out = goals
    response = Client().get(f"/public/{publication.slug}/xlsx/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.worksheets) == len(publication.projects)
    for sheet, project in zip(book.worksheets, publication.projects, strict=True):
        values = [c for row in sheet.values for c in row if c not in (None, "")]
        assert values[0] == f"{GOALS_YEAR} 年项目预算支出绩效目标表"
        assert "项目名称" in values and project["name"] in values and "绩效指标" in values
        for indicator in project["indicators"]:
            assert indicator["name"] in values
        assert left_out.name not in values
        assert any(str(r) == f"A1:{chr(64 + sheet.max_column)}1" for r in sheet.merged_cells.ranges)
    count = sum(len(p["indicators"]) for p in publication.projects)
    assert count == Indicator.objects.filter(project_id__in=publication.project_ids).count()


def test_the_results_table_reads_back_with_openpyxl(results):
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(Client().get(f"/public/{results.slug}/xlsx/").streaming_content))
    )
    rows = list(book.active.values)
    assert list(rows[0]) == ["序号", "项目名称", "实施单位", "自评得分", "自评等级", "预算执行率"]
    assert len(rows) == 1 + 3
    for row, project in zip(rows[1:], results.projects, strict=True):
        evaluation = Evaluation.objects.get(project_id=project["id"])
        assert row[1] == project["name"] and row[4] == evaluation.grade
        assert Decimal(str(row[3])).quantize(Decimal("0.01")) == evaluation.total_score
        assert row[5] == project["execution_rate"]


def test_the_public_pages_take_no_post(goals):
    publication, _ = goals
    assert Client().post(f"/public/{publication.slug}/").status_code == 405
    assert Client().post("/public/").status_code == 405


def test_the_public_pages_stay_open_if_login_becomes_required_everywhere(goals, settings):
    """The public views are marked login_not_required: with Django's LoginRequiredMiddleware switched on
    they still answer without login, and the department's page still asks for it."""
    publication, _ = goals
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]
    for url in urls(publication, publication.project_ids[0]) + ["/public/"]:
        assert Client().get(url).status_code == 200, url
    assert Client().get("/publication/").status_code == 302


def test_a_formula_in_a_published_text_stays_text_in_the_workbook(department, user_of):
    project = projects_of(department, GOALS_YEAR)[0]
    ind = Indicator.objects.filter(project=project).order_by("order").first()
    Indicator.objects.filter(pk=ind.pk).update(target_text='=HYPERLINK("http://example.invalid","点击")')
    publication = actions.publish_goals(department, GOALS_YEAR, user_of("supervisor_own"))
    data = b"".join(Client().get(f"/public/{publication.slug}/xlsx/").streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows(min_row=2)
        for c in row
        if c.value and str(c.value).startswith("=")
    ]
    assert cells and all(c.data_type == "s" for c in cells)
