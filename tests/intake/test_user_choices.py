"""档次内得分, 指标方向（人工确认） and 不适用 in the template, the reader, the import and the export.

(The round trip of every demo project with these set is in test_round_trip.py; malformed values are
cases of test_malformed.py.)
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from perfgoals.choices import Status
from perfgoals.intake import services, template
from perfgoals.intake.models import ImportKind
from perfgoals.intake.reader import FIELD_TITLES, field_of_header, read_workbook
from perfgoals.models import Indicator
from projects.models import Project

from .conftest import database_state, project_snapshot, unit_user, workbook_bytes

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
NEW = ["评定档次", "档次内得分", "指标方向（人工确认）", "不适用"]


def _rows(data: bytes):
    result = read_workbook(io.BytesIO(data))
    return result, [row for fragment in result.fragments for row in fragment.rows]


def _import(data: bytes, user, **options):
    return services.import_workbook(io.BytesIO(data), actor=services.Actor(user), **options)


# --- template -------------------------------------------------------------------------------------


def test_every_template_and_export_column_reads_back_as_its_own_field():
    for code in {*template.GOALS_COLUMNS, *template.RESULTS_COLUMNS, *template.EXPORT_COLUMNS}:
        assert field_of_header(FIELD_TITLES[code]) == code, FIELD_TITLES[code]


def test_the_templates_have_the_new_columns_last_with_their_lists_and_help():
    goals = load_workbook(io.BytesIO(template.write_template("goals")))
    sheet = goals["绩效目标表"]
    header = [c.value for c in sheet[1]]
    assert header[:10] == [
        "年度",
        "实施单位",
        "项目名称",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "分值",
    ]
    # the 101号 columns after them (tests/intake/test_standard_101.py)
    assert header[10:12] == ["指标方向（人工确认）", "不适用"]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["K2:K5000"] == '"正向,反向,等于,约等于"' and lists["L2:L5000"] == '"是,否"'
    help_text = " ".join(str(c.value) for row in goals["填写说明"].iter_rows() for c in row if c.value)
    assert "指标方向（人工确认）" in help_text and "不适用" in help_text

    results = load_workbook(io.BytesIO(template.write_template("results")))
    sheet = results["绩效目标表"]
    header = [c.value for c in sheet[1]]
    assert header[10:] == ["实际完成值", "偏差原因分析及改进措施", "得分", "评定档次", "档次内得分"]
    by_range = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert by_range["N2:N5000"].formula1.startswith('"完成,部分完成,未完成')
    score = by_range["O2:O5000"]  # a number from 0 to the row's 分值 (column J)
    assert (score.type, score.operator, score.formula1, score.formula2) == ("decimal", "between", "0", "J2")
    help_text = " ".join(str(c.value) for row in results["填写说明"].iter_rows() for c in row if c.value)
    assert "档次内得分" in help_text and "不超过分值" in help_text


# --- reader ---------------------------------------------------------------------------------------


def test_values_are_read_tolerantly():
    def row(name, band, band_score, direction, na):
        return [2024, "甲", "产出指标", "数量指标", name, "良好", 10, band, band_score, direction, na]

    data = workbook_bytes(
        [
            [*HEADER, *NEW],
            row("a", "完成", 9, "正向", "是"),
            row("b", "完成", "8.5分", "反向（≤）", "√"),
            row("c", None, None, "≥", "✓"),
            row("d", None, None, "≤", "Y"),
            row("e", None, None, "＝", 1),
            row("f", None, None, "约等于", True),
            row("g", None, None, "空", "否"),
            row("h", None, None, None, "N"),
            row("i", None, None, "le", 0),
            row("j", None, None, " 正 向 ", "不适用"),
        ]
    )
    result, rows = _rows(data)
    assert result.errors == []
    assert [r.band_score for r in rows[:2]] == [Decimal(9), Decimal("8.5")]
    assert [r.direction_override for r in rows] == [
        "ge",
        "le",
        "ge",
        "le",
        "eq",
        "approx",
        "",
        "",
        "le",
        "ge",
    ]
    assert [r.not_applicable for r in rows] == [True, True, True, True, True, True, False, False, False, True]


def test_a_table_without_the_columns_leaves_them_unset():
    _, rows = _rows(workbook_bytes([HEADER, [2024, "甲", "产出指标", "数量指标", "a", "≥5台", 10]]))
    assert (rows[0].band_score, rows[0].direction_override, rows[0].not_applicable) == (None, None, None)


def test_a_bare_指标方向_header_is_指标性质_unless_the_table_has_a_指标性质_column():
    alone = workbook_bytes(
        [
            [*HEADER[:5], "指标方向", "指标值", "分值"],
            [2024, "甲", "产出指标", "数量指标", "a", "≤", "5天", 10],
        ]
    )
    result, rows = _rows(alone)
    assert result.errors == [] and (rows[0].nature, rows[0].direction_override) == ("≤", None)

    both = workbook_bytes(
        [
            [*HEADER[:5], "指标性质", "指标值", "分值", "指标方向"],
            [2024, "甲", "产出指标", "数量指标", "a", "定量", "5天", 10, "反向"],
        ]
    )
    result, rows = _rows(both)
    assert result.errors == [] and result.warnings == []
    assert (rows[0].nature, rows[0].direction_override) == ("定量", "le")


@pytest.mark.django_db
def test_the_message_names_sheet_row_and_column(demo, yantai):
    rows = [[2024, "新项目", "产出指标", "数量指标", f"指标{i}", "≥5台", 5] for i in range(10)]
    data = workbook_bytes(
        [
            [*HEADER, *NEW],
            *rows,
            [2024, "新项目", "产出指标", "质量指标", "培训效果", "良好", 5, "完成", "abc"],
        ],
        title="目标",
    )
    before = database_state()
    plan, report = _import(data, yantai)
    assert report is None
    assert [e.text() for e in plan.errors] == [
        "工作表「目标」第 12 行「档次内得分」列（I12）：「abc」不是数字。"
    ]
    assert database_state() == before


# --- import ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_goal_table_creates_and_replaces_with_them(demo, yantai):
    def table(first_direction, first_na, band_score):
        return workbook_bytes(
            [
                [*HEADER, "实际完成值", *NEW],
                [
                    2024,
                    "新项目",
                    "产出指标",
                    "数量指标",
                    "平均办理时间",
                    "5天",
                    40,
                    "6天",
                    None,
                    None,
                    first_direction,
                    first_na,
                ],
                [
                    2024,
                    "新项目",
                    "产出指标",
                    "质量指标",
                    "培训效果",
                    "良好",
                    20,
                    "良好",
                    "部分完成",
                    band_score,
                    None,
                    None,
                ],
                [
                    2024,
                    "新项目",
                    "效益指标",
                    "社会效益指标",
                    "群众知晓率",
                    "≥90%",
                    30,
                    "95%",
                    None,
                    None,
                    None,
                    "√",
                ],
                [
                    2024,
                    "新项目",
                    "满意度指标",
                    "服务对象满意度指标",
                    "学员满意度",
                    "≥90%",
                    10,
                    "92%",
                    None,
                    None,
                    None,
                    None,
                ],
            ]
        )

    plan, report = _import(table("反向", None, "13.5"), yantai)
    assert plan.errors == [], [e.text() for e in plan.errors]
    project = Project.objects.get(pk=report.created[0])
    got = [
        (i.name, i.direction_override, i.direction, i.band_score, i.not_applicable, i.score)
        for i in project.indicators.order_by("order")
    ]
    assert got == [
        ("平均办理时间", "le", "le", None, False, Decimal("33.33")),  # 5 ÷ 6 × 40: scored as 反向
        ("培训效果", "", "", Decimal("13.5"), False, Decimal("13.5")),
        ("群众知晓率", "", "ge", None, True, None),  # 不适用: not scored
        ("学员满意度", "", "ge", None, False, Decimal(10)),
    ]
    preview = plan.preview()["projects"][0]["rows"]
    assert (preview[0]["direction"], preview[0]["direction_label"]) == ("≤", "反向（≤）（人工确认）")
    assert [r["not_applicable"] for r in preview] == [False, False, True, False]
    assert preview[1]["band_score"] == "13.5"
    assert [r["score"] for r in preview] == ["33.33", "13.50", "", "10.00"]  # scores at two places (#16)

    # the same project again (a draft): replaced with the file's new choices
    plan, report = _import(table("正向", "是", "12"), yantai)
    assert report.replaced == [project.pk]
    first, second = project.indicators.order_by("order")[:2]
    assert (first.direction_override, first.not_applicable, first.score) == ("ge", True, None)
    assert second.band_score == Decimal(12) and second.score == Decimal(12)


@pytest.mark.django_db
def test_a_results_file_writes_the_band_score_and_leaves_the_target_choices(demo, yantai):
    project = Project.objects.get(year=2021, name="城乡居民医疗保险市级补助")
    project.evaluation.status = Status.ENTERING
    project.evaluation.save(update_fields=["status"])
    indicator = project.indicators.get(level2="quantity", name="保障已参保居民人数")
    data = workbook_bytes(
        [
            [
                "年度",
                "项目名称",
                "一级指标",
                "二级指标",
                "三级指标",
                "实际完成值",
                "分值",
                "评定档次",
                "档次内得分",
                "指标方向（人工确认）",
                "不适用",
            ],
            [
                2021,
                "城乡居民医疗保险市级补助",
                "产出指标",
                "数量指标",
                "保障已参保居民人数",
                "基本完成",
                5,
                "部分完成",
                3.5,
                "反向",
                "是",
            ],
        ]
    )
    plan, report = _import(data, yantai, kind=ImportKind.RESULTS)
    assert report.results == [project.pk], [e.text() for e in plan.errors]
    warnings = plan.projects[0].indicators[0].warnings
    assert any("指标方向（人工确认）「反向（≤）」与系统中的不同" in w for w in warnings), warnings
    assert any("「不适用」为「是」，与系统中的不同" in w for w in warnings), warnings
    indicator.refresh_from_db()
    assert (indicator.band, indicator.band_score, indicator.score) == (
        "部分完成",
        Decimal("3.5"),
        Decimal("3.5"),
    )
    assert (indicator.direction_override, indicator.not_applicable) == ("", False)

    # a new band without a score of its own drops the score given inside the old band
    data = workbook_bytes(
        [
            ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "实际完成值", "评定档次"],
            [
                2021,
                "城乡居民医疗保险市级补助",
                "产出指标",
                "数量指标",
                "保障已参保居民人数",
                "基本完成",
                "完成",
            ],
        ]
    )
    _import(data, yantai, kind=ImportKind.RESULTS)
    indicator.refresh_from_db()
    assert (indicator.band, indicator.band_score, indicator.score) == ("完成", None, Decimal(5))


# --- older files ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_export_made_before_the_new_columns_still_imports_the_same(demo):
    """Today's export with the three columns cut off is the old layout: it reads back unchanged."""
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    project.evaluation.status = Status.DRAFT
    project.evaluation.save(update_fields=["status"])
    before = project_snapshot(project)
    user = unit_user(project.unit)
    workbook = load_workbook(
        io.BytesIO(template.export_projects(services.export_queryset(user, project_ids=[project.pk])))
    )
    sheet = workbook["绩效目标表"]
    header = [c.value for c in sheet[1]]
    first_new = header.index("档次内得分")
    sheet.delete_cols(first_new + 1, len(header) - first_new)
    assert [c.value for c in sheet[1]][-1] == "评定档次"
    buffer = io.BytesIO()
    workbook.save(buffer)

    plan, report = _import(buffer.getvalue(), user, kind=ImportKind.GOALS)

    assert plan.ok and report.replaced == [project.pk]
    assert project_snapshot(Project.objects.get(pk=project.pk)) == before


