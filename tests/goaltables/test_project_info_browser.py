"""项目信息 on a phone (390 px), in a real browser: the unit opens 修改项目信息 on the project page of a
draft, fills 项目总预算 and the dates, saves, and reads them back in the block; a bad amount is refused
in Chinese next to its field. The page never scrolls sideways. Screenshot: project-info-390.png
(docs/screenshots/ with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals import workflow
from perfgoals.choices import Status
from projects.models import Project
from tests.web.conftest import set_status
from tests.web.test_browser import CHROMIUM, login
from tests.web.test_browser_phone import assert_fits_the_screen, assert_reachable, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_the_unit_edits_the_project_info_on_a_phone(demo, user_of, live_server, phone_page):
    page, base = phone_page, live_server.url
    unit_user = user_of("unit_own")
    project = next(
        p
        for p in Project.objects.filter(year=2021).select_related("unit__department").order_by("pk")
        if workflow.may_enter(unit_user, p)
    )
    set_status(project, Status.DRAFT)
    login(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{project.pk}/")
    assert_fits_the_screen(page)
    page.click("#goal-info details.info-edit summary")
    assert_reachable(page, "#project-info-form button[type=submit]")
    # a bad amount first: refused next to the field, nothing saved
    page.fill("#project-info-form [name=total_budget]", "一千万")
    page.click("#project-info-form button[type=submit]")
    page.wait_for_selector("#project-info-form .field-error")
    assert "请输入数字" in page.inner_text("#project-info-form")
    assert Project.objects.get(pk=project.pk).total_budget == project.total_budget
    page.fill("#project-info-form [name=total_budget]", "1,807.5")
    page.fill("#project-info-form [name=start_date]", "2021-01-01")
    page.fill("#project-info-form [name=end_date]", "2021-12-31")
    page.select_option("#project-info-form [name=government_procurement]", "no")
    page.fill("#project-info-form [name=procurement_amount]", "")
    page.fill("#project-info-form [name=long_term_goal]", "到 2023 年实现城乡居民基本医疗保险应保尽保。")
    page.click("#project-info-form button[type=submit]")
    page.wait_for_selector("text=项目信息已保存。")
    fresh = Project.objects.get(pk=project.pk)
    assert fresh.total_budget == Decimal("1807.5") and fresh.government_procurement is False
    block = page.inner_text("#goal-info")
    assert "2021.01.01 至 2021.12.31" in block and "1807.5" in block and "应保尽保" in block
    page.click("#goal-info details.info-edit summary")
    assert_fits_the_screen(page)
    assert_reachable(page, "#project-info-form button[type=submit]")
    shot(page, "project-info-390.png", "#goal-info")
