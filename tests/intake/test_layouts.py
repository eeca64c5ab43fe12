"""The layouts people really send: the seeds' own tables, typed into Excel the way units do."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from perfgoals.choices import Status
from perfgoals.engine import vocabulary
from perfgoals.intake import services
from perfgoals.intake.models import ImportKind
from perfgoals.models import Indicator
from projects.models import Project

from .conftest import project_snapshot, unit_user, workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("string_table")]

HUANCUI_TEXT = Path(__file__).parent / "data" / "huancui_2020_goal_tables.txt"


def _snapshots(projects) -> dict[str, dict]:
    return {p.name: project_snapshot(p) for p in projects}


def _import(data: bytes, user, **options):
    plan, report = services.import_workbook(io.BytesIO(data), actor=services.Actor(user), **options)
    assert plan.errors == [], [e.text() for e in plan.errors]
    return plan, report


def _assert_same(report, before: dict[str, dict]) -> None:
    created = list(Project.objects.filter(pk__in=report.created))
    assert sorted(p.name for p in created) == sorted(before)
    for project in created:
        assert project_snapshot(project) == before[project.name], project.name


def test_huancui_free_text_pasted_into_one_column(demo):
    """Seed 004 as published: tab-separated lines, cells out of line with their headers."""
    projects = list(Project.objects.filter(unit__department__name="威海市环翠区医疗保障局", year=2020))
    before = _snapshots(projects)
    user = unit_user(projects[0].unit)
    lines = HUANCUI_TEXT.read_text(encoding="utf-8").splitlines()
    data = workbook_bytes([[line or None] for line in lines], title="环翠")
    Project.objects.filter(pk__in=[p.pk for p in projects]).delete()

    plan, report = _import(data, user)  # no year given: the titles say 2020

    assert len(report.created) == 10
    _assert_same(report, before)
    notes = [w for p in plan.projects for item in p.indicators for w in item.warnings]
    assert any("没有对齐表头" in note for note in notes)  # the realigned rows are shown in the preview
    assert any("制表符" in w.message for w in plan.warnings)


def test_huancui_text_opened_in_excel_one_segment_a_column(demo):
    projects = list(Project.objects.filter(unit__department__name="威海市环翠区医疗保障局", year=2020))
    before = _snapshots(projects)
    rows = [
        [cell.strip() or None for cell in line.split("\t")]
        for line in HUANCUI_TEXT.read_text("utf-8").splitlines()
    ]
    data = workbook_bytes(rows)
    Project.objects.filter(pk__in=[p.pk for p in projects]).delete()

    _, report = _import(data, unit_user(projects[0].unit))

    _assert_same(report, before)


def _qinghai_rows(projects) -> tuple[list[list], list[str]]:
    """Seed 002's layout: 指标性质 / 指标值 / 度量单位 split, project and levels merged down."""
    rows: list[list] = [
        ["部门预算项目支出绩效目标公开表"],
        ["预算算度：2021 年 单位：万元"],
        [
            "项目名称",
            "预算资金",
            "一级指标",
            "二级指标",
            "三级指标",
            "绩效指标性质",
            "本年绩效\n指标值",
            "绩效度量\n单位",
        ],
    ]
    merges = []
    for project in projects:
        first = len(rows) + 1
        budget = project.budget_lines.get().annual
        groups: dict[tuple[str, str], int] = {}
        for index, ind in enumerate(project.indicators.order_by("order")):
            target = ind.target_text
            # numbers typed as numbers, as Excel users do
            value = int(target) if target.isdigit() else target
            rows.append(
                [
                    project.name if index == 0 else None,
                    budget if index == 0 else None,
                    ind.level1_printed if (ind.level1,) not in groups else None,
                    ind.level2_printed if (ind.level1, ind.level2) not in groups else None,
                    ind.name,
                    ind.nature_printed or None,
                    value,
                    ind.unit_printed or None,
                ]
            )
            groups.setdefault((ind.level1,), len(rows))
            groups.setdefault((ind.level1, ind.level2), len(rows))
        last = len(rows)
        if last > first:
            merges += [f"A{first}:A{last}", f"B{first}:B{last}"]
    return rows, merges