@pytest.mark.django_db
def test_the_old_goals_template_still_imports(demo, yantai):
    old_header = [
        "年度",
        "实施单位",
        "项目名称",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "分值",
    ]
    data = workbook_bytes(
        [
            old_header,
            [
                2024,
                "烟台市医疗保障局",
                "旧模板项目",
                "产出指标",
                "数量指标",
                "新增参保人数",
                "≥",
                "2",
                "万人",
                50,
            ],
            [
                2024,
                "烟台市医疗保障局",
                "旧模板项目",
                "满意度指标",
                "服务对象满意度指标",
                "参保人满意度",
                None,
                "≥90%",
                None,
                50,
            ],
        ]
    )
    plan, report = _import(data, yantai)
    assert plan.ok and len(report.created) == 1
    stored = list(
        Indicator.objects.filter(project_id=report.created[0]).values_list(
            "band_score", "direction_override", "not_applicable"
        )
    )
    assert stored == [(None, "", False), (None, "", False)]


# --- the preview page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_page_shows_the_choices_and_a_bad_value_rejects_the_upload(
    client, demo, yantai, media, eager_tasks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from perfgoals.intake.models import BatchStatus, ImportBatch

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    client.force_login(yantai)

    def upload(rows):
        data = workbook_bytes([[*HEADER, *NEW], *rows])
        client.post(
            reverse("intake:index"),
            {"kind": "goals", "year": "", "file": SimpleUploadedFile("t.xlsx", data, content_type=xlsx)},
        )
        return ImportBatch.objects.order_by("-pk").first()

    batch = upload(
        [
            [2024, "预览项目", "产出指标", "数量指标", "平均办理时间", "5天", 50, None, None, "反向", None],
            [
                2024,
                "预览项目",
                "满意度指标",
                "服务对象满意度指标",
                "满意度",
                "≥90%",
                50,
                None,
                None,
                None,
                "是",
            ],
        ]
    )
    assert batch.status == BatchStatus.PREVIEW, batch.errors
    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert 'title="反向（≤）（人工确认）"' in page and "（人工）" in page and "不适用</span>" in page

    before = database_state()
    batch = upload(
        [[2024, "预览项目", "产出指标", "数量指标", "平均办理时间", "5天", 50, None, None, "往下", None]]
    )
    assert batch.status == BatchStatus.REJECTED
    assert batch.errors[0]["text"].startswith(
        "工作表「Sheet1」第 2 行「指标方向（人工确认）」列（J2）：「往下」不是有效的指标方向"
    )
    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "「往下」不是有效的指标方向" in page
    assert database_state() == before


