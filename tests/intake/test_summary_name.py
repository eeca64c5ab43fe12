"""汇总表项目名称 (Project.summary_name) in the template, the export and the reader: an optional 项目信息
column that survives the round trip; the same name as the project's is stored blank."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from perfgoals.intake import services, template
from perfgoals.intake.models import ImportKind
from projects.models import Project

from .conftest import project_snapshot, unit_user

pytestmark = pytest.mark.django_db

SUMMARY_NAMES = ["", "职工长期护理保险市级补助资金", "城乡医疗救助资金"]


def _info_sheet(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _import(data: bytes, user, kind=ImportKind.GOALS):
    return services.import_workbook(io.BytesIO(data), actor=services.Actor(user), kind=kind)


def test_the_templates_offer_the_column_and_explain_it():
    for kind in ("goals", "results"):
        workbook = load_workbook(io.BytesIO(template.write_template(kind)))
        header = [cell.value for cell in workbook[template.PROJECT_SHEET][1]]
        assert header[-1] == "汇总表项目名称"
        help_text = "".join(
            str(c.value or "") for row in workbook[template.HELP_SHEET].iter_rows() for c in row
        )
        assert "汇总表项目名称" in help_text


def test_seed_001_round_trip_keeps_the_summary_names(demo):
    projects = list(Project.objects.filter(year=2019, department__name="烟台市医疗保障局").order_by("pk"))
    assert [p.summary_name for p in projects] == SUMMARY_NAMES
    before = {p.name: project_snapshot(p) for p in projects}
    user = unit_user(projects[0].unit)
    data = template.export_projects(services.export_queryset(user, project_ids=[p.pk for p in projects]))
    info = _info_sheet(load_workbook(io.BytesIO(data))[template.PROJECT_SHEET])
    assert sorted(row["汇总表项目名称"] or "" for row in info) == sorted(SUMMARY_NAMES)
    Project.objects.filter(pk__in=[p.pk for p in projects]).delete()

    plan, report = _import(data, user)

    assert plan.ok, [e.text() for e in plan.errors]
    assert sorted(p["summary_name"] for p in plan.preview()["projects"]) == sorted(SUMMARY_NAMES)
    created = Project.objects.filter(pk__in=report.created)
    assert sorted(p.summary_name for p in created) == sorted(SUMMARY_NAMES)
    for project in created:
        assert project_snapshot(project) == before[project.name]


def test_the_projects_own_name_is_stored_blank(demo):
    project = Project.objects.filter(year=2019, department__name="烟台市医疗保障局").order_by("pk")[1]
    user = unit_user(project.unit)
    data = template.export_projects(services.export_queryset(user, project_ids=[project.pk]))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[template.PROJECT_SHEET]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(2, header.index("汇总表项目名称") + 1).value = project.name
    buffer = io.BytesIO()
    workbook.save(buffer)
    project.delete()
    plan, report = _import(buffer.getvalue(), user)
    assert plan.ok, [e.text() for e in plan.errors]
    assert Project.objects.get(pk=report.created[0]).summary_name == ""


def test_results_import_of_an_export_does_not_warn_about_the_summary_name(demo):
    project = Project.objects.filter(year=2019, department__name="烟台市医疗保障局").order_by("pk")[1]
    user = unit_user(project.unit)
    project.evaluation.status = "entering"  # results are entered once the targets are approved
    project.evaluation.save(update_fields=["status"])
    data = template.export_projects(services.export_queryset(user, project_ids=[project.pk]))
    plan, _ = _import(data, user, kind=ImportKind.RESULTS)
    assert plan.ok, [e.text() for e in plan.errors]
    texts = [w.text() for p in plan.projects for w in p.warnings]
    assert not any("汇总表项目名称" in text for text in texts), texts