def test_qinghai_split_columns_with_merged_project_and_budget(demo):
    projects = list(Project.objects.filter(unit__department__name="青海省医疗保障局").order_by("pk"))
    assert len(projects) == 21
    before = _snapshots(projects)
    rows, merges = _qinghai_rows(projects)
    data = workbook_bytes(rows, merges=merges)
    user = unit_user(projects[0].unit)
    Project.objects.filter(pk__in=[p.pk for p in projects]).delete()

    plan, report = _import(data, user)  # the year comes from "预算算度：2021 年"

    _assert_same(report, before)
    first = plan.preview()["projects"][0]["rows"][0]
    assert (first["name"], first["direction"], first["value"], first["unit"]) == (
        "购买设备数量",
        "≥",
        "5",
        "台",
    )


def _form_sheet(workbook: Workbook, project) -> None:
    """Seed 000's form: a block of labels, the goals under their headings, then the table."""
    ws = workbook.create_sheet(project.name[:28])
    ws.append(["2021 年项目预算支出绩效目标表"])
    ws.append(["项目名称", project.name])
    ws.append(["预算部门", project.unit.department.name])
    budget = project.budget_lines.get().annual
    ws.append(["资金情况", f"财政拨款年度额： {budget.normalize():f}（万元）"])
    ws.append(["总体目标"])
    ws.append([None, "长期目标（2021年-2022年)", None, "年度目标（2021年）"])
    ws.append([None, project.long_term_goal or None, None, project.goal_text or None])
    ws.append(["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"])
    start = ws.max_row + 1
    previous = (None, None)
    level1_start = level2_start = start
    for ind in project.indicators.order_by("order"):
        row = ws.max_row + 1
        ws.append(
            [
                "年度绩效指标（2021年）" if row == start else None,
                ind.level1_printed if ind.level1 != previous[0] else None,
                ind.level2_printed if (ind.level1, ind.level2) != previous else None,
                ind.name,
                ind.target_text,
            ]
        )
        if ind.level1 != previous[0]:
            if row - 1 > level1_start:
                ws.merge_cells(f"B{level1_start}:B{row - 1}")
            level1_start = row
        if (ind.level1, ind.level2) != previous:
            if row - 1 > level2_start:
                ws.merge_cells(f"C{level2_start}:C{row - 1}")
            level2_start = row
        previous = (ind.level1, ind.level2)
    ws.merge_cells(f"A{start}:A{ws.max_row}")


def test_yantai_form_layout_one_project_a_sheet_with_merged_levels(demo):
    user = get_user_model().objects.get(username="tianbao_yantai")
    projects = list(Project.objects.filter(year=2021, unit__name="烟台市医疗保障局").order_by("pk"))
    assert projects
    before = _snapshots(projects)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for project in projects:
        _form_sheet(workbook, project)
    buffer = io.BytesIO()
    workbook.save(buffer)
    Project.objects.filter(pk__in=[p.pk for p in projects]).delete()

    _, report = _import(buffer.getvalue(), user)

    _assert_same(report, before)


def test_results_are_imported_into_existing_projects(demo, yantai):
    project = Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")
    before = project_snapshot(project)
    from perfgoals.intake import template

    data = template.export_projects(services.export_queryset(yantai, project_ids=[project.pk]))
    # the unit starts entering this year's results: actuals blank, status open for entry
    Indicator.objects.filter(project=project).update(
        actual_text="", reported_score=None, band="", deviation_note=""
    )
    project.evaluation.status = Status.ENTERING
    project.evaluation.save(update_fields=["status"])
    from perfgoals.scoring import recompute

    recompute(project)
    assert project_snapshot(project) != before

    plan, report = _import(data, yantai, kind=ImportKind.RESULTS)

    assert report.results == [project.pk] and report.created == []
    assert project_snapshot(Project.objects.get(pk=project.pk)) == before
    assert Project.objects.get(pk=project.pk).evaluation.total_score == 100
    assert plan.projects[0].action == "results"