@pytest.mark.django_db
def test_the_command_lists_the_choices_in_its_dry_run(demo, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "choices.xlsx"
    path.write_bytes(
        workbook_bytes(
            [
                ["年度", "实施单位", *HEADER[1:], "实际完成值", *NEW],
                [
                    2024,
                    "烟台市医疗保障局",
                    "命令项目",
                    "产出指标",
                    "数量指标",
                    "平均办理时间",
                    "5天",
                    50,
                    "6天",
                    None,
                    None,
                    "反向",
                    None,
                ],
                [
                    2024,
                    "烟台市医疗保障局",
                    "命令项目",
                    "效益指标",
                    "社会效益指标",
                    "宣传效果",
                    "良好",
                    30,
                    "较好",
                    "部分完成",
                    20,
                    None,
                    None,
                ],
                [
                    2024,
                    "烟台市医疗保障局",
                    "命令项目",
                    "满意度指标",
                    "服务对象满意度指标",
                    "满意度",
                    "≥90%",
                    20,
                    None,
                    None,
                    None,
                    None,
                    "√",
                ],
            ]
        )
    )
    before = database_state()
    out = io.StringIO()
    call_command("import_workbook", str(path), "--dry-run", "-v", "2", stdout=out)
    text = out.getvalue()
    assert "平均办理时间：" in text and "，人工确认方向 反向（≤）" in text
    assert "，档次 部分完成 得分 20" in text and "满意度：" in text and "，不适用" in text
    assert database_state() == before
