"""The default goal layout prints every field the system holds, the 101号 columns included (指标解释,
评(扣)分标准, 数据来源/佐证, 取值依据), in Excel, on the print page and in the goals export; the seeds'
own layouts, which do not print them, are unchanged."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from perfgoals.goaltables import layouts, tables
from perfgoals.models import Indicator
from projects.models import Project

from .conftest import Sheet, open_book

pytestmark = pytest.mark.django_db

F101 = ["指标解释", "评(扣)分标准", "数据来源/佐证", "取值依据"]


def _2019_project() -> Project:
    # 烟台's published layout starts in 2021: its 2019 projects print in the default layout
    return Project.objects.select_related("unit__department__region").get(year=2019, name="困难群众医疗救助")


def _fill(project: Project) -> Indicator:
    ind = project.indicators.order_by("order").first()
    Indicator.objects.filter(pk=ind.pk).update(
        explanation="救助对象住院费用获救助的比例",
        scoring_standard="达标得满分，每低 1 个百分点扣 0.5 分",
        data_source="医疗救助系统统计报表",
        basis="history",
    )
    return ind


def _find(sheet: Sheet, text: str) -> tuple[int, int]:
    for row in sheet.ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text} not in the sheet")


def test_only_the_default_layout_has_the_columns():
    assert layouts.DEFAULT.headings[-4:] == tuple(F101) and layouts.DEFAULT.landscape
    for layout in layouts.LAYOUTS:
        if layout.key != "default":
            assert not set(F101) & set(layout.headings), layout.key
    # every head row spans the table's width
    for head_row in layouts.DEFAULT.head:
        spans = sum(cell.colspan for cell in head_row.cells)
        assert spans in (len(layouts.DEFAULT.columns), len(layouts.DEFAULT.columns) - 1)


def test_the_default_workbook_prints_them(demo):
    project = _2019_project()
    ind = _fill(project)
    goal = tables.for_project(project)
    assert goal.pages[0].layout.key == "default"
    sheet = Sheet(open_book(goal.workbook()).worksheets[0])
    row, column = _find(sheet, "指标解释")
    assert [sheet.value(row, column + i) for i in range(4)] == F101
    name_row, name_column = _find(sheet, ind.name)
    assert [sheet.value(name_row, column + i) for i in range(4)] == [
        "救助对象住院费用获救助的比例",
        "达标得满分，每低 1 个百分点扣 0.5 分",
        "医疗救助系统统计报表",
        "历史标准",
    ]
    assert sheet.ws.page_setup.orientation == "landscape"
    # the head rows span the nine columns (no blank cells beside them)
    assert sheet.value(_find(sheet, "项目名称")[0], 9) == project.name


def test_the_print_page_and_the_export_print_them(demo, tmp_path):
    project = _2019_project()
    _fill(project)
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="tianbao_yantai"))
    page = client.get(reverse("goaltables:project_print", args=[project.pk])).content.decode()
    assert all(title in page for title in F101) and "达标得满分，每低 1 个百分点扣 0.5 分" in page
    assert "goal-landscape" in page
    call_command(
        "export_goals", department="烟台市医疗保障局", year=2019, out=str(tmp_path), skip_checks=True
    )
    files = list(tmp_path.rglob("*.xlsx"))
    assert files
    found = False
    for path in files:
        for ws in open_book(path.read_bytes()).worksheets:
            values = {cell.value for row in ws.iter_rows() for cell in row}
            found = found or "医疗救助系统统计报表" in values
    assert found


def test_a_seed_layout_does_not_print_them(demo):
    project = Project.objects.select_related("unit__department__region").get(
        year=2021, name="城乡居民医疗保险市级补助"
    )
    _fill(project)
    goal = tables.for_project(project)
    assert goal.pages[0].layout.key == "yantai-2021"
    values = {
        cell.value for ws in open_book(goal.workbook()).worksheets for row in ws.iter_rows() for cell in row
    }
    assert not set(F101) & values and "医疗救助系统统计报表" not in values