def test_level_names_in_print_are_normalised_and_kept(demo, yantai):
    data = workbook_bytes(
        [
            ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"],
            [2024, "测试项目", "产出指标（50分）", "数量", "培训人次", "≥ 500 人次", 20],
            [None, None, None, "质量指标", "培训合格率", "≧95%", 30],
            [None, None, None, "社会效益", "群众知晓率", "明显提高", 30],  # 效益指标 omitted in print
            [None, None, "满意度", None, "学员满意度", "≥90%", 10],  # one level 2 only: taken
        ]
    )
    plan, report = _import(data, yantai)
    project = Project.objects.get(pk=report.created[0])
    got = [
        (i.level1, i.level2, i.level1_printed, i.level2_printed) for i in project.indicators.order_by("order")
    ]
    assert got == [
        ("output", "quantity", "产出指标", "数量"),
        ("output", "quality", "产出指标", "质量指标"),
        ("benefit", "social_benefit", "效益指标", "社会效益"),
        ("satisfaction", "service_satisfaction", "满意度", vocabulary.level2_name("service_satisfaction")),
    ]
    assert project.evaluation.declared_level1_weights == {"output": "50"}
    notes = [w for item in plan.projects[0].indicators for w in item.warnings]
    assert any("归入「效益指标」" in n for n in notes) and any("已采用" in n for n in notes)


def test_results_may_name_indicators_by_their_name_alone(demo, yantai):
    project = Project.objects.get(year=2021, name="长期护理保险补助")
    project.evaluation.status = Status.ENTERING
    project.evaluation.save(update_fields=["status"])
    data = workbook_bytes(
        [
            ["项目名称", "三级指标", "实际完成值", "偏差原因分析及改进措施"],
            ["长期护理保险补助", "长期护理保险参保完成人数", "245万人", "参保人数自然减少"],
            [None, "护理对象失能评估准确率", "95%", None],
        ]
    )
    plan, report = _import(data, yantai, kind=ImportKind.RESULTS, year=2021)
    assert report.results == [project.pk]
    first = project.indicators.get(name="长期护理保险参保完成人数")
    assert (first.actual_text, first.deviation_note, first.actual_value) == (
        "245万人",
        "参保人数自然减少",
        2450000,
    )
    assert any("保持原值" in w.message for w in plan.projects[0].warnings)  # the other indicators

    # the same names twice in one project (城乡居民…: 数量指标 and 经济效益 both list 保障已参保居民人数)
    twice = Project.objects.get(year=2021, name="城乡居民医疗保险市级补助")
    twice.evaluation.status = Status.ENTERING
    twice.evaluation.save(update_fields=["status"])
    data = workbook_bytes(
        [
            ["项目名称", "三级指标", "实际完成值"],
            ["城乡居民医疗保险市级补助", "保障已参保居民人数", "388万人"],
        ]
    )
    plan, report = services.import_workbook(
        io.BytesIO(data), actor=services.Actor(yantai), kind=ImportKind.RESULTS, year=2021
    )
    assert report is None
    assert "有 2 个名为「保障已参保居民人数」的指标：请加「二级指标」列区分" in plan.errors[0].message


def test_a_goal_table_needs_its_level_columns(demo, yantai):
    data = workbook_bytes([["项目名称", "三级指标", "指标值"], ["新项目", "培训人次", "≥500人次"]])
    plan, report = services.import_workbook(io.BytesIO(data), actor=services.Actor(yantai), year=2024)
    assert report is None
    assert [e.text() for e in plan.errors] == [
        "工作表「Sheet1」第 2 行「三级指标」列（B2）：缺少一级指标和二级指标："
        "导入绩效目标表时表中须有「一级指标」「二级指标」列。"
    ]
