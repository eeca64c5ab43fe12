"""Year rollover in the browser (#16) at 1440 and 390 px: the rows carried forward are marked at once
with links to the new project and its compare page; the compare page links to its project and marks
the rows that came from last year."""

from __future__ import annotations

import pytest

from projects.models import Project

from .test_browser import CHROMIUM, SCREENSHOTS, browser_page, login  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


@pytest.mark.parametrize("width", [1440, 390])
def test_rolled_over_rows_are_marked_and_linked(demo, live_server, browser_page, width):  # noqa: F811
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    source = Project.objects.get(year=2019, name="困难群众医疗救助")
    login(page, base, "tianbao_yantai")
    page.goto(f"{base}/import/rollover/?from_year=2019")
    page.evaluate("document.querySelectorAll('input[name=projects]').forEach(b => { b.checked = false; })")
    page.check(f"input[name=projects][value='{source.pk}']")
    page.click("button:has-text('结转所选项目')")
    row = page.locator(f"[data-testid=rolled-{source.pk}]")
    row.wait_for()
    assert "刚刚结转" in row.inner_text()
    assert page.locator(f"input[name=projects][value='{source.pk}']").is_disabled()
    new = Project.objects.get(year=2020, name=source.name, unit=source.unit)
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"rollover-marked-{width}.png"))

    row.locator("a:has-text('与上年对照')").click()
    page.wait_for_selector("[data-testid=carried-count]")
    assert "上年结转" in page.inner_text("table")
    page.screenshot(path=str(SCREENSHOTS / f"rollover-compare-{width}.png"))
    page.click("[data-testid=compare-project]")
    page.wait_for_url(f"{base}/projects/{new.pk}/")
