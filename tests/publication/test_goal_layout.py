"""The 公开表 of a 预算公开 prints through the region-year's goal-table layout (青海 2021: 部门预算项目支出
绩效目标公开表, the whole department in one table), rebuilt from what the publication froze: the layout's
title and head cells, its merged ranges, nothing unpublished, nothing edited after publication, no login.
A publication frozen before the goal-table content was kept still prints (the plain table)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from perfgoals.choices import Status
from perfgoals.goaltables import layouts
from perfgoals.goaltables.content import from_plain, goal_projects, to_plain
from perfgoals.models import Indicator
from perfgoals.publication import actions
from perfgoals.publication.models import Publication
from projects.models import Project
from tests.goaltables.conftest import Sheet
from tests.web.conftest import set_status

from .conftest import projects_of

pytestmark = pytest.mark.django_db

YEAR = 2021


def _book(publication) -> openpyxl.Workbook:
    response = Client().get(f"/public/{publication.slug}/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def qinghai(other_department, user_of):
    """青海省医疗保障局's 预算公开 of 2021, with one project's targets back in the draft (unpublished)."""
    projects = projects_of(other_department, YEAR)
    assert len(projects) >= 2
    for project in projects:
        set_status(project, Status.TARGETS_APPROVED)
    left_out = projects[-1]
    set_status(left_out, Status.DRAFT)
    publication = actions.publish_goals(other_department, YEAR, user_of("supervisor_other"))
    return publication, left_out, [p for p in projects if p.pk != left_out.pk]


def test_the_frozen_table_content_reads_back_as_it_was():
    """to_plain is JSON-safe and from_plain gives the same content (money exact, dates, procurement)."""
    import json

    for project in goal_projects(Project.objects.filter(year=YEAR)[:10]):
        plain = json.loads(json.dumps(to_plain(project)))
        assert from_plain(plain) == project


def test_qinghai_public_table_prints_in_its_layout(qinghai):
    publication, left_out, published = qinghai
    assert all(p.get("table") for p in publication.projects)
    book = _book(publication)
    assert [ws.title for ws in book.worksheets] == ["绩效目标公开表"]
    sheet = Sheet(book.active)
    layout = layouts.QINGHAI_2021
    # the layout's title over every column, its subtitle cells and its headings
    assert sheet.value(1, 1) == layout.title
    assert sheet.merged(1, 1) == "A1:H1"
    assert sheet.value(2, 1) == layout.subtitle_left.format(year=YEAR)
    assert sheet.value(2, 5) == layout.subtitle_right
    assert [sheet.value(3, c) for c in range(1, 9)] == list(layout.headings)
    # each published project: its name and budget merged over exactly its indicator rows, in order
    assert set(publication.project_ids) == {p.pk for p in published}
    row = 4
    for project in (Project.objects.get(pk=pk) for pk in publication.project_ids):
        count = Indicator.objects.filter(project=project).count()
        assert count > 0
        assert sheet.value(row, 1) == project.name
        if count > 1:
            assert sheet.merged(row, 1) == f"A{row}:A{row + count - 1}"
            assert sheet.merged(row, 2) == f"B{row}:B{row + count - 1}"
        budget = sheet.ws.cell(row, 2)
        assert budget.number_format == "#,##0.00" and isinstance(budget.value, int | float)
        names = [sheet.value(r, 5) for r in range(row, row + count)]
        assert sorted(names) == sorted(
            Indicator.objects.filter(project=project).values_list("name", flat=True)
        )
        row += count
    assert sheet.ws.max_row == row - 1
    # nothing unpublished shows
    texts = " ".join(str(t) for t in sheet.texts())
    assert left_out.name not in texts
    for name in Indicator.objects.filter(project=left_out).values_list("name", flat=True):
        if not Indicator.objects.filter(project__in=published, name=name).exists():
            assert name not in texts


def test_the_public_table_is_the_frozen_one(qinghai):
    """An edit after publication (name, indicator, budget) changes nothing in the file."""
    publication, _left_out, published = qinghai
    before = [[c.value for c in row] for row in _book(publication).active.iter_rows()]
    project = published[0]
    Project.objects.filter(pk=project.pk).update(name="公开后改名的项目", total_budget=Decimal("1"))
    Indicator.objects.filter(project=project).update(
        target_text="≥999999（公开后修改）", name="公开后改名的指标"
    )
    project.budget_lines.update(annual=Decimal("123456"))
    after = [[c.value for c in row] for row in _book(publication).active.iter_rows()]
    assert after == before
    assert "公开后" not in str(after)


def test_withdrawn_or_unknown_is_not_public(qinghai, user_of):
    publication, _left_out, _published = qinghai
    actions.withdraw(publication, user_of("supervisor_other"), "更正后重新公开")
    assert Client().get(f"/public/{publication.slug}/xlsx/").status_code == 404
    assert Client().get("/public/notaslug/xlsx/").status_code == 404


def test_an_old_publication_without_the_table_content_still_prints(qinghai):
    """Frozen before the goal-table content was kept: the plain 公开表 from what it did freeze."""
    publication, _left_out, published = qinghai
    contents = dict(publication.contents)
    contents["projects"] = [{k: v for k, v in p.items() if k != "table"} for p in publication.projects]
    Publication.objects.filter(pk=publication.pk).update(contents=contents)
    rows = list(_book(publication).active.values)
    assert rows[0][:3] == ("序号", "项目名称", "实施单位")
    assert {r[1] for r in rows[1:]} == {p.name for p in published}
