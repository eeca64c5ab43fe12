"""The tolerant reader alone (no database): values, header variants, merges, provenance."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from perfgoals.intake.reader import WorkbookRejected, field_of_header, read_workbook

from .conftest import workbook_bytes

pytestmark = pytest.mark.usefixtures("string_table")

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]


def _read(data: bytes, **options):
    return read_workbook(io.BytesIO(data), **options)


def _rows(result):
    return [row for fragment in result.fragments for row in fragment.rows]


@pytest.mark.parametrize(
    ("printed", "field"),
    [
        ("项目名称", "project"),
        ("项目名称*", "project"),
        ("本年绩效\n指标值", "target"),
        ("年度指标值（A）", "target"),
        ("目标值", "target"),
        ("绩效指标性质", "nature"),
        ("绩效度量单位", "measure"),
        ("实际完成指标值（B）", "actual"),
        ("偏差原因分析及改进措施", "deviation"),
        ("项目总预算(万元)", "total_budget"),
        ("预算资金", "budget"),
        ("当年财政拨款-全年执行数", "current_year_executed"),
        ("年度绩效指标（2021年）", "label"),
        ("指 标 名 称", "name"),
        ("备注", None),
    ],
)
def test_header_variants(printed, field):
    assert field_of_header(printed) == field


def test_numbers_are_read_as_printed_never_through_a_float():
    def setup(workbook, ws):
        ws["F2"].number_format = "0%"
        ws["F3"].number_format = "0.0%"
        ws["G3"].number_format = "0.00"

    data = workbook_bytes(
        [
            HEADER,
            [2024, "甲", "产出指标", "数量指标", "合格率", 0.9, 2.5],
            [2024, "甲", "产出指标", "质量指标", "到位率", 0.955, 0.1],
            [2024, "甲", "产出指标", "时效指标", "完成时间", datetime(2024, 11, 30), 3],
            [2024, "甲", "产出指标", "成本指标", "单价", 1234567.891, 1],
        ],
        setup=setup,
    )
    rows = _rows(_read(data))
    assert [r.target for r in rows] == ["90%", "95.5%", "2024年11月30日", "1234567.891"]
    assert [r.weight for r in rows] == [Decimal("2.5"), Decimal("0.1"), Decimal(3), Decimal(1)]
    assert all(isinstance(r.weight, Decimal) for r in rows)


def test_text_that_starts_with_an_equals_sign_is_text_not_a_formula():
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("S")
    ws.append(HEADER)
    cell = WriteOnlyCell(ws, value="=100%")
    cell.data_type = "s"
    ws.append([2024, "甲", "产出指标", "质量指标", "补助达标率", cell, 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _read(buffer.getvalue())
    assert result.errors == [] and _rows(result)[0].target == "=100%"


def test_a_header_merged_over_two_columns_takes_the_value_from_either():
    """Huancui prints 目标值 over two columns; rows put the value in one or the other."""
    data = workbook_bytes(
        [
            ["项目名称", "一级指标", "二级指标", "三级指标", "目标值", None],
            ["甲", "产出指标", "数量指标", "检查次数", "≥4次", None],
            ["甲", None, "质量指标", "合格率", None, "100%"],
        ],
        merges=["E1:F1"],
    )
    result = _read(data, default_year=2020)
    assert result.errors == []
    assert [(r.name, r.target) for r in _rows(result)] == [("检查次数", "≥4次"), ("合格率", "100%")]


def test_a_two_row_header_with_merged_upper_cells():
    data = workbook_bytes(
        [
            ["项目名称", "绩效指标", None, None, "指标值"],
            [None, "一级指标", "二级指标", "三级指标", None],
            ["甲", "产出指标", "数量指标", "检查次数", "≥4次"],
        ],
        merges=["A1:A2", "E1:E2", "B1:D1"],
    )
    result = _read(data, default_year=2020)
    assert result.errors == [], [e.text() for e in result.errors]
    assert [(r.level1, r.level2, r.name, r.target) for r in _rows(result)] == [
        ("output", "quantity", "检查次数", "≥4次")
    ]


def test_merged_level_cells_carry_down_and_rows_keep_their_provenance():
    data = workbook_bytes(
        [
            HEADER,
            [2024, "甲", "产出指标", "数量指标", "检查次数", "≥4次", 10],
            [None, None, None, None, "检查户数", "≥20户", 10],
            [None, None, None, "质量指标", "合格率", "100%", 10],
        ],
        merges=["A2:A4", "B2:B4", "C2:C4", "D2:D3"],
        title="目标",
    )
    rows = _rows(_read(data))
    assert [(r.sheet, r.row, r.level2, r.name) for r in rows] == [
        ("目标", 2, "quantity", "检查次数"),
        ("目标", 3, "quantity", "检查户数"),
        ("目标", 4, "quality", "合格率"),
    ]
    assert rows[1].columns["name"] == "E" and rows[1].columns["level1"] == "C"


def test_project_information_sheet_values_are_typed():
    workbook = Workbook()
    ws = workbook.active
    ws.title = "绩效目标表"
    ws.append(HEADER)
    ws.append([2024, "甲", "产出指标", "数量指标", "检查次数", "≥4次", 10])
    info = workbook.create_sheet("项目信息")
    info.append(
        [
            "年度",
            "项目名称",
            "项目立项时间",
            "项目结束时间",
            "是否包含政府采购",
            "当年财政拨款-全年预算数",
            "一级指标分值",
        ]
    )
    info.append([2024, "甲", date(2024, 1, 1), "2024.12.31", "否", "1,234.50", "产出指标 50；效益指标 30"])
    notes = workbook.create_sheet("填写说明")
    notes.append(["这一页的内容不会被读取", "=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _read(buffer.getvalue())
    assert result.errors == []
    [fragment] = result.fragments
    assert fragment.fields == {
        "start_date": date(2024, 1, 1),
        "end_date": date(2024, 12, 31),
        "government_procurement": False,
        "current_year_annual": Decimal("1234.50"),
        "level1_weights": {"output": "50", "benefit": "30"},
    }
    assert result.sheets == ["绩效目标表", "项目信息"]


def test_conflicting_project_values_are_errors():
    data = workbook_bytes(
        [
            ["项目名称", "预算资金", "一级指标", "二级指标", "三级指标", "指标值"],
            ["甲", 40, "产出指标", "数量指标", "检查次数", "≥4次"],
            ["甲", 50, "产出指标", "数量指标", "检查户数", "≥4户"],
        ]
    )
    result = _read(data, default_year=2021)
    assert [e.text() for e in result.errors] == [
        "工作表「Sheet1」第 3 行「预算资金（万元）」列（B3）："
        "项目「甲」的「预算资金（万元）」填写不一致：这里是「50」，第 2 行是「40」。"
    ]


def test_unknown_columns_and_stray_cells_are_warnings_not_silence():
    data = workbook_bytes(
        [
            [*HEADER, "备注"],
            [2024, "甲", "产出指标", "数量指标", "检查次数", "≥4次", 10, "内部备注", "多出的格"],
        ]
    )
    result = _read(data)
    assert result.errors == []
    messages = [w.text() for w in result.warnings]
    assert "工作表「Sheet1」第 1 行（H1）：列「备注」不是模板中的列，已忽略。" in messages
    assert any("「多出的格」所在的列没有表头" in m for m in messages)


def test_a_workbook_with_only_an_instructions_sheet():
    workbook = Workbook()
    workbook.active.title = "填写说明"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [e.message for e in _read(buffer.getvalue()).errors] == ["工作簿中只有说明页，没有数据表。"]


def test_file_checks_raise_before_reading():
    with pytest.raises(WorkbookRejected, match="不是 Excel"):
        _read(b"hello world")


def test_rows_carry_their_project_and_unit_down_and_a_refused_row_still_counts():
    """Blank identity cells carry the row above's; a row whose project name is refused still set what
    it named (its unit), so the next row's project falls under that unit, as it always has."""
    header = ["年度", "项目名称", "实施单位", "一级指标", "二级指标", "三级指标", "指标值"]
    row = ["产出指标", "数量指标"]
    data = workbook_bytes(
        [
            header,
            [2030, "甲项目", "一单位", *row, "甲1", "10个"],
            [None, None, None, *row, "甲2", "11个"],
            [2030, "甲项目", None, *row, "甲3", "12个"],
            [2030, "乙" * 201, "二单位", *row, "乙1", "13个"],
            [2030, "甲项目", None, *row, "甲4", "14个"],
            [None, None, None, *row, "甲5", "15个"],
            [2031, "甲项目", None, *row, "甲6", "16个"],
        ]
    )
    result = _read(data)
    found = {(f.year, f.unit_name, f.name): [r.name for r in f.rows] for f in result.fragments}
    assert found == {
        (2030, "一单位", "甲项目"): ["甲1", "甲2", "甲3"],
        (2030, "二单位", "甲项目"): ["甲4", "甲5"],
        (2031, "二单位", "甲项目"): ["甲6"],
    }
    assert [(e.row, e.message[:7]) for e in result.errors] == [(5, "内容有 201")]


def test_an_indicator_row_pickles_as_its_values_and_reads_back_the_same():
    """The reading crosses from the reader's process pickled; a row is its field values in order."""
    import pickle

    from perfgoals.intake.reader.results import IndicatorRow

    row = IndicatorRow(
        sheet="表1",
        row=3,
        columns={"name": "C", "target": "D"},
        level1="output",
        level2="quantity",
        level1_printed="产出指标",
        level2_printed="数量指标",
        name="救助人次",
        target="≥1万人次",
        weight=Decimal("10"),
        not_applicable=False,
        notes=["未填一级指标"],
    )
    row.actual = "1.2万人次"
    copy = pickle.loads(pickle.dumps(row))
    assert copy == row and copy is not row and copy.weight == Decimal("10")
    assert b"level1_printed" not in pickle.dumps(row)  # the values, not a dict of field names
