"""Printing on A4 in a real browser (Chromium): the print is laid out as the paper, never as a phone.

An A4 page is about 718 px wide inside Chromium's default margins, narrower than the phone rules'
``max-width: 720px``: a rule written ``@media (max-width: …)`` therefore also matched when printing and
turned the printed tables into phone cards. The phone rules are ``@media screen and (max-width: …)``;
here every print page is rendered for print at the A4 width and at a wide one, and the computed styles
of its elements must be the same, and the PDF Chromium prints is A4.

Screenshots (print media, A4 width): report-print-a4.png, form-print-a4.png, summary-print-a4.png.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from projects.models import Department, Project
from tests.pdf_pictures import picture_of_pdf
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, chromium_page, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]

#: A4 at 96 px an inch, and its width inside Chromium's default print margins (1 cm each side)
A4 = {"width": 794, "height": 1123}
A4_PRINTABLE = 718
WIDE = 1280
#: the elements and properties a phone rule would change
SELECTORS = (
    "body",
    "main",
    ".page",
    ".sheet",
    ".doc-title",
    ".form-table th",
    ".form-table td",
    ".summary-table td",
    ".report-body",
    ".report-heading",
    ".list-table tr",
    ".list-table td",
    ".card",
)
PROPERTIES = ("display", "fontSize", "paddingTop", "paddingLeft", "flexDirection", "textAlign", "whiteSpace")

_STYLES = """([selectors, properties]) => {
  const out = {};
  for (const selector of selectors) {
    const element = document.querySelector(selector);
    if (!element) continue;
    const style = getComputedStyle(element);
    out[selector] = Object.fromEntries(properties.map((p) => [p, style[p]]));
  }
  return out;
}"""


@pytest.fixture
def print_page(live_server, monkeypatch):
    with chromium_page(monkeypatch, viewport=A4) as page:
        yield page


def _styles_at(page, width: int) -> dict:
    page.set_viewport_size({"width": width, "height": A4["height"]})
    return page.evaluate(_STYLES, [list(SELECTORS), list(PROPERTIES)])


def _assert_printed_as_paper(page) -> bytes:
    """The page's print styles do not depend on the paper's width, and Chromium prints it on A4."""
    page.emulate_media(media="print")
    narrow, wide = _styles_at(page, A4_PRINTABLE), _styles_at(page, WIDE)
    assert narrow and narrow == wide
    assert narrow["body"]["fontSize"] != "15px"  # the phone's body type
    page.set_viewport_size(A4)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    # A4 is 595 × 842 points
    assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes)
    return pdf


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(A4)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_the_2019_outputs_print_on_a4_not_as_a_phone(demo, live_server, print_page):
    page, base = print_page, live_server.url
    department = Department.objects.get(name="烟台市医疗保障局")
    project = Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")
    login(page, base, "shenhe_yantai")

    page.goto(base + reverse("reports:report_print", args=[department.pk, 2019]))
    assert "三、下一步工作措施" in page.inner_text(".report-sheet")
    picture_of_pdf(_assert_printed_as_paper(page), "report-print-pdf.png")
    _shot(page, "report-print-a4.png")

    page.emulate_media(media="screen")
    page.goto(base + reverse("reports:form_print", args=[project.pk]))
    assert page.inner_text(".doc-attachment") == "附件 1"
    assert page.inner_text(".doc-title") == "市级预算项目支出绩效自评表"
    pdf = _assert_printed_as_paper(page)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2  # 附件1 runs over several pages, as printed
    picture_of_pdf(pdf, "form-print-pdf.png")
    _shot(page, "form-print-a4.png")

    page.emulate_media(media="screen")
    page.goto(base + reverse("reports:summary_print", args=[department.pk, 2019]))
    title = page.locator(".doc-title")
    # the title on one line: as high as one line of its type
    height = title.evaluate("e => e.getBoundingClientRect().height")
    line = title.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.6"
    )
    assert height < line * 1.5
    picture_of_pdf(_assert_printed_as_paper(page), "summary-print-pdf.png")
    _shot(page, "summary-print-a4.png")


def test_the_overview_prints_on_a4_not_as_a_phone(demo, live_server, print_page):
    page, base = print_page, live_server.url
    login(page, base, "shenhe_yantai")
    page.goto(f"{base}/overview/")
    _assert_printed_as_paper(page)
