"""A project that misses targets: the deviation notes reach section 三, and a total below 80 prints
the explanation in the form and the report."""

import io
from decimal import Decimal

import pytest
from conftest import open_xlsx
from docx import Document

from perfgoals.models import Evaluation, Indicator
from perfgoals.reports import html, wording, xlsx_forms
from perfgoals.reports.data import department_projects, department_year
from perfgoals.reports.docx_report import STYLE_BODY, STYLE_HEADING, report_document
from perfgoals.reports.models import ReportStyle
from perfgoals.scoring import recompute
from projects.models import BudgetLine, Project

pytestmark = pytest.mark.django_db

FOUR = [
    ["work_overview", "一、自评工作开展情况"],
    ["results_overview", "二、自评结果概述"],
    ["problems", "三、存在的问题及原因"],
    ["next_steps", "四、下一步工作措施"],
]

RATIO = "重点救助对象合规医疗费年度限额内住院救助比例"  # ≧70%, weight 25
SATISFACTION = "工作满意度"  # ≧80%, weight 10
NOTE = "受年内救助政策调整影响，部分对象未能及时纳入救助范围；下一步将加强部门信息比对，做到应救尽救"


@pytest.fixture
def rescue(demo):
    """困难群众医疗救助 of 2019, with the ratio indicator missed (35% against ≧70%) and explained."""
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    Indicator.objects.filter(project=project, name=RATIO).update(actual_text="35%", deviation_note=NOTE)
    recompute(project)
    return project


def _department_year(yantai):
    return department_year(yantai, 2019, department_projects(Project.objects.all(), yantai, 2019))


def _section(document, heading: str) -> list[str]:
    out, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name == STYLE_HEADING:
            inside = paragraph.text == heading
        elif inside and paragraph.style.name == STYLE_BODY and paragraph.text:
            out.append(paragraph.text)
    return out


def test_a_missed_target_is_explained_in_section_three(rescue, yantai):
    dy = _department_year(yantai)
    form = dy.forms[2]
    assert form.total == Decimal("87.50") and form.grade == "良" and not form.low_score_required
    row = next(r for r in form.rows if r.name == RATIO)
    assert row.missed and row.score == Decimal("12.50")

    problem = (
        f"（一）城乡医疗救助资金。“{RATIO}”年度指标值为“≥70%”，实际完成“35%”，得分 12.50 分（分值 25 分）。"
        f"偏差原因及改进措施：{NOTE}。"
    )
    document = Document(io.BytesIO(report_document(wording.report_text(dy))))
    # seed 001's report has no 存在的问题 section: the problems close 二、自评结果概述
    second = _section(document, "二、自评结果概述")
    assert second[0] == (
        "经我局自评，3 个项目中，自评等级为“优”的 2 个、“良”的 1 个，平均得分 95.83 分。其中，"
        "居民基本医疗保险市级财政补助 100 分（优），职工长期护理保险市级补助资金 100 分（优），"
        "城乡医疗救助资金 87.50 分（良）。"
    )
    assert (
        second[1] == "上述项目共设置三级绩效指标 46 项，其中 45 项达到年度指标值，1 项未达到年度指标值，"
        "具体情况见下文。"
    )
    assert second[-2:] == ["存在的问题及原因：", problem]

    # a region whose report has a 存在的问题 section tells them there
    ReportStyle.objects.filter(region=yantai.region).update(sections=FOUR)
    dy = _department_year(yantai)
    document = Document(io.BytesIO(report_document(wording.report_text(dy))))
    assert _section(document, "三、存在的问题及原因") == [problem]
    second = _section(document, "二、自评结果概述")
    assert second[1].endswith("具体情况见第三部分。") and problem not in second

    # the form prints the score and the note in the row
    ws = open_xlsx(xlsx_forms.form_workbook(form)).active
    cells = next(r for r in ws.iter_rows(values_only=True) if r[3] == RATIO)
    assert (cells[5], Decimal(str(cells[7])), cells[8]) == ("35%", Decimal("12.5"), NOTE)


def test_a_missed_target_without_a_note_is_reported_as_unexplained(rescue, yantai):
    Indicator.objects.filter(project=rescue, name=RATIO).update(deviation_note="")
    text = wording.report_text(_department_year(yantai))
    assert text.sections["problems"].endswith("得分 12.50 分（分值 25 分）。尚未填写偏差原因分析。")
    page = html.form_page(_department_year(yantai).forms[2])
    assert "missed" in page


def test_below_80_prints_the_explanation_in_the_form_and_the_report(rescue, yantai):
    BudgetLine.objects.filter(project=rescue, source="current_year").update(executed=Decimal("175"))
    Indicator.objects.filter(project=rescue, name=SATISFACTION).update(
        actual_text="40%", deviation_note="问卷样本偏少"
    )
    explanation = "救助比例未达目标、资金拨付滞后。下一步将加快资金拨付进度，完善救助对象动态管理"
    Evaluation.objects.filter(project=rescue).update(low_score_explanation=explanation)
    recompute(rescue)
    dy = _department_year(yantai)
    form = dy.forms[2]
    # 5 (execution 50%) + 12.5 + 25 + 15 + 15 + 5 = 77.5
    assert (form.total, form.grade, form.low_score_required) == (Decimal("77.50"), "中", True)

    ws = open_xlsx(xlsx_forms.form_workbook(form)).active
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert (
        Decimal(str(ws.cell(total_row, 8).value)) == Decimal("77.5")
        and ws.cell(total_row, 8).number_format == "General"  # as the seed prints scores
    )
    assert ws.cell(total_row, 9).value in ("", None)  # 烟台's total row prints no grade
    assert ws.cell(total_row + 1, 1).value == (
        f"总分在 80 分以下的项目未实现绩效目标的原因分析及拟采取的措施说明：\n{explanation}"
    )
    assert [ws.cell(8, c).value for c in (6, 8, 9)] == [175, 0.5, 5]

    problems = wording.report_text(dy).paragraphs("problems")
    assert problems == [
        "（一）城乡医疗救助资金。全年预算数 350 万元，全年执行数 175 万元，预算执行率 50%，"
        "尚有 175 万元未执行。"
        f"“{RATIO}”年度指标值为“≥70%”，实际完成“35%”，得分 12.50 分（分值 25 分）。"
        f"偏差原因及改进措施：{NOTE}。"
        "“工作满意度”年度指标值为“≥80%”，实际完成“40%”，得分 5 分（分值 10 分）。"
        "偏差原因及改进措施：问卷样本偏少。"
        f"该项目自评得分 77.50 分，低于 80 分。未实现绩效目标的原因及拟采取的措施：{explanation}。"
    ]
    summary = open_xlsx(xlsx_forms.summary_workbook(dy)).active
    assert [summary.cell(6, c).value for c in (2, 4, 5)] == ["城乡医疗救助资金", 77.5, "中"]


def test_below_80_without_explanation_says_it_is_missing(rescue, yantai):
    Indicator.objects.filter(project=rescue, name=SATISFACTION).update(actual_text="20%")
    BudgetLine.objects.filter(project=rescue, source="current_year").update(executed=Decimal("100"))
    recompute(rescue)
    text = wording.report_text(_department_year(yantai))
    assert "低于 80 分。尚未说明未实现绩效目标的原因及拟采取的措施。" in text.sections["problems"]
