"""The Excel 自评表 and 汇总表 hold, cell by cell, what seed 001 prints for the 2019 Yantai projects."""

from decimal import Decimal

import pytest
from conftest import merged_range, merged_value, open_xlsx

from perfgoals.engine import vocabulary
from perfgoals.reports import xlsx_forms

pytestmark = pytest.mark.django_db


def number(value) -> Decimal:
    """A spreadsheet number as a Decimal (openpyxl reads 1807.5 as a float; str() round-trips it)."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(str(value))


def read_form(ws) -> dict:
    """The form's contents by position, as an official reads it."""
    header = next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 2).value == "一级指标")
    rows, row = [], header + 1
    while ws.cell(row, 1).value != "总分":
        rows.append(
            {
                "level1": merged_value(ws, row, 2),
                "level2": merged_value(ws, row, 3),
                "name": ws.cell(row, 4).value,
                "target": ws.cell(row, 5).value,
                "actual": ws.cell(row, 6).value,
                "weight": ws.cell(row, 7).value,
                "score": ws.cell(row, 8).value,
                "note": ws.cell(row, 9).value,
            }
        )
        row += 1
    return {
        "header_row": header,
        "rows": rows,
        "total_row": row,
        "total": ws.cell(row, 8).value,
        "grade": ws.cell(row, 9).value,
        "low_score": ws.cell(row + 1, 1).value,
        "notes": [ws.cell(r, 1).value for r in range(row + 2, ws.max_row + 1) if ws.cell(r, 1).value],
    }


def level1_label(project: dict, level1_printed: str) -> str:
    code = vocabulary.normalise_level1(level1_printed)
    declared = {vocabulary.normalise_level1(k): v for k, v in project["level1_weights"].items()}
    weight = declared.get(code)
    if weight is None:
        weight = sum(
            Decimal(i["weight"])
            for i in project["indicators"]
            if vocabulary.normalise_level1(i["level1"]) == code
        )
    return f"{vocabulary.level1_name(code)}\n（{weight}分）"


