"""结果应用 and 整改 on a phone (390 px wide), in a real browser: the summary table as cards, finance
changes one project's action with a reason, opens a 整改事项 and the unit answers it, all without the
page scrolling sideways. Screenshots go where tests/web's do (results-390.png, rectify-390.png)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from perfgoals.rectify.models import RectifyItem
from perfgoals.results.models import BudgetDecision
from projects.models import Project
from tests.web.test_browser import CHROMIUM, login
from tests.web.test_browser_phone import assert_fits_the_screen, assert_reachable, phone_page, shot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_results_and_rectify_on_a_phone(demo, live_server, phone_page):  # noqa: F811
    page, base = phone_page, live_server.url
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    login(page, base, "caizheng_yantai")
    page.goto(f"{base}/results/")
    page.wait_for_selector("table.list-table")
    assert_fits_the_screen(page)
    assert page.locator("table.list-table tbody tr").count() == 3
    assert "合计（3 项）" in page.inner_text("table.list-table")
    shot(page, "results-390.png")

    page.click(f"text={project.name}")
    assert_reachable(page, "#decide button[type=submit]")
    page.select_option("select[name=action]", "reduce")
    page.fill("input[name=reduction_percent]", "20")
    page.fill("textarea[name=reason]", "资金使用进度偏慢")
    page.click("#decide button[type=submit]")
    page.wait_for_selector("text=已保存结果应用决定：核减 20%")
    assert_fits_the_screen(page)
    assert BudgetDecision.objects.get(project=project).reduction_percent == 20

    deadline = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    page.goto(f"{base}/rectify/new/{project.pk}/")
    assert_fits_the_screen(page)
    page.select_option("select[name=source]", "review")
    page.fill("textarea[name=problem]", "预算执行率偏低，需说明原因并整改")
    page.fill("input[name=deadline]", deadline)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_selector("text=已提出整改事项")
    item = RectifyItem.objects.get()

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "tianbao_yantai")
    page.fill("#id_password", "demo2024")
    page.click("button[type=submit]")
    page.wait_for_selector(f"[data-testid=rectify-{item.pk}]")
    assert_fits_the_screen(page)
    page.click(f"[data-testid=rectify-{item.pk}] a")
    assert_reachable(page, "#answer button[type=submit]")
    page.fill("#answer textarea[name=text]", "已调整支付进度，补充说明")
    page.click("#answer button[type=submit]")
    page.wait_for_selector("text=当前状态“已反馈”")
    assert_fits_the_screen(page)
    shot(page, "rectify-390.png")
    item.refresh_from_db()
    assert item.status == "answered"
