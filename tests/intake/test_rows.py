"""The reader's own sheet parser (``reader.rows``) reads every cell as openpyxl's read-only parser does.

``rows`` reads a sheet's XML straight into the reader's cells instead of going through openpyxl's
``WorkSheetParser`` and its cell objects. Here workbooks of drawn values — texts (with tabs and
surrounding spaces, CJK), integers, floats of every size, booleans, dates, percentages and other number
formats, formulas, error values — are written by openpyxl (inline strings) and by XlsxWriter (a
shared-string table, as Excel saves) and read both ways: openpyxl's typed values, converted by the
reader's one conversion (``cells.typed_cell``), must be exactly what ``rows`` gives, cell by cell.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfgoals.intake.reader.cells import typed_cell
from perfgoals.intake.reader.limits import Limits
from perfgoals.intake.reader.problems import WorkbookRejected
from perfgoals.intake.reader.rows import CellStyles, SheetRows, cell_texts
from perfgoals.intake.reader.strings import open_workbook
from perfgoals.intake.reader.workbook import read_workbook_here

#: openpyxl warns of a serial number too large for a date (and reads it as #VALUE!, as rows does)
pytestmark = pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")

FORMATS = [None, "0%", "0.00%", "0.00", "#,##0", "yyyy-mm-dd", "yyyy年m月d日", "@", "0.0E+00"]

texts = st.text(
    alphabet=st.sampled_from(list("项目资金满意度达标率abcXYZ 019.%\t\u3000-≥≤（）")), min_size=0, max_size=12
)
numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.decimals(min_value=-1000, max_value=1000, places=4).map(float),
)
days = st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31))
values = st.one_of(
    st.none(),
    texts,
    st.tuples(numbers, st.sampled_from(FORMATS)),
    st.booleans(),
    st.tuples(days, st.sampled_from(["yyyy-mm-dd", "yyyy年m月d日"])),
    st.sampled_from(["=1+2", "=SUM(A1:A3)", '="文字"']),
)
sheets = st.lists(st.lists(values, min_size=0, max_size=8), min_size=1, max_size=12)


def _write_openpyxl(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, tuple):
                cell.value = value[0]
                if value[1]:
                    cell.number_format = value[1]
            else:
                cell.value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_xlsxwriter(rows) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("Sheet1")
    formats: dict[str, object] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, tuple):
                number, code = value
                style = None
                if code:
                    style = formats.setdefault(code, workbook.add_format({"num_format": code}))
                if isinstance(number, date):
                    sheet.write_datetime(r, c, datetime(number.year, number.month, number.day), style)
                else:
                    sheet.write_number(r, c, number, style)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(r, c, value)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    workbook.close()
    return buffer.getvalue()


def _both_ways(data: bytes):
    """(openpyxl's cells converted, rows' cells) as {(row, column): CellValue} of the first sheet."""
    workbook = open_workbook(io.BytesIO(data), Limits())
    expected = {}
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            value = typed_cell(
                cell.value, cell.data_type, "%" in (cell.number_format or ""), cell.column_letter
            )
            if value is not None:
                expected[(cell.row, cell.column)] = value
    workbook.close()
    return expected, _rows_of(data)


def _rows_of(data: bytes):
    """``rows``' cells of the first sheet as {(row, column): CellValue}."""
    workbook = open_workbook(io.BytesIO(data), Limits())
    sheet = workbook.worksheets[0]
    reader = SheetRows(cell_texts(sheet._shared_strings), CellStyles.of(workbook))
    got = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(sheet._worksheet_path) as source:
        for row_number, found in reader.rows(source):
            for column, value in found:
                if value is not None:
                    got[(row_number, column)] = value
    workbook.close()
    return got


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets, st.sampled_from(["openpyxl", "xlsxwriter"]))
def test_rows_reads_every_cell_as_openpyxl_does(rows, writer):
    data = _write_openpyxl(rows) if writer == "openpyxl" else _write_xlsxwriter(rows)
    expected, got = _both_ways(data)
    assert got == expected