@pytest.mark.parametrize("index", [0, 1, 2])
def test_form_cells_hold_the_seed_values(dy2019, seed001, index):
    project = seed001["projects"][index]
    form = dy2019.forms[index]
    ws = open_xlsx(xlsx_forms.form_workbook(form)).active

    # 烟台市's style: 附件 N above the region's title (reports.style; test_reports_seed001)
    assert ws["A1"].value == f"附件 {index + 1}"
    assert ws["A2"].value == "市级预算项目支出绩效自评表"
    assert ws["A3"].value == "（2019 年度）"
    assert ws["A4"].value == "单位：万元"
    assert (ws["A5"].value, ws["D5"].value, ws["F5"].value, ws["G5"].value) == (
        "项目名称",
        project["name"],
        "主管部门",
        seed001["department"],
    )
    assert (ws["A6"].value, ws["D6"].value, ws["F6"].value, ws["G6"].value) == (
        "项目实施单位",
        project["unit"],
        "联系电话",
        project["contact_phone"],
    )

    # 项目预算执行情况（10分）: header row 7, 年度资金总额 row 8, one row per fund source
    assert ws["A7"].value == "项目预算\n执行情况\n（10分）" and str(merged_range(ws, 7, 1)) == "A7:B11"
    assert [ws.cell(7, c).value for c in range(4, 10)] == [
        "年初预算数",
        "全年预算数（A）",
        "全年执行数（B）",
        "分值",
        "执行率（B/A）",
        "得分",
    ]
    printed = project["budget_total_printed"]
    assert ws["C8"].value == "年度资金总额"
    assert [number(ws.cell(8, c).value) for c in (4, 5, 6)] == [
        Decimal(printed["initial"]),
        Decimal(printed["annual"]),
        Decimal(printed["executed"]),
    ]
    assert number(ws["G8"].value) == Decimal(project["execution"]["weight"])
    assert (
        number(ws["H8"].value) == Decimal(project["execution"]["printed_rate"])
        and ws["H8"].number_format == "0%"
    )
    # 附件2 prints the execution score blank: it stays blank (flagged for the reviewer)
    score = project["execution"]["printed_score"]
    assert (number(ws["I8"].value) if score else ws["I8"].value) == (Decimal(score) if score else "")
    labels = {"current_year": "其中：当年财政拨款", "carryover": "上年结转资金", "other": "其他资金"}
    for row, line in zip((9, 10, 11), project["budget_lines"], strict=True):
        assert ws.cell(row, 3).value == labels[line["source"]]
        assert [number(ws.cell(row, c).value) for c in (4, 5, 6)] == [
            Decimal(line["initial"]),
            Decimal(line["annual"]),
            Decimal(line["executed"]),
        ]
        assert ws.cell(row, 7).value == "-" and ws.cell(row, 9).value == "-"

    # 年度总体目标
    assert (
        ws["A12"].value == "年度总体目标"
        and ws["C12"].value == "年初预期目标"
        and ws["F12"].value == "目标实际完成情况"
    )
    assert ws["C13"].value == project["goal_text"]
    assert ws["F13"].value == project["goal_result_text"]

    # 年度绩效指标, grouped by level 1 and level 2, "无" lines for the empty level-2 categories
    content = read_form(ws)
    assert ws.cell(content["header_row"], 1).value == "年度绩效指标"
    indicator_rows = [row for row in content["rows"] if row["name"] != "无"]
    assert len(indicator_rows) == len(project["indicators"])
    for row, expected in zip(indicator_rows, project["indicators"], strict=True):
        if vocabulary.normalise_level1(expected["level1"]) in {
            vocabulary.normalise_level1(k) for k in project["level1_weights"]
        }:
            assert row["level1"] == level1_label(project, expected["level1"])
        else:  # 附件3 prints its 效益 rows under a blank level-1 cell
            assert row["level1"] in ("", None)
        assert row["level2"] == vocabulary.level2_name(vocabulary.normalise_level2(expected["level2"]))
        assert (row["name"], row["target"], row["actual"]) == (
            expected["name"],
            expected["target"],
            expected["actual"],
        )
        assert number(row["weight"]) == Decimal(expected["weight"])
        assert number(row["score"]) == Decimal(expected["printed_score"])
        assert (row["note"] or "") == expected["deviation_note"]
    empty = {row["level2"] for row in content["rows"] if row["name"] == "无"}
    assert empty == {
        vocabulary.level2_name(vocabulary.normalise_level2(l2)) for _l1, l2 in project["empty_level2"]
    }

    assert number(content["total"]) == Decimal(project["printed_total"])
    assert content["grade"] in ("", None)  # the seed's total row prints no grade
    assert content["low_score"] == "总分在 80 分以下的项目未实现绩效目标的原因分析及拟采取的措施说明："
    assert content["notes"][0] == "注：1.得分一档最高不能超过该指标分值上限。"
    assert (
        content["notes"][-1]
        == "　　5.自评得分在 80 分以下的，要简要说明绩效目标未实现的原因和下一步拟采取的具体措施。"
    )


def test_level_groups_are_merged_cells(dy2019):
    ws = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[0])).active
    content = read_form(ws)
    first = content["header_row"] + 1
    # 产出指标 spans its 16 rows; 数量指标 its 3; the 年度绩效指标 label runs from the header to the last row
    assert str(merged_range(ws, first, 2)) == f"B{first}:B{first + 15}"
    assert str(merged_range(ws, first, 3)) == f"C{first}:C{first + 2}"
    assert (
        str(merged_range(ws, content["header_row"], 1))
        == f"A{content['header_row']}:A{content['total_row'] - 1}"
    )


