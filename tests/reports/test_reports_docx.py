"""The 绩效评价报告 as a Word document: title, the region's sections (seed 001's three by default), figures from the data, the department's
wording, paragraph by paragraph."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document
from docx.shared import Pt

from perfgoals.reports import actions, wording
from perfgoals.reports.docx_report import (
    STYLE_BODY,
    STYLE_HEADING,
    STYLE_SIGNATURE,
    STYLE_TITLE,
    report_document,
)
from perfgoals.reports.models import SECTIONS

pytestmark = pytest.mark.django_db

#: seed 001's sections (烟台市's style, loaded with the seed; also the default)
HEADINGS = ["一、自评工作开展情况", "二、自评结果概述", "三、下一步工作措施"]
FOUR = [
    ["work_overview", "一、自评工作开展情况"],
    ["results_overview", "二、自评结果概述"],
    ["problems", "三、存在的问题及原因"],
    ["next_steps", "四、下一步工作措施"],
]


@pytest.fixture
def four_sections(yantai):
    """烟台 with a report of four sections (a region whose template has 存在的问题及原因)."""
    from perfgoals.reports.data import department_projects, department_year
    from perfgoals.reports.models import ReportStyle
    from projects.models import Project

    ReportStyle.objects.filter(region=yantai.region).update(sections=FOUR)
    return department_year(yantai, 2019, department_projects(Project.objects.all(), yantai, 2019))


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def sections_of(document) -> dict[str, list[str]]:
    """Body paragraphs under each heading."""
    result: dict[str, list[str]] = {}
    current = None
    for paragraph in document.paragraphs:
        if paragraph.style.name == STYLE_HEADING:
            current = paragraph.text
            result[current] = []
        elif paragraph.style.name == STYLE_BODY and current and paragraph.text:
            result[current].append(paragraph.text)
    return result


def test_report_title_headings_and_styles(dy2019):
    document = open_docx(report_document(wording.report_text(dy2019)))
    title = document.paragraphs[0]
    assert title.text == "2019 年度烟台市医疗保障局绩效评价报告" and title.style.name == STYLE_TITLE
    assert [p.text for p in document.paragraphs if p.style.name == STYLE_HEADING] == HEADINGS
    body = document.styles[STYLE_BODY]
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters of 三号
    assert body.font.size == Pt(16)
    assert (
        body.element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "仿宋"
    )
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert [p.text for p in document.paragraphs if p.style.name == STYLE_SIGNATURE] == [
        "烟台市医疗保障局",
        "年　月　日",
    ]


def test_section_one_states_the_budget_figures_at_100_percent(dy2019):
    text = wording.report_text(dy2019)
    document = open_docx(report_document(text))
    first = sections_of(document)["一、自评工作开展情况"]
    assert first == text.paragraphs("work_overview")
    assert first[0] == (
        "2019 年，我局自评项目个数 3 个，分别为居民基本医疗保险市级财政补助、职工长期护理保险市级补助资金、"
        "城乡医疗救助资金。"
        "居民基本医疗保险市级财政补助全年预算数 5515 万元，全年执行数 5515 万元，预算执行率 100%；"
        "职工长期护理保险市级补助资金全年预算数 1807.5 万元，全年执行数 1807.5 万元，预算执行率 100%；"
        "城乡医疗救助资金全年预算数 350 万元，全年执行数 350 万元，预算执行率 100%。"
        "上述 3 个项目全年预算数合计 7672.5 万元，全年执行数合计 7672.5 万元，总体预算执行率 100%。"
    )


def test_section_two_gives_scores_grades_and_results(dy2019):
    text = wording.report_text(dy2019)
    second = sections_of(open_docx(report_document(text)))["二、自评结果概述"]
    assert second == text.paragraphs("results_overview")
    assert second[0] == (
        "经我局自评，居民基本医疗保险市级财政补助、职工长期护理保险市级补助资金、城乡医疗救助资金 "
        "3 个项目自评均为 100 分，"
        "自评等级均为“优”。"
    )
    assert second[1] == "上述项目共设置三级绩效指标 46 项，均达到年度指标值。"
    assert second[2].startswith("（一）居民基本医疗保险市级财政补助。2019 年，我局提高了参保居民")
    assert second[4].startswith("（三）城乡医疗救助资金。资助 11 万余人次困难群众参保缴费。")


def test_without_missed_targets_section_three_says_so(four_sections):
    document = open_docx(report_document(wording.report_text(four_sections)))
    assert [p.text for p in document.paragraphs if p.style.name == STYLE_HEADING] == [h for _f, h in FOUR]
    third = sections_of(document)["三、存在的问题及原因"]
    assert third == ["经自评，各项目绩效指标均达到年度指标值，预算全部执行，未发现偏离绩效目标的情况。"]


def test_the_department_words_the_report_and_finalises_it(dy2019, user):
    supervisor = user("shenhe_yantai")
    steps = "2020 年，我局将继续按照“以人民为中心”的指导思想，健全完善政策体系。\n\n严格加强资金管理和使用。"
    reworded = (
        wording.report_text(dy2019).sections["work_overview"].replace("相关科室", "局基金监管科、待遇保障科")
    )
    actions.save_report_text(
        supervisor,
        dy2019,
        {
            "work_overview": reworded,
            "results_overview": wording.report_text(dy2019).sections["results_overview"],
            "next_steps": steps,
        },
    )
    text = wording.report_text(dy2019)
    assert text.edited == {"work_overview", "next_steps"}  # the untouched section keeps following the data
    document = open_docx(report_document(text))
    sections = sections_of(document)
    assert "局基金监管科、待遇保障科" in sections["一、自评工作开展情况"][1]
    assert sections["三、下一步工作措施"] == [
        "2020 年，我局将继续按照“以人民为中心”的指导思想，健全完善政策体系。",
        "严格加强资金管理和使用。",
    ]

    final = actions.finalize_report(supervisor, dy2019)
    assert final.is_final and final.edited == set(SECTIONS)
    signature = [
        p.text for p in open_docx(report_document(final)).paragraphs if p.style.name == STYLE_SIGNATURE
    ]
    assert signature[1].endswith("日") and "年　月" not in signature[1]
    with pytest.raises(ValidationError):
        actions.save_report_text(supervisor, dy2019, {"next_steps": "改"})
    assert not actions.reopen_report(supervisor, dy2019).is_final


def test_finalising_needs_section_four(dy2019, user):
    with pytest.raises(ValidationError, match="三、下一步工作措施"):
        actions.finalize_report(user("shenhe_yantai"), dy2019)


def test_finance_and_other_departments_cannot_word_the_report(dy2019, user):
    for name in ("caizheng_yantai", "shenhe_qinghai", "tianbao_yantai"):
        with pytest.raises(PermissionDenied):
            actions.save_report_text(user(name), dy2019, {"next_steps": "x"})


def test_an_edited_section_is_marked_stale_when_the_data_moves_on(dy2019, yantai, user):
    from perfgoals.reports.data import department_projects, department_year
    from perfgoals.scoring import recompute
    from projects.models import BudgetLine, Project

    actions.save_report_text(user("shenhe_yantai"), dy2019, {"work_overview": "我局自评项目 3 个。"})
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    BudgetLine.objects.filter(project=project, source="current_year").update(executed=Decimal("300"))
    recompute(project)
    again = department_year(yantai, 2019, department_projects(Project.objects.all(), yantai, 2019))
    assert wording.report_text(again).stale == {"work_overview"}
