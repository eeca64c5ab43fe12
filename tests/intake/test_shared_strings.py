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


def test_the_string_table_is_read_as_openpyxl_reads_it():
    """``reader.strings`` replaces openpyxl's table reader (about 75 µs an entry, minutes for rich
    text): the same texts — rich-text runs joined, phonetic runs left out, spaces kept, x005F_ dropped."""
    from openpyxl.reader.strings import read_string_table as openpyxl_table

    from perfgoals.intake.reader.limits import Limits
    from perfgoals.intake.reader.strings import read_string_table

    entries = [
        "<si><t>项目名称</t></si>",
        '<si><t xml:space="preserve">  前后有空格  </t></si>',
        "<si/>",
        "<si><t/></si>",
        "<si><r><rPr><b/><sz val='11'/></rPr><t>项目</t></r><r><t>名称</t></r></si>",
        "<si><t>基础</t><rPh sb='0' eb='2'><t>ジソ</t></rPh><phoneticPr fontId='1'/></si>",
        "<si><r><t>≥</t></r><r><rPr><color rgb='FFFF0000'/></rPr><t xml:space='preserve'> 95%</t></r></si>",
        "<si><t>x005F_x000D_换行</t></si>",
        "<si><t>&lt;&amp;&gt;</t></si>",
    ]
    table = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(entries)
        + "</sst>"
    ).encode()
    ours = read_string_table(io.BytesIO(table), Limits())
    assert list(ours) == openpyxl_table(io.BytesIO(table))
    assert ours[4] == "项目名称" and ours[5] == "基础" and ours[6] == "≥ 95%"


def test_rich_text_in_the_headers_and_the_values_reads_as_its_text():
    """Excel keeps a cell formatted in parts as rich-text runs: read as the whole text."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Sheet1")
    bold, red = workbook.add_format({"bold": True}), workbook.add_format({"font_color": "red"})
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    sheet.write_rich_string(0, 1, bold, "项目", "名称")
    sheet.write_rich_string(1, 4, "发放", red, "宣传资料")
    workbook.close()

    result = read_workbook(io.BytesIO(buffer.getvalue()))

    [fragment] = result.fragments
    assert fragment.name == "医保政策宣传" and not result.errors
    assert [r.name for r in fragment.rows] == ["发放宣传资料", "宣传覆盖率", "群众满意度"]
