"""The 2019 self-evaluation outputs against seed 001 (烟台市医疗保障局, 第五部分 附件).

Each generated output is opened as a reader would (openpyxl: values and merged ranges; python-docx:
headings) and compared with the fixture transcribed from the seed and, where the seed text is beside
the checkout (settings.PERFEVAL_SEEDS_DIR), with the seed's own words. What still differs is listed in
the module's last test, so a difference is a decision, not an accident.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from conftest import merged_range, merged_value, open_xlsx
from django.conf import settings
from docx import Document

from perfgoals.models import Evaluation
from perfgoals.reports import docx_report, html, xlsx_forms
from perfgoals.reports.data import department_projects, department_year
from perfgoals.reports.docx_report import STYLE_HEADING, STYLE_TITLE
from perfgoals.reports.models import ReportStyle
from perfgoals.reports.wording import report_text
from perfgoals.workflow.flags import evaluation_review_flags
from projects.models import BudgetLine, Project
from projects.seed_data.schema import squash

pytestmark = pytest.mark.django_db

FORM_TITLE = "市级预算项目支出绩效自评表"
SUMMARY_TITLE = "2019 年度烟台市医疗保障局部门预算项目绩效自评情况汇总表"
HEADINGS = ["一、自评工作开展情况", "二、自评结果概述", "三、下一步工作措施"]


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = settings.PERFEVAL_SEEDS_DIR / "001_4ebc388c5f1c0b05.txt"
    if not path.exists():
        pytest.skip("seed 001 不在 PERFEVAL_SEEDS_DIR：无法与原文比对")
    return path.read_text(encoding="utf-8")


def _rows(ws) -> list[list]:
    """Every row's shown values (merged ranges read from their first cell), empty cells as ""."""
    out = []
    for r in range(1, ws.max_row + 1):
        values = []
        for c in range(1, ws.max_column + 1):
            value = merged_value(ws, r, c)
            values.append("" if value is None else value)
        out.append(values)
    return out


def _find_row(ws, col: int, text: str) -> int:
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, col).value == text:
            return r
    raise AssertionError(f"{text!r} not in column {col}")


# --- the region's style, loaded from the fixture ------------------------------------------------------


def test_the_seed_fixture_carries_yantais_style(yantai, seed001):
    style = ReportStyle.objects.get(region=yantai.region).as_style()
    assert style.form_title == FORM_TITLE == seed001["report_style"]["form_title"]
    assert style.attachment_numbers and not style.total_row_grade and style.scores == "as_printed"
    assert [heading for _field, heading in style.sections] == HEADINGS
    # a history row records the style's creation (admin edits are audited the same way)
    assert ReportStyle.history.filter(region=yantai.region).count() == 1


def test_the_summary_names_are_held_as_the_seed_prints_them(dy2019, seed001):
    assert [form.name for form in dy2019.forms] == [p["name"] for p in seed001["projects"]]
    assert [row.name for row in dy2019.summary_rows] == [row["name"] for row in seed001["summary_table"]]
    # the first project's summary name is its name: nothing stored
    assert Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助").summary_name == ""


# --- 附件 1–3: the 自评表 -------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_form_prints_the_seeds_title_attachment_and_head(dy2019, seed001, index):
    form = dy2019.forms[index]
    data = seed001["projects"][index]
    ws = open_xlsx(xlsx_forms.form_workbook(form)).active
    assert ws["A1"].value == f"附件 {index + 1}"
    assert ws["A2"].value == FORM_TITLE
    assert ws["A3"].value == "（2019 年度）"
    assert ws["A4"].value == "单位：万元"
    assert [merged_value(ws, 5, c) for c in (1, 4, 6, 7)] == [
        "项目名称",
        data["name"],
        "主管部门",
        "烟台市医疗保障局",
    ]
    assert [merged_value(ws, 6, c) for c in (1, 4, 6, 7)] == [
        "项目实施单位",
        data["unit"],
        "联系电话",
        "6893038",
    ]
    # the title spans the whole form, as printed
    assert str(merged_range(ws, 2, 1)) == "A2:I2"


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_forms_budget_block_is_the_seeds(dy2019, seed001, index):
    data = seed001["projects"][index]
    ws = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[index])).active
    row = _find_row(ws, 3, "年度资金总额")
    printed = data["budget_total_printed"]
    assert [ws.cell(row, c).value for c in (4, 5, 6)] == [
        Decimal(printed[k]) if "." in printed[k] else int(printed[k])
        for k in ("initial", "annual", "executed")
    ]
    assert ws.cell(row, 7).value == 10
    score = data["execution"]["printed_score"]
    # 附件2 prints the score blank: it stays blank (and the reviewer is told, below)
    assert ws.cell(row, 9).value == (int(score) if score else "")
    label = merged_value(ws, row, 1)
    assert label.replace("\n", "") == "项目预算执行情况（10分）"


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_forms_indicator_rows_are_the_seeds(dy2019, seed001, index):
    data = seed001["projects"][index]
    ws = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[index])).active
    head = _find_row(ws, 2, "一级指标")
    assert [ws.cell(head, c).value for c in range(2, 10)] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值（A）",
        "实际完成指标值（B）",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    total_row = _find_row(ws, 1, "总分")
    printed = [
        (
            ws.cell(r, 4).value,
            ws.cell(r, 5).value or "",
            ws.cell(r, 6).value or "",
            ws.cell(r, 7).value,
            ws.cell(r, 8).value,
        )
        for r in range(head + 1, total_row)
        if ws.cell(r, 4).value != "无"
    ]
    expected = [
        (ind["name"], ind["target"], ind["actual"], int(ind["weight"]), int(ind["printed_score"]))
        for ind in data["indicators"]
    ]
    assert printed == expected
    # scores are printed as the seed prints them: whole numbers, no ".00"
    assert all(
        isinstance(score, int) and ws.cell(head + 1, 8).number_format == "General" for *_, score in printed
    )


