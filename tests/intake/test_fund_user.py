"""资金使用单位 in the template, the export and the reader: an optional 项目信息 column that survives the
round trip; alone (no 实施单位 beside it) the header still names the implementing unit."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from perfgoals.intake import services, template
from perfgoals.intake.models import ImportKind
from perfgoals.intake.reader import read_workbook
from projects.models import Project

from .conftest import project_snapshot, unit_user, workbook_bytes

pytestmark = pytest.mark.django_db

CENTRE = "烟台市医疗保障服务中心"
INDICATORS = [
    ["年度", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"],
    [2024, "烟台市医疗保障局", "医保政策宣传", "产出指标", "数量指标", "发放宣传资料", "≥2万册", 50],
]


def _info_sheet(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _import(data: bytes, user, kind=ImportKind.GOALS):
    return services.import_workbook(io.BytesIO(data), actor=services.Actor(user), kind=kind)


def test_the_templates_offer_the_column_last_on_the_project_sheet():
    for kind in ("goals", "results"):
        workbook = load_workbook(io.BytesIO(template.write_template(kind)))
        header = [cell.value for cell in workbook[template.PROJECT_SHEET][1]]
        assert header[-2] == "资金使用单位" and "实施单位" in header
        help_text = "".join(
            str(c.value or "") for row in workbook[template.HELP_SHEET].iter_rows() for c in row
        )
        assert "资金使用单位" in help_text


def test_seed_001_round_trip_keeps_the_fund_user(demo):
    projects = list(Project.objects.filter(year=2019, department__name="烟台市医疗保障局").order_by("pk"))
    assert [p.fund_user for p in projects] == [CENTRE] * 3
    before = {p.name: project_snapshot(p) for p in projects}
    user = unit_user(projects[0].unit)
    data = template.export_projects(services.export_queryset(user, project_ids=[p.pk for p in projects]))
    info = _info_sheet(load_workbook(io.BytesIO(data))[template.PROJECT_SHEET])
    assert [(row["实施单位"], row["资金使用单位"]) for row in info] == [("烟台市医疗保障局", CENTRE)] * 3
    Project.objects.filter(pk__in=[p.pk for p in projects]).delete()

    plan, report = _import(data, user)

    assert plan.ok, [e.text() for e in plan.errors]
    assert [p["fund_user"] for p in plan.preview()["projects"]] == [CENTRE] * 3
    created = Project.objects.filter(pk__in=report.created)
    assert sorted(p.fund_user for p in created) == [CENTRE] * 3
    for project in created:
        assert project_snapshot(project) == before[project.name]


def test_a_blank_fund_user_exports_blank_and_stays_blank(demo, yantai):
    project = Project.objects.filter(year=2021, unit__name="烟台市医疗保障局").order_by("pk").first()
    assert project.fund_user == ""
    data = template.export_projects(services.export_queryset(yantai, project_ids=[project.pk]))
    assert _info_sheet(load_workbook(io.BytesIO(data))[template.PROJECT_SHEET])[0]["资金使用单位"] is None
    before = project_snapshot(project)
    project.delete()
    plan, report = _import(data, yantai)
    assert plan.ok and project_snapshot(Project.objects.get(pk=report.created[0])) == before


def test_results_import_of_an_export_does_not_warn_about_the_fund_user(demo):
    project = Project.objects.filter(year=2019, department__name="烟台市医疗保障局").order_by("pk").first()
    user = unit_user(project.unit)
    project.evaluation.status = "entering"  # results are entered once the targets are approved
    project.evaluation.save(update_fields=["status"])
    data = template.export_projects(services.export_queryset(user, project_ids=[project.pk]))
    plan, _ = _import(data, user, kind=ImportKind.RESULTS)
    assert plan.ok, [e.text() for e in plan.errors]
    texts = [w.text() for p in plan.projects for w in p.warnings]
    assert not any("资金使用单位" in text for text in texts), texts


def _with_info(rows: list[list]) -> bytes:
    def setup(workbook, ws):
        info = workbook.create_sheet("项目信息")
        for row in rows:
            info.append(row)

    return workbook_bytes(INDICATORS, title="绩效目标表", setup=setup)


def test_a_fund_user_beside_the_unit_is_stored(demo, yantai):
    data = _with_info(
        [["年度", "实施单位", "项目名称", "资金使用单位"], [2024, "烟台市医疗保障局", "医保政策宣传", CENTRE]]
    )
    plan, report = _import(data, yantai)
    assert plan.ok, [e.text() for e in plan.errors]
    project = Project.objects.get(pk=report.created[0])
    assert (project.unit.name, project.fund_user, project.fund_user_name) == (
        "烟台市医疗保障局",
        CENTRE,
        CENTRE,
    )


def test_a_fund_user_naming_the_unit_itself_is_left_blank(demo, yantai):
    data = _with_info(
        [
            ["年度", "实施单位", "项目名称", "资金使用单位"],
            [2024, "烟台市医疗保障局", "医保政策宣传", "烟台市医疗保障局"],
        ]
    )
    plan, report = _import(data, yantai)
    assert plan.ok
    assert Project.objects.get(pk=report.created[0]).fund_user == ""


def test_a_lone_fund_user_column_still_names_the_unit(demo, yantai):
    """Files written before the field existed used 资金使用单位 as the unit's header."""
    rows = [["年度", "资金使用单位", *INDICATORS[0][2:]], INDICATORS[1]]
    result = read_workbook(io.BytesIO(workbook_bytes(rows)))
    assert [(f.unit_name, f.fields.get("fund_user")) for f in result.fragments] == [
        ("烟台市医疗保障局", None)
    ]
    plan, report = _import(workbook_bytes(rows), yantai)
    assert plan.ok
    project = Project.objects.get(pk=report.created[0])
    assert (project.unit.name, project.fund_user) == ("烟台市医疗保障局", "")


@pytest.mark.parametrize("unit_label_first", [True, False])
def test_form_labels_fund_user_beside_or_instead_of_the_unit(unit_label_first):
    def sheet(labels):
        workbook = Workbook()
        ws = workbook.active
        ws.append(["项目名称", "医保政策宣传"])
        for label in labels:
            ws.append(label)
        ws.append(["一级指标", "二级指标", "三级指标", "指标值"])
        ws.append(["产出指标", "数量指标", "发放宣传资料", "≥2万册"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        buffer.seek(0)
        return read_workbook(buffer, default_year=2024).fragments[0]

    unit, fund = ["项目实施单位", "烟台市医疗保障局"], ["资金使用单位", CENTRE]
    both = sheet([unit, fund] if unit_label_first else [fund, unit])
    assert (both.unit_name, both.fields.get("fund_user")) == ("烟台市医疗保障局", CENTRE)
    alone = sheet([fund])
    assert (alone.unit_name, alone.fields.get("fund_user")) == (CENTRE, None)
