"""Workbooks saved by Excel or WPS keep their text in a shared-string table (xl/sharedStrings.xml);
openpyxl, which writes the other test files, writes inline strings. The streaming sheet reader once
took the shared strings from the workbook object, which is empty in read-only mode, so every file
saved by Excel was refused as damaged while every test file passed."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter

from perfgoals.intake.reader import read_workbook
from perfgoals.intake.services import Actor, plan_import

from .test_views import HEADER, ROWS


def _excel_like(rows: list[list]) -> bytes:
    """A workbook as Excel saves it: every text cell an index into the shared-string table."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.close()
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
        assert 't="s"' in archive.read("xl/worksheets/sheet1.xml").decode()
    return data


def test_a_workbook_with_shared_strings_is_read():
    result = read_workbook(io.BytesIO(_excel_like([HEADER, *ROWS])))
    [fragment] = result.fragments
    assert (fragment.name, fragment.year) == ("医保政策宣传", 2024)
    assert [(r.level2_printed, r.name, r.target, r.weight) for r in fragment.rows] == [
        ("数量指标", "发放宣传资料", "2", Decimal(30)),
        ("质量指标", "宣传覆盖率", "≥95%", Decimal(30)),
        ("服务对象满意度指标", "群众满意度", "≥90%", Decimal(30)),
    ]
    assert (fragment.rows[0].nature, fragment.rows[0].measure) == ("≥", "万册")


@pytest.mark.django_db
def test_a_goals_file_saved_by_excel_is_planned_without_errors(demo, yantai):
    plan = plan_import(
        io.BytesIO(_excel_like([HEADER, *ROWS])), actor=Actor(yantai), kind="goals", source_name="目标表.xlsx"
    )
    assert plan.ok, [p.text() for p in plan.errors]
    assert plan.indicator_count == 3