def test_empty_categories_and_an_omitted_level1_label_print_as_in_the_seed(dy2019):
    ws1 = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[0])).active
    rows = _rows(ws1)
    empty = [row for row in rows if row[3] == "无"]
    # 附件1 prints 经济效益指标 and 生态效益指标 with "无" and nothing else on the line
    assert [(row[2], row[4:]) for row in empty] == [
        ("经济效益指标", ["", "", "", "", ""]),
        ("生态效益指标", ["", "", "", "", ""]),
    ]
    level1 = [merged_value(ws1, r, 2) for r in range(1, ws1.max_row + 1)]
    assert (
        "产出指标\n（50分）" in level1 and "效益指标\n（30分）" in level1 and "满意度指标\n（10分）" in level1
    )

    # 附件3 prints its 社会效益 and 可持续影响 rows under a blank, unlabelled level-1 cell
    ws3 = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[2])).active
    social = _find_row(ws3, 3, "社会效益指标")
    span = merged_range(ws3, social, 2)
    assert span is not None and (span.min_row, span.max_row) == (social, social + 1)
    assert merged_value(ws3, social, 2) in ("", None)
    assert merged_value(ws3, social + 1, 3) == "可持续影响指标"
    page = html.form_page(dy2019.forms[2])
    assert "效益指标" not in page.replace("社会效益指标", "").replace("经济效益指标", "")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_total_row_prints_the_total_only(dy2019, index):
    ws = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[index])).active
    row = _find_row(ws, 1, "总分")
    assert str(merged_range(ws, row, 1)) == f"A{row}:G{row}"
    assert ws.cell(row, 8).value == 100
    assert ws.cell(row, 9).value in ("", None)  # no 自评等级 in the seed's total row
    assert "自评等级" not in html.form_page(dy2019.forms[index])
    assert merged_value(ws, row + 1, 1).startswith(
        "总分在 80 分以下的项目未实现绩效目标的原因分析及拟采取的措施说明："
    )


def test_the_blank_execution_score_is_flagged_for_the_reviewer(dy2019):
    blank, printed = dy2019.forms[1], dy2019.forms[0]
    assert blank.execution_blank and blank.budget_total.score is None
    assert not printed.execution_blank and printed.budget_total.score == Decimal(10)
    evaluation = Evaluation.objects.get(project_id=blank.project_id)
    assert evaluation.execution_score == Decimal(10) and evaluation.printed_execution_score is None
    flags = {flag.code: flag.label for flag in evaluation_review_flags(evaluation)}
    assert "execution_blank" in flags and "表中预算执行得分为空" in flags["execution_blank"]
    assert "execution_blank" not in {
        flag.code for flag in evaluation_review_flags(Evaluation.objects.get(project_id=printed.project_id))
    }
    # the total still counts the execution score, as the seed's 总分 100 does
    assert blank.total == Decimal(100)
    # once the unit submits its own figures the computed score is theirs: printed again
    evaluation.submitted_total = evaluation.total_score
    assert not evaluation.execution_printed_blank


# --- the 汇总表 -------------------------------------------------------------------------------------------


def test_the_summary_is_the_seeds(dy2019, seed001):
    ws = open_xlsx(xlsx_forms.summary_workbook(dy2019)).active
    assert ws["A1"].value == SUMMARY_TITLE
    assert str(merged_range(ws, 1, 1)) == "A1:E1"
    assert ws["A1"].alignment.wrap_text is not True and ws["A1"].alignment.shrink_to_fit
    assert merged_value(ws, 2, 1) == "单位：万元"
    assert [ws.cell(3, c).value for c in range(1, 6)] == [
        "序号",
        "项目名称",
        "资金使用单位",
        "自评得分",
        "自评等级",
    ]
    body = [[ws.cell(r, c).value for c in range(1, 6)] for r in range(4, ws.max_row + 1)]
    assert body == [
        [row["seq"], row["name"], row["unit"], int(row["score"]), row["grade"]]
        for row in seed001["summary_table"]
    ]
    page = html.summary_page(dy2019)
    assert "单位：万元" in page and "one-line" in page