def test_form_prints_on_a4_with_borders_and_repeated_header(dy2019):
    ws = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[0])).active
    content = read_form(ws)
    assert str(ws.page_setup.paperSize) == "9" and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # one page wide (1 is the OOXML default, which XlsxWriter leaves out), as many pages tall as needed
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    header = content["header_row"]
    assert ws.print_title_rows == f"${header}:${header}"
    widths = {}
    for dimension in ws.column_dimensions.values():  # equal neighbours are stored as one range
        for col in range(dimension.min, dimension.max + 1):
            widths[col] = dimension.width
    # Excel adds the cell padding to the width it stores
    assert [round(widths[col]) for col in range(1, 10)] == [
        round(w + 0.71) for _h, w in xlsx_forms.FORM_COLUMNS
    ]
    cell = ws.cell(header + 1, 4)
    assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
    assert cell.alignment.wrap_text and cell.font.name == "宋体"
    assert ws.row_dimensions[header + 11].height > ws.row_dimensions[header + 1].height  # 8、大病保险 is long


def test_summary_lists_the_three_projects_with_100_and_excellent(dy2019, seed001):
    ws = open_xlsx(xlsx_forms.summary_workbook(dy2019)).active
    assert ws["A1"].value == "2019 年度烟台市医疗保障局部门预算项目绩效自评情况汇总表"
    assert [ws.cell(3, c).value for c in range(1, 6)] == [
        "序号",
        "项目名称",
        "资金使用单位",
        "自评得分",
        "自评等级",
    ]
    rows = [[ws.cell(r, c).value for c in range(1, 6)] for r in range(4, 7)]
    assert [row[0] for row in rows] == [1, 2, 3]
    # the names the summary prints (Project.summary_name: two differ from their forms' names); the
    # 资金使用单位 as the summary prints it (烟台市医疗保障服务中心), not the forms' 项目实施单位
    assert [row[1] for row in rows] == [r["name"] for r in seed001["summary_table"]]
    assert (
        [row[2] for row in rows]
        == [r["unit"] for r in seed001["summary_table"]]
        == ["烟台市医疗保障服务中心"] * 3
    )
    assert [(number(row[3]), row[4]) for row in rows] == [
        (Decimal(r["score"]), r["grade"]) for r in seed001["summary_table"]
    ]
    assert ws.cell(7, 1).value is None
    assert str(ws.page_setup.paperSize) == "9" and ws.print_title_rows == "$3:$3"


@pytest.fixture
def two_places(yantai):
    """烟台 printing scores at two places (the default style; seed 001 prints them as written)."""
    from perfgoals.reports.data import department_projects, department_year
    from perfgoals.reports.models import ReportStyle
    from projects.models import Project

    ReportStyle.objects.filter(region=yantai.region).update(scores="two_places", total_row_grade=True)
    return department_year(yantai, 2019, department_projects(Project.objects.all(), yantai, 2019))


def test_scores_show_two_places_and_weights_as_printed(two_places):
    """#16: a score column reads alike (100.00, 9.50 — never "10" beside "9.50"); a weight stays 10."""
    dy2019 = two_places
    form = read_form(ws := open_xlsx(xlsx_forms.form_workbook(dy2019.forms[0])).active)
    header = form["header_row"]
    scored = [row for row in form["rows"] if isinstance(row["score"], int | float)]
    assert len(scored) > 5
    for offset, row in enumerate(form["rows"], start=1):
        if isinstance(row["score"], int | float):
            assert ws.cell(header + offset, 8).number_format == "0.00", row
        if isinstance(row["weight"], int | float) and float(row["weight"]).is_integer():
            assert ws.cell(header + offset, 7).number_format == "0", row
    assert ws.cell(form["total_row"], 8).number_format == "0.00"
    summary = open_xlsx(xlsx_forms.summary_workbook(dy2019)).active
    assert {summary.cell(r, 4).number_format for r in range(4, 7)} == {"0.00"}


def test_the_printed_form_shows_scores_at_two_places(two_places):
    from django.template.loader import render_to_string

    dy2019 = two_places
    html = render_to_string("reports/_form.html", {"form": dy2019.forms[0]})
    assert ">100.00<" in html  # the total
    assert "（10分）" in html or "（10 分）" in html  # the execution weight, as printed
