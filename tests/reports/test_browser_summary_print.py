"""The 汇总表 on paper (#16): project names are printed as text, not as links, and the title stays on
one line; on screen the names still link to each project's form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Project
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, browser_page, login  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]

STYLE = """el => { const s = getComputedStyle(el); return [s.color, s.textDecorationLine]; }"""


def test_the_summary_prints_names_as_text_and_its_title_on_one_line(demo, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    project = Project.objects.select_related("unit__department").get(year=2019, name="困难群众医疗救助")
    login(page, base, "shenhe_yantai")
    page.goto(base + reverse("reports:summary_print", args=[project.unit.department_id, 2019]))
    link = page.locator(".summary-table a").first
    assert link.get_attribute("href")
    screen_color, _ = link.evaluate(STYLE)
    page.emulate_media(media="print")
    color, decoration = link.evaluate(STYLE)
    cell_color, _ = link.locator("xpath=..").evaluate(STYLE)
    assert color == cell_color and decoration == "none" and color != screen_color
    title = page.locator(".doc-title").first
    line = title.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || el.offsetHeight")
    assert title.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    assert title.bounding_box()["height"] <= line * 1.5
    page.screenshot(path=str(SCREENSHOTS / "summary-print.png"), full_page=False)
