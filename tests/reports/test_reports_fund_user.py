"""资金使用单位 (Project.fund_user): the summary prints the project's own fund user, or its unit's name."""

from __future__ import annotations

import pytest
from conftest import merged_value, open_xlsx
from django.contrib.auth import get_user_model
from django.urls import reverse

from perfgoals.reports import html, xlsx_forms
from perfgoals.reports.data import department_projects, department_year
from projects.models import Department, Project

pytestmark = pytest.mark.django_db

CENTRE = "烟台市医疗保障服务中心"


def _summary_units(dy) -> list[str]:
    ws = open_xlsx(xlsx_forms.summary_workbook(dy)).active
    assert ws.cell(3, 3).value == "资金使用单位"
    return [ws.cell(row, 3).value for row in range(4, 4 + len(dy.forms))]


def test_seed_001_summary_names_the_fund_user_the_document_prints(dy2019, seed001):
    assert [row["unit"] for row in seed001["summary_table"]] == [CENTRE] * 3
    assert set(
        Project.objects.filter(year=2019, department__name="烟台市医疗保障局").values_list(
            "fund_user", flat=True
        )
    ) == {CENTRE}
    assert _summary_units(dy2019) == [CENTRE] * 3
    page = html.summary_page(dy2019)
    assert page.count(f"<td>{CENTRE}</td>") == 3
    # the 自评表 itself still names the implementing unit, as the forms print it
    ws = open_xlsx(xlsx_forms.form_workbook(dy2019.forms[0])).active
    assert merged_value(ws, 6, 4) == "烟台市医疗保障局"  # row 1 is 附件 1
    assert dy2019.forms[0].unit == "烟台市医疗保障局" and dy2019.forms[0].fund_user == CENTRE


def test_a_project_without_a_fund_user_prints_its_unit(demo):
    department = Department.objects.get(name="烟台市医疗保障局")
    projects = department_projects(Project.objects.all(), department, 2021)
    assert projects.exists() and not projects.exclude(fund_user="").exists()
    dy = department_year(department, 2021, projects)
    assert _summary_units(dy) == [form.unit for form in dy.forms]
    assert [row.fund_user for row in dy.summary_rows] == [p.unit.name for p in projects]
    # a blank (or blank-looking) field falls back too
    project = projects.first()
    project.fund_user = "  "
    project.save(update_fields=["fund_user"])
    assert project.fund_user_name == project.unit.name


def test_the_fund_user_is_printed_once_set_and_the_reports_page_shows_it(demo, client):
    from django.contrib.auth import get_user_model

    department = Department.objects.get(name="烟台市医疗保障局")
    project = Project.objects.filter(department=department, year=2021).order_by("pk").first()
    project.fund_user = "某某结算中心"
    project.save(update_fields=["fund_user"])
    dy = department_year(department, 2021, department_projects(Project.objects.all(), department, 2021))
    units = _summary_units(dy)
    assert units[[form.project_id for form in dy.forms].index(project.pk)] == "某某结算中心"
    assert units.count("某某结算中心") == 1
    client.force_login(get_user_model().objects.get(username="shenhe_yantai"))
    page = client.get(reverse("reports:index"), {"department": department.pk, "year": 2021}).content.decode()
    assert "某某结算中心" in page
    page = client.get(reverse("reports:summary_print", args=[department.pk, 2021])).content.decode()
    assert "<td>某某结算中心</td>" in page


def test_the_project_page_names_the_fund_user_beside_the_unit(client, demo):
    project = Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")
    client.force_login(get_user_model().objects.get(username="caizheng_yantai"))
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "资金使用单位：烟台市医疗保障服务中心" in page
