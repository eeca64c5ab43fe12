"""The Content-Security-Policy in a real browser (hardening #17, item 4): the pages' scripts still run,
and the browser reports no refused script or style.

The entry page's inline script (allowed by its hash) sets the height of the result bar as a CSS
variable; the reports page's confirm and auto-submit now come from static/perfeval/site.js.
"""

from __future__ import annotations

import pytest

from projects.models import Department, Project

from .test_browser import CHROMIUM, browser_page, login  # noqa: F401  (browser_page is a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_the_pages_run_their_scripts_under_the_policy(demo, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    project = Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")
    login(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{project.pk}/")
    page.wait_for_load_state("load")
    # the inline script ran: it wrote the bar's height into --bar-h
    bar = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bar-h')")
    assert bar.strip().endswith("px"), bar
    assert page.evaluate("typeof htmx") == "object"  # htmx loaded from this site

    # the reports page: choosing another department submits the form (site.js) with the year emptied
    page.click("button:has-text('退出')")
    login(page, base, "admin")
    page.goto(f"{base}/reports/")
    other = Department.objects.get(name="青海省医疗保障局")
    with page.expect_navigation():
        page.select_option("select[name=department]", str(other.pk))
    # the year select emptied has no value left to send (as the inline handler did before)
    assert page.url.endswith(f"/reports/?department={other.pk}"), page.url
    assert not refused, refused
