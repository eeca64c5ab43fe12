"""Evidence on a phone (390 px), in a real browser: the unit uploads a file for an indicator from the
project page, sees it listed, and the page never scrolls sideways; the supervisor sees it on the review
page. A refused file is answered in Chinese on the evidence page."""

from __future__ import annotations

import pytest

from perfgoals.choices import Status
from perfgoals.evidence.models import Evidence
from perfgoals.models import Indicator
from projects.models import Project
from tests.evidence.conftest import pdf_bytes
from tests.web.conftest import set_status
from tests.web.test_browser import CHROMIUM, login
from tests.web.test_browser_phone import assert_fits_the_screen, assert_reachable, phone_page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_uploading_evidence_on_a_phone(demo, live_server, phone_page, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page, base = phone_page, live_server.url
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    set_status(project, Status.RETURNED)
    indicator = Indicator.objects.filter(project=project).order_by("order").last()

    login(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{project.pk}/")
    assert_fits_the_screen(page)
    form = "[data-testid=evidence-upload]"
    assert_reachable(page, f"{form} button[type=submit]")
    page.set_input_files(
        f"{form} input[type=file]",
        files=[{"name": "受益名单.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("名单")}],
    )
    page.select_option(f"{form} select[name=indicator]", str(indicator.pk))
    page.fill(f"{form} input[name=description]", "盖章扫描件")
    page.click(f"{form} button[type=submit]")
    page.wait_for_url(f"{base}/projects/{project.pk}/#evidence")
    listed = page.locator("[data-testid=evidence-list] .evidence-item")
    assert listed.count() == 1 and "受益名单.pdf" in listed.first.inner_text()
    assert_fits_the_screen(page)
    assert_reachable(page, "[data-testid=evidence-list] a.evidence-name")
    evidence = Evidence.objects.get()
    assert evidence.indicator == indicator and evidence.description == "盖章扫描件"

    # a program named .pdf: refused in Chinese, nothing stored
    page.goto(f"{base}/evidence/projects/{project.pk}/")
    page.set_input_files(
        f"{form} input[type=file]",
        files=[
            {"name": "自评报告.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 64}
        ],
    )
    page.click(f"{form} button[type=submit]")
    assert "可执行程序" in page.inner_text("[role=alert] >> nth=0")
    assert_fits_the_screen(page)
    assert Evidence.objects.count() == 1
