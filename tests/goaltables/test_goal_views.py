"""The goal tables' pages: a project's print page and Excel, a department-year's; what each reader may
see (another unit's project and another department are 404s); the project page's 项目信息 block and
the reports page's links; the print page draws exactly the cells the workbook merges."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.goaltables import tables
from perfgoals.goaltables.xlsx import TITLE_ROWS
from projects.models import Department, Project

from .conftest import Sheet, open_book

pytestmark = pytest.mark.django_db


def client_for(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def project(year: int, name: str) -> Project:
    return Project.objects.select_related("unit__department__region").get(year=year, name=name)


def test_the_unit_prints_its_project(demo):
    own = project(2021, "城乡居民医疗保险市级补助")
    response = client_for("tianbao_yantai").get(reverse("goaltables:project_print", args=[own.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2021 年项目预算支出绩效目标表" in page
    assert "长期目标（2021年-2022年)" in page and "年度绩效指标（2021年）" in page
    assert "财政拨款年度额： 6640（万元）" in page
    assert reverse("goaltables:project_xlsx", args=[own.pk]) in page


def test_the_excel_download(demo):
    own = project(2021, "城乡居民医疗保险市级补助")
    response = client_for("tianbao_yantai").get(reverse("goaltables:project_xlsx", args=[own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = Sheet(open_book(response.content).active)
    assert sheet.value(3, 2) == "城乡居民医疗保险市级补助"


@pytest.mark.parametrize("view", ["goaltables:project_print", "goaltables:project_xlsx"])
def test_another_units_project_is_not_found(demo, view):
    """烟台市医疗保障服务中心's project, asked for by 烟台市医疗保障局's user; 青海's by 烟台's finance."""
    other = project(2021, "药品医用耗材采购和价格监测")
    assert client_for("tianbao_yantai").get(reverse(view, args=[other.pk])).status_code == 404
    assert client_for("tianbao_yantai2").get(reverse(view, args=[other.pk])).status_code == 200
    qinghai = project(2021, "商保公司经办服务")
    assert client_for("caizheng_yantai").get(reverse(view, args=[qinghai.pk])).status_code == 404
    assert client_for("caizheng_qinghai").get(reverse(view, args=[qinghai.pk])).status_code == 200


def test_signed_out_readers_are_sent_to_sign_in(demo):
    own = project(2021, "城乡居民医疗保险市级补助")
    response = Client().get(reverse("goaltables:project_print", args=[own.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("view", ["goaltables:department_print", "goaltables:department_xlsx"])
def test_department_year_for_its_supervisor_and_finance_only(demo, view):
    qinghai = Department.objects.get(name="青海省医疗保障局")
    url = reverse(view, args=[qinghai.pk, 2021])
    assert client_for("shenhe_qinghai").get(url).status_code == 200
    assert client_for("caizheng_qinghai").get(url).status_code == 200
    assert client_for("shenhe_yantai").get(url).status_code == 404
    assert client_for("tianbao_qinghai").get(url).status_code == 404  # a unit never sees a department's table
    assert client_for("shenhe_qinghai").get(reverse(view, args=[qinghai.pk, 2030])).status_code == 404


def test_the_department_print_page_is_the_public_table(demo):
    qinghai = Department.objects.get(name="青海省医疗保障局")
    page = client_for("shenhe_qinghai").get(reverse("goaltables:department_print", args=[qinghai.pk, 2021]))
    html = page.content.decode()
    assert "部门预算项目支出绩效目标公开表" in html and "预算算度：2021 年" in html
    assert ">3,792.00<" in html and ">40.00<" in html and ">13,962.00<" in html
    assert "<thead>" in html  # the headings repeat on every printed page


def test_variant_only_where_the_region_has_it(demo):
    zhaoyuan = project(2023, "职工长护险财政补贴")
    client = client_for("tianbao_zhaoyuan")
    url = reverse("goaltables:project_print", args=[zhaoyuan.pk])
    page = client.get(url).content.decode()
    assert "项目支出绩效目标表" in page and "?variant=%E4%B8%93%E9%A1%B9%E8%B5%84%E9%87%91" in page
    special = client.get(url, {"variant": "专项资金"})
    assert special.status_code == 200 and "专项资金绩效目标表" in special.content.decode()
    assert "专项资金名称" in special.content.decode()
    yantai = project(2021, "城乡居民医疗保险市级补助")
    response = client_for("tianbao_yantai").get(
        reverse("goaltables:project_print", args=[yantai.pk]), {"variant": "专项资金"}
    )
    assert response.status_code == 404


def test_the_print_page_merges_what_the_workbook_merges(demo):
    """One grid, two renderers: every colspan/rowspan of the page is a merged range of the sheet."""
    huancui = project(2020, "医疗救助")
    goal_tables = tables.for_project(huancui)
    sheet = open_book(goal_tables.workbook()).active
    merged = {r.coord for r in sheet.merged_cells.ranges} - {"A1:E1"}
    page = goal_tables.pages[0]
    from openpyxl.utils import get_column_letter

    from_grid = {
        f"{get_column_letter(c.col + 1)}{c.row + 1 + TITLE_ROWS}:"
        f"{get_column_letter(c.last_col + 1)}{c.last_row + 1 + TITLE_ROWS}"
        for c in page.cells
        if c.merged
    }
    assert merged == from_grid
    html = client_for("tianbao_huancui").get(reverse("goaltables:project_print", args=[huancui.pk]))
    spans = re.findall(r"<td(?: colspan=\"\d+\")?(?: rowspan=\"\d+\")? class=", html.content.decode())
    assert len(spans) == len(page.cells)
    assert html.content.decode().count("rowspan=") == sum(1 for c in page.cells if c.rowspan > 1)


def test_project_page_shows_the_goal_fields_and_links(demo):
    """环翠's project: 立项依据, dates, procurement and 项目总预算, which no page showed before."""
    huancui = project(2020, "居民医疗保险财政补助")
    page = client_for("tianbao_huancui").get(reverse("perfgoals:project", args=[huancui.pk])).content.decode()
    assert 'id="goal-info"' in page
    assert "根据省医保局通知 2020 年新标准未下文" in page
    assert "2020.01.01 至 2020.12.31" in page
    assert "是否包含政府采购" in page and ">否<" in page
    assert "项目总预算（万元）" in page and ">3477<" in page
    assert "切实加强资金监管" in page  # 长期目标
    assert reverse("goaltables:project_print", args=[huancui.pk]) in page
    assert reverse("goaltables:project_xlsx", args=[huancui.pk]) in page
    assert "威海市环翠区 2020 年起" in page


