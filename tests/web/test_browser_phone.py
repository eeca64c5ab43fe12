"""The list, the project page and the review page on a phone (390 px wide), in a real browser (#16).

At 390 px the page itself never scrolls sideways (document width ≤ window width), the top bar stays a
few lines high, every indicator is a block of labelled values rather than a column one character wide,
and the buttons an official needs there — 保存 and 提交审核 for the unit, 审核通过 and 退回修改 for the
supervisor — are on screen once scrolled to, inside the screen's width.

Screenshots go to docs/screenshots/ (list-390.png, project-390.png, review-390.png) when the run is asked
to refresh them (UPDATE_SCREENSHOTS=1), else to a temporary folder.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from perfgoals.choices import Status
from projects.models import Project

from .conftest import set_status
from .test_browser import CHROMIUM, SCREENSHOTS, chromium_page, login

PHONE = {"width": 390, "height": 844}
#: a picture's height: a few screens of a phone, not the whole (very long) page
SHOT_HEIGHT = 1700

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


@pytest.fixture
def phone_page(live_server, monkeypatch):
    with chromium_page(monkeypatch, viewport=PHONE, is_mobile=True, has_touch=True) as page:
        yield page


def assert_fits_the_screen(page) -> None:
    """No sideways scrolling of the page, and a top bar of a few lines (not one character per line)."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"页面宽 {width}px，超出屏幕 {inner}px"
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 110, header


def assert_reachable(page, selector: str) -> None:
    """The control is visible once scrolled to, wholly inside the screen's width, and not a sliver."""
    control = page.locator(selector).first
    control.scroll_into_view_if_needed()
    assert control.is_visible(), selector
    box = control.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)
    assert box["width"] >= 40 and box["height"] >= 24, (selector, box)
    assert control.is_enabled(), selector


def shot(page, name: str, top_selector: str | None = None) -> None:
    """A picture SHOT_HEIGHT high, from the top of the page or from an element."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    top = 0
    if top_selector:
        top = max(0, int(page.locator(top_selector).first.bounding_box()["y"] + page.evaluate("scrollY")) - 8)
    height = min(SHOT_HEIGHT, page.evaluate("document.documentElement.scrollHeight") - top)
    clip = {"x": 0, "y": top, "width": PHONE["width"], "height": height}
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True, clip=clip)


def column_widths(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().width)")


def test_the_list_and_the_project_page_on_a_phone(demo, live_server, phone_page):
    page, base = phone_page, live_server.url
    # a 2019 project-year sent back to the unit: every row has its values, and the unit may change them
    project = Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")
    set_status(project, Status.RETURNED)

    login(page, base, "tianbao_yantai")
    assert_fits_the_screen(page)  # 我的项目, the unit's starting page
    page.goto(f"{base}/projects/")
    assert_fits_the_screen(page)
    # the list: one card per project, its name a link above the labelled values
    cards = page.locator("table.list-table tbody tr")
    assert cards.count() >= 3
    first = cards.first
    assert first.locator("td[data-col=name] a").is_visible()
    # each value on its own line, labelled by its column's heading (drawn by the stylesheet)
    label = first.locator("td[data-col=total_score]").evaluate(
        "td => getComputedStyle(td, '::before').content"
    )
    assert label == '"自评得分"'
    assert min(column_widths(page, "table.list-table tbody tr:first-child td")) > 300  # not squeezed
    assert "未评分" in page.inner_text("table.list-table")  # 2021 projects not yet scored
    shot(page, "list-390.png")

    page.select_option("select[name=year]", "2019")
    page.click("button:has-text('筛选')")
    page.click(f"a:has-text('{project.name}')")
    page.wait_for_url(f"{base}/projects/{project.pk}/")
    assert_fits_the_screen(page)
    # each indicator's cells are full-width lines (or halves), never a column a character wide
    assert min(column_widths(page, "#indicators td.name, #indicators td.actual, #indicators td.note")) > 300
    assert_reachable(page, "#indicators td.ops button[type=submit]")
    assert_reachable(page, "[data-testid=submit]")
    shot(page, "project-390.png", "#indicators")


def test_the_review_page_on_a_phone(demo, live_server, phone_page):
    page, base = phone_page, live_server.url
    project = Project.objects.get(year=2019, name="职工长期护理保险市级财政补助")
    set_status(project, Status.SUBMITTED, submitted_at=timezone.now())

    login(page, base, "shenhe_yantai")
    page.click("nav >> text=审核")
    assert_fits_the_screen(page)
    page.click(f"a:has-text('{project.name}')")
    page.wait_for_url(f"{base}/review/{project.pk}/")
    assert_fits_the_screen(page)
    assert min(column_widths(page, "#indicators td.name, #indicators td.actual")) > 300
    shot(page, "review-390.png")
    assert_reachable(page, "[data-testid=approve]")
    assert_reachable(page, "[data-testid=return]")
    assert_reachable(page, "form.return textarea[name=comment]")
    shot(page, "review-actions-390.png", "#decide")


def test_a_missing_page_and_a_refusal_are_chinese_pages_that_fit_a_phone(demo, live_server, phone_page):
    page, base = phone_page, live_server.url
    login(page, base, "tianbao_yantai")
    response = page.goto(f"{base}/projects/999999/")
    assert response.status == 404
    assert page.inner_text("main h1") == "页面不存在" and "Not Found" not in page.content()
    assert_fits_the_screen(page)
    response = page.goto(f"{base}/review/")  # the review queue is the supervisors'
    assert response.status == 403
    assert page.inner_text("main h1") == "无权访问" and "Forbidden" not in page.content()
    assert page.locator("header.topbar a.brand").is_visible()  # in the site's frame
    assert_fits_the_screen(page)
