"""The overview in a real browser, as each role: the charts draw (ECharts from the site, under the
Content-Security-Policy), the figures on the page are the models', a signal's projects are one click
away, and the page fits a phone. Screenshots at 1440 and 390 px go to the screenshot folder
(docs/screenshots/ with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import pytest

from perfgoals.choices import Status
from perfgoals.models import Evaluation
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, browser_page, login  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


@pytest.mark.parametrize("username", ["caizheng_yantai", "shenhe_yantai", "admin"])
def test_the_overview_as_each_role(demo, live_server, browser_page, username):  # noqa: F811
    page, base = browser_page, live_server.url
    Evaluation.objects.filter(project__year=2019).update(status=Status.APPROVED)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, base, username)
    page.goto(f"{base}/overview/?year=2019")
    page.wait_for_selector("[data-chart=grades] canvas")
    assert page.locator("[data-chart] canvas").count() == 4  # every chart drew
    assert page.inner_text("[data-testid=overview-projects]") == "3"
    assert page.inner_text("[data-testid=status-approved] .n") == "3"
    assert page.inner_text("[data-testid=mean-score]") == "100.00"
    assert not refused, refused
    # the chart's table, for print and screen readers
    page.click("[data-chart=grades] + details summary")
    assert "优" in page.inner_text("[data-chart=grades] + details table")
    # a signal lists its projects, with the reason in words
    page.click("[data-testid=signal-weights_off_header]")
    assert "分值与表头不符" in page.inner_text("[data-testid=flagged-table]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/overview/?year=2019")
    page.wait_for_selector("[data-chart=scatter] canvas")
    page.screenshot(path=str(SCREENSHOTS / f"overview-{username}-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("[data-chart=scatter] canvas")
    overflow = page.evaluate(
        "document.querySelector('main').scrollWidth - document.querySelector('main').clientWidth"
    )
    assert overflow <= 1, overflow  # the tables scroll inside their cards, the page does not
    page.screenshot(path=str(SCREENSHOTS / f"overview-{username}-390.png"))
    page.locator("#look").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('look').scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / f"overview-{username}-390-look.png"))


def test_the_unit_lands_on_its_own_page(demo, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    login(page, base, "tianbao_yantai")
    assert page.url.endswith("/overview/mine/")
    assert page.locator("[data-testid=unit-projects] tbody tr").count() >= 1