def test_project_page_block_lists_what_is_not_filled(demo):
    yantai = project(2021, "城乡居民医疗保险市级补助")
    page = client_for("tianbao_yantai").get(reverse("perfgoals:project", args=[yantai.pk])).content.decode()
    assert "实现基本医疗保险全覆盖" in page  # 长期目标
    assert "未填写：项目类型、立项依据及概况" in page


def test_reports_page_links_the_department_goal_tables(demo):
    yantai = Department.objects.get(name="烟台市医疗保障局")
    page = client_for("shenhe_yantai").get(reverse("reports:index"), {"department": yantai.pk, "year": 2021})
    html = page.content.decode()
    assert reverse("goaltables:department_print", args=[yantai.pk, 2021]) in html
    assert reverse("goaltables:department_xlsx", args=[yantai.pk, 2021]) in html


def test_export_selfeval_carries_the_goal_workbook(demo, tmp_path):
    from django.core.management import call_command

    call_command(
        "export_selfeval", department="烟台市医疗保障局", year=2019, out=str(tmp_path), skip_checks=True
    )
    book = open_book((tmp_path / "03_项目支出绩效目标表.xlsx").read_bytes())
    # 烟台's published layout starts in 2021: the 2019 projects print in the default layout
    assert len(book.worksheets) == 3
    assert Sheet(book.worksheets[0]).value(1, 1) == "2019 年项目支出绩效目标表"