# --- the 绩效评价报告 -------------------------------------------------------------------------------------


def test_the_report_has_the_seeds_sections_and_facts(dy2019):
    document = Document(io.BytesIO(docx_report.report_document(report_text(dy2019))))
    headings = [p.text for p in document.paragraphs if p.style.name == STYLE_HEADING]
    assert headings == HEADINGS
    assert [p.text for p in document.paragraphs if p.style.name == STYLE_TITLE] == [
        "2019 年度烟台市医疗保障局绩效评价报告"
    ]
    body = "\n".join(p.text for p in document.paragraphs)
    assert (
        body.count(
            "自评项目个数 3 个，分别为居民基本医疗保险市级财政补助、职工长期护理保险市级补助资金、城乡医疗救助资金。"
        )
        == 1
    )
    for name, amount in (
        ("居民基本医疗保险市级财政补助", "5515"),
        ("职工长期护理保险市级补助资金", "1807.5"),
        ("城乡医疗救助资金", "350"),
    ):
        assert f"{name}全年预算数 {amount} 万元，全年执行数 {amount} 万元，预算执行率 100%" in body
    assert (
        "上述 3 个项目全年预算数合计 7672.5 万元，全年执行数合计 7672.5 万元，总体预算执行率 100%。" in body
    )
    assert "3 个项目自评均为 100 分" in body
    # the print page says the same
    page = html.report_page(report_text(dy2019))
    assert all(f'<h2 class="report-heading">{heading}</h2>' in page for heading in HEADINGS)
    assert "存在的问题及原因" not in page


def test_the_report_headings_occur_in_the_seed(seed_text):
    squashed = squash(seed_text)
    assert all(squash(heading) in squashed for heading in HEADINGS)
    assert squash(FORM_TITLE) in squashed and squash(SUMMARY_TITLE) in squashed
    for number in (1, 2, 3):
        assert squash(f"附件 {number}") in squashed


def test_the_overall_rate_counts_only_the_projects_with_figures(yantai):
    BudgetLine.objects.filter(
        project__year=2019, project__summary_name__in=["职工长期护理保险市级补助资金", "城乡医疗救助资金"]
    ).update(executed=None)
    dy = department_year(yantai, 2019, department_projects(Project.objects.all(), yantai, 2019))
    text = report_text(dy).sections["work_overview"]
    assert (
        "3 个项目中 1 个项目有执行数据，其全年预算数合计 5515 万元，全年执行数合计 5515 万元，总体预算执行率 100%。"
        in text
    )


def test_the_departments_own_wording_is_kept_under_the_regions_headings(dy2019, user):
    from perfgoals.reports import actions

    mine = "2020 年，我局将继续按照“以人民为中心”的指导思想，健全完善基本医疗保险政策体系。"
    actions.save_report_text(user("shenhe_yantai"), dy2019, {"next_steps": mine})
    text = report_text(dy2019)
    assert text.headed_sections[-1] == ("next_steps", "三、下一步工作措施", [mine])
    assert text.missing == []


def test_a_region_without_a_style_prints_the_default(demo):
    from projects.models import Department

    department = Department.objects.select_related("region").get(name="烟台市医疗保障局")
    ReportStyle.objects.filter(region=department.region).delete()
    dy = department_year(department, 2019, department_projects(Project.objects.all(), department, 2019))
    form = dy.forms[0]
    assert form.title == "项目支出绩效自评表" and form.attachment == ""
    assert form.grade_in_total_row == "自评等级：优"
    ws = open_xlsx(xlsx_forms.form_workbook(form)).active
    assert ws["A1"].value == "项目支出绩效自评表"
    assert [heading for _f, heading, _p in report_text(dy).headed_sections] == HEADINGS


def test_the_remaining_differences_from_the_seed_are_the_documented_ones(dy2019):
    """What the outputs still print differently from seed 001 (see the report of this change)."""
    ws = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[0])).active
    row = _find_row(ws, 3, "年度资金总额")
    # 执行率: the seed prints "1" (a ratio), the form prints 100% (a percent-formatted 1)
    assert ws.cell(row, 8).value == 1 and ws.cell(row, 8).number_format == "0%"
    # the report's title names the department in full (the seed: "2019 年度医疗保障局绩效评价报告")
    assert report_text(dy2019).title == "2019 年度烟台市医疗保障局绩效评价报告"