def test_the_drawn_kinds_all_arrive():
    """The comparison is not empty: each kind of value is read, with its typed form."""
    rows = [
        ["  项目A\t ", 12, 0.875, True, "=1+2"],
        [(0.9, "0%"), (date(2024, 5, 1), "yyyy-mm-dd"), 1e20, None, ""],
    ]
    expected, got = _both_ways(_write_xlsxwriter(rows))
    assert got == expected
    assert got[(1, 1)].text == "项目A"  # trailing whitespace, tabs too, removed
    assert got[(1, 2)].text == "12" and got[(1, 3)].text == "0.875"
    assert got[(1, 4)].flag is True and got[(1, 5)].formula == "=1+2"
    assert got[(2, 1)].text == "90%" and str(got[(2, 1)].number) == "0.9"
    assert got[(2, 2)].when == date(2024, 5, 1) and got[(2, 2)].text == "2024年5月1日"
    assert (2, 5) not in got  # an empty string is an empty cell


def _sheet_xml(cells: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{cells}</sheetData></worksheet>"
    ).encode()


def _with_sheet(xml: bytes) -> bytes:
    base = _write_openpyxl([["项目名称", (date(2024, 1, 1), "yyyy-mm-dd")]])  # style 1: a date
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, xml if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cells", "where", "shown"),
    [
        ('<row r="3"><c r="B3"><v>abc</v></c></row>', "B3", "abc"),  # a number that is not one
        ('<row r="4"><c r="C4" t="b"><v>x</v></c></row>', "C4", "x"),  # a boolean that is not one
        ('<row r="6"><c r="D6" s="1"><v>1月</v></c></row>', "D6", "1月"),  # a date serial that is not one
        ('<row r="5"><c r="5A"><v>1</v></c></row>', "", "5A"),  # a cell reference that is not one
        ('<row r="2.5"><c r="A2"><v>1</v></c></row>', "", "2.5"),  # a row number that is not one
    ],
)
def test_a_value_the_rules_cannot_read_is_refused_at_its_cell(cells, where, shown):
    with pytest.raises(WorkbookRejected) as raised:
        read_workbook_here(io.BytesIO(_with_sheet(_sheet_xml(cells))), limits=Limits())
    message = raised.value.problems[0].text()
    assert "无法读取" in message and f"「{shown}」" in message
    if where:
        assert where in message


def test_a_lower_case_reference_is_read_as_its_column():
    xml = _sheet_xml('<row r="2"><c r="c2" t="inlineStr"><is><t>甲</t></is></c></row>')
    got = _both_ways(_with_sheet(xml))[1]
    assert [(key, value.text, value.column) for key, value in got.items()] == [((2, 3), "甲", "C")]


def test_cells_without_a_reference_follow_the_one_before():
    xml = _sheet_xml(
        '<row><c r="B1" t="inlineStr"><is><t>甲</t></is></c><c t="inlineStr"><is><t>乙</t></is></c></row>'
    )
    expected, got = _both_ways(_with_sheet(xml))
    assert got == expected
    assert {key: value.text for key, value in got.items()} == {(1, 2): "甲", (1, 3): "乙"}


def test_a_number_whose_style_the_workbook_lacks_reads_as_general():
    xml = _sheet_xml('<row r="2"><c r="A2" s="99"><v>0.5</v></c><c r="B2" s="1"><v>45292</v></c></row>')
    got = _rows_of(_with_sheet(xml))  # openpyxl's own cell fails on style 99
    assert got[(2, 1)].text == "0.5" and str(got[(2, 1)].number) == "0.5"
    assert got[(2, 2)].when == date(2024, 1, 1)  # style 1 of the base workbook is a date


def test_blank_text_far_right_is_not_content_beyond_the_column_limit():
    """Spaces in a cell right of the last column read are an empty cell, as everywhere else."""
    xml = _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>说明</t></is></c>'
        '<c r="BZZ1" t="inlineStr"><is><t>   </t></is></c></row>'
    )
    result = read_workbook_here(io.BytesIO(_with_sheet(xml)), limits=Limits())
    assert not any("超出了可读取的范围" in problem.text() for problem in result.errors)
    with pytest.raises(WorkbookRejected) as raised:  # the same cell with text is refused, naming it
        read_workbook_here(io.BytesIO(_with_sheet(xml.replace(b"<t>   </t>", b"<t>x</t>"))), limits=Limits())
    assert "BZZ1" in raised.value.problems[0].text()
