"""The goal tables' print pages in a real browser: printed to PDF on A4 (Chromium), pictured at A4 width
with the print styles, and on a phone (390 px) where the table scrolls inside its frame, never the page.

Pictures go to docs/screenshots/goal-table-*.png when the run is asked to refresh them
(UPDATE_SCREENSHOTS=1), else to a temporary folder."""

from __future__ import annotations

import re

import pytest

from projects.models import Department, Project
from tests.pdf_pictures import picture_of_pdf
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, chromium_page, login
from tests.web.test_browser_phone import assert_fits_the_screen, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]

#: A4 at 96 px an inch
A4 = {"width": 794, "height": 1123}


@pytest.fixture
def a4_page(live_server, monkeypatch):
    with chromium_page(monkeypatch, viewport=A4) as page:
        yield page


def a4_picture(page, name: str, pages: float = 1.0) -> None:
    """The page as printed (print styles), A4 wide, ``pages`` A4 heights from the top."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    height = min(int(A4["height"] * pages), page.evaluate("document.documentElement.scrollHeight"))
    page.screenshot(
        path=str(SCREENSHOTS / name),
        full_page=True,
        clip={"x": 0, "y": 0, "width": A4["width"], "height": height},
    )
    page.emulate_media(media="screen")


def pdf_pages(page, picture: str | None = None) -> int:
    """Print the page to PDF on A4 (Chromium) and count its pages; with ``picture``, the PDF's first page
    is rendered (pdfium) to that PNG, so the printed sheet itself can be looked at next to the seed."""
    data = page.pdf(format="A4", print_background=True)
    assert data.startswith(b"%PDF")
    count = len(re.findall(rb"/Type\s*/Page[^s]", data))
    if picture:
        assert picture_of_pdf(data, picture) == count
    return count


@pytest.mark.parametrize(
    ("username", "year", "name", "picture", "most_pages"),
    [
        ("tianbao_yantai", 2021, "长期护理保险补助", "goal-table-yantai-a4.png", 2),
        ("tianbao_zhaoyuan", 2023, "特殊人群医疗统筹金及管理经费", "goal-table-zhaoyuan-a4.png", 1),
        ("tianbao_huancui", 2020, "医疗救助", "goal-table-huancui-a4.png", 2),
    ],
)
def test_a_project_printed_on_a4(demo, live_server, a4_page, username, year, name, picture, most_pages):
    page, base = a4_page, live_server.url
    project = Project.objects.get(year=year, name=name)
    login(page, base, username)
    page.goto(f"{base}/goal-tables/project/{project.pk}/")
    table = page.locator("table.goal-table")
    # the table fits the sheet: nothing wider than the A4 page
    page.emulate_media(media="print")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= A4["width"], width
    assert table.bounding_box()["width"] <= A4["width"]
    page.emulate_media(media="screen")
    assert 1 <= pdf_pages(page, picture.replace("-a4.png", "-pdf.png")) <= most_pages
    a4_picture(page, picture)


def test_the_special_fund_variant_on_a4(demo, live_server, a4_page):
    page, base = a4_page, live_server.url
    project = Project.objects.get(year=2023, name="职工长护险财政补贴")
    login(page, base, "tianbao_zhaoyuan")
    page.goto(f"{base}/goal-tables/project/{project.pk}/?variant=专项资金")
    assert "专项资金绩效目标表" in page.inner_text("main")
    assert pdf_pages(page, "goal-table-zhaoyuan-special-pdf.png") == 1
    a4_picture(page, "goal-table-zhaoyuan-special-a4.png")


def test_the_qinghai_public_table_on_a4(demo, live_server, a4_page):
    """21 projects in one table over several A4 pages, the headings repeated on each (thead)."""
    page, base = a4_page, live_server.url
    department = Department.objects.get(name="青海省医疗保障局")
    login(page, base, "shenhe_qinghai")
    page.goto(f"{base}/goal-tables/department/{department.pk}/2021/")
    assert page.locator("table.goal-table thead td").count() == 8
    assert 4 <= pdf_pages(page, "goal-table-qinghai-pdf.png") <= 12
    a4_picture(page, "goal-table-qinghai-a4.png", pages=1.2)


def test_the_print_page_on_a_phone(demo, live_server, phone_page):
    page, base = phone_page, live_server.url
    project = Project.objects.get(year=2020, name="居民医疗保险财政补助")
    login(page, base, "tianbao_huancui")
    page.goto(f"{base}/projects/{project.pk}/")
    assert_fits_the_screen(page)
    assert page.locator("#goal-info").is_visible()
    shot(page, "goal-info-390.png", top_selector="#goal-info")
    page.goto(f"{base}/goal-tables/project/{project.pk}/")
    assert_fits_the_screen(page)  # the table scrolls inside its frame
    frame = page.locator(".goal-scroll").first.bounding_box()
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 390
    shot(page, "goal-table-390.png")
