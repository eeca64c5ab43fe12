"""财预〔2021〕101号's four indicator fields in the Excel import: the template's optional columns, the
reader's headers and values, planning and importing; a file without them imports as before; the
rollover carries them to next year's indicators."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from perfgoals.intake import services, template
from perfgoals.intake.reader import FIELD_TITLES, field_of_header, read_workbook
from perfgoals.models import Indicator
from projects.models import Project

from .conftest import database_state, workbook_bytes

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
F101 = ["指标解释", "评(扣)分标准", "数据来源/佐证", "取值依据"]


def _rows(data: bytes):
    result = read_workbook(io.BytesIO(data))
    return result, [row for fragment in result.fragments for row in fragment.rows]


def _import(data: bytes, user, **options):
    return services.import_workbook(io.BytesIO(data), actor=services.Actor(user), **options)


def test_the_goals_template_and_the_export_end_with_the_four_columns():
    goals = load_workbook(io.BytesIO(template.write_template("goals")))
    sheet = goals["绩效目标表"]
    header = [c.value for c in sheet[1]]
    assert header[10:] == ["指标方向（人工确认）", "不适用", *F101]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["P2:P5000"] == '"计划标准,行业标准,历史标准,其他"'
    help_text = " ".join(str(c.value) for row in goals["填写说明"].iter_rows() for c in row if c.value)
    assert all(title in help_text for title in F101) and "财预〔2021〕101号" in help_text
    assert template.EXPORT_COLUMNS[-4:] == ("explanation", "scoring_standard", "data_source", "basis")
    # the results template does not ask for them (they belong to the targets)
    results = load_workbook(io.BytesIO(template.write_template("results")))
    assert not set(F101) & {c.value for c in results["绩效目标表"][1]}


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("指标解释", "explanation"),
        ("指标说明", "explanation"),
        ("评(扣)分标准", "scoring_standard"),
        ("评（扣）分标准", "scoring_standard"),
        ("评分标准", "scoring_standard"),
        ("数据来源/佐证", "data_source"),
        ("数据来源", "data_source"),
        ("佐证材料", "data_source"),
        ("取值依据", "basis"),
        ("指标值取值依据", "basis"),
    ],
)
def test_their_headers(header, code):
    assert field_of_header(header) == code
    assert FIELD_TITLES[code] in F101


def test_values_are_read_and_a_table_without_the_columns_leaves_them_unset():
    data = workbook_bytes(
        [
            [*HEADER, *F101],
            [2024, "甲", "产出指标", "数量指标", "a", "≥5台", 10, "解释", "标准", "来源", "计划标准"],
            [2024, "甲", "产出指标", "数量指标", "b", "≥5台", 10, None, None, None, "历史"],
            [2024, "甲", "产出指标", "数量指标", "c", "≥5台", 10, None, None, None, "行业标准"],
            [2024, "甲", "产出指标", "数量指标", "d", "≥5台", 10, None, None, None, "其他"],
            [2024, "甲", "产出指标", "数量指标", "e", "≥5台", 10, None, None, None, None],
        ]
    )
    result, rows = _rows(data)
    assert result.errors == []
    assert (rows[0].explanation, rows[0].scoring_standard, rows[0].data_source) == ("解释", "标准", "来源")
    assert [r.basis for r in rows] == ["plan", "history", "industry", "other", ""]
    assert rows[1].explanation == ""
    _, old = _rows(workbook_bytes([HEADER, [2024, "甲", "产出指标", "数量指标", "a", "≥5台", 10]]))
    assert (old[0].explanation, old[0].scoring_standard, old[0].data_source, old[0].basis) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.django_db
def test_a_bad_basis_or_an_oversized_text_refuses_the_file(demo, yantai):
    data = workbook_bytes(
        [
            [*HEADER, *F101],
            [2024, "新项目", "产出指标", "数量指标", "a", "≥5台", 10, None, None, None, "拍脑袋"],
            [2024, "新项目", "产出指标", "数量指标", "b", "≥5台", 10, "解" * 501, None, None, None],
        ],
        title="目标",
    )
    before = database_state()
    plan, report = _import(data, yantai)
    assert report is None
    texts = [e.text() for e in plan.errors]
    assert any("「取值依据」列（K2）" in t and "不是有效的取值依据" in t for t in texts), texts
    assert any("「指标解释」列（H3）" in t for t in texts), texts
    assert database_state() == before


@pytest.mark.django_db
def test_a_goal_table_with_the_columns_stores_them_and_one_without_still_imports(demo, yantai):
    with_columns = workbook_bytes(
        [
            [*HEADER, *F101],
            [
                2024,
                "新项目甲",
                "产出指标",
                "数量指标",
                "培训人次",
                "≥500人次",
                10,
                "全年参加培训的人次",
                "达到目标得满分，每少 10% 扣 1 分",
                "培训签到表",
                "历史标准",
            ],
        ]
    )
    plan, report = _import(with_columns, yantai)
    assert plan.ok and report is not None
    ind = Indicator.objects.get(project__name="新项目甲", name="培训人次")
    assert (ind.explanation, ind.scoring_standard, ind.data_source, ind.basis) == (
        "全年参加培训的人次",
        "达到目标得满分，每少 10% 扣 1 分",
        "培训签到表",
        "history",
    )
    without = workbook_bytes([HEADER, [2024, "新项目乙", "产出指标", "数量指标", "培训人次", "≥500人次", 10]])
    plan, report = _import(without, yantai)
    assert plan.ok and report is not None
    ind = Indicator.objects.get(project__name="新项目乙", name="培训人次")
    assert (ind.explanation, ind.scoring_standard, ind.data_source, ind.basis) == ("", "", "", "")


@pytest.mark.django_db
def test_an_export_imports_back_with_them(demo, yantai):
    project = Project.objects.filter(year=2021, unit__name="烟台市医疗保障局").order_by("pk").first()
    ind = project.indicators.order_by("order").first()
    Indicator.objects.filter(pk=ind.pk).update(
        explanation="指标解释甲", scoring_standard="评分标准甲", data_source="来源甲", basis="industry"
    )
    data = template.export_projects(template.export_queryset(yantai, project_ids=[project.pk]))
    header = [c.value for c in load_workbook(io.BytesIO(data))["绩效目标表"][1]]
    assert header[-4:] == F101
    result, rows = _rows(data)
    assert result.errors == []
    first = next(r for r in rows if r.name == ind.name)
    assert (first.explanation, first.scoring_standard, first.data_source, first.basis) == (
        "指标解释甲",
        "评分标准甲",
        "来源甲",
        "industry",
    )


@pytest.mark.django_db
def test_the_rollover_carries_them(demo, yantai):
    source = Project.objects.filter(year=2019, unit__name="烟台市医疗保障局").order_by("pk").first()
    first = source.indicators.order_by("order").first()
    Indicator.objects.filter(pk=first.pk).update(
        explanation="解释", scoring_standard="标准", data_source="来源", basis="plan", library_key="参保率"
    )
    report = services.rollover(services.Actor(yantai), [source.pk], 2020)
    new = report.created[0].indicators.order_by("order").first()
    assert (new.explanation, new.scoring_standard, new.data_source, new.basis, new.library_key) == (
        "解释",
        "标准",
        "来源",
        "plan",
        "参保率",
    )
    assert all(i.filled_101 == 0 for i in report.created[0].indicators.order_by("order")[1:])


@pytest.mark.django_db
def test_the_preview_counts_them(demo, yantai):
    data = workbook_bytes(
        [
            [*HEADER, *F101],
            [
                2024,
                "新项目丙",
                "产出指标",
                "数量指标",
                "培训人次",
                "≥500人次",
                10,
                "解释",
                None,
                "签到表",
                "计划标准",
            ],
        ]
    )
    plan, report = _import(data, yantai, dry_run=True)
    assert report is None and plan.ok
    rows = [row for project in plan.preview()["projects"] for row in project["rows"]]
    assert rows[0]["filled_101"] == 3
