"""The 自评表 as a spreadsheet in a real browser (issue #16): unsaved rows are marked and leaving the page
with them asks first; Enter moves down the 实际完成值 column; a block pasted from Excel fills the following
rows; 全部保存 saves every changed row at once.

The 2019 self-evaluation of 居民基本医疗保险市级财政补助 (seed 001 附件1) is reopened by its supervisor
first, so that the unit may enter results.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from perfgoals import workflow
from perfgoals.models import Indicator
from projects.models import Project

from .test_browser import CHROMIUM, PROJECT, browser_page, login, save_row  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


@pytest.fixture
def reopened(demo):
    """The project, reopened by its supervisor; its indicators in page order that take an actual value."""
    project = Project.objects.get(year=PROJECT[0], name=PROJECT[1])
    supervisor = get_user_model().objects.get(username="shenhe_yantai")
    workflow.reopen_evaluation(project.evaluation, supervisor, "按审计意见更正实际完成值")
    indicators = list(Indicator.objects.filter(project=project, not_applicable=False).order_by("order"))
    return project, indicators


def open_sheet(page, base, project) -> None:
    login(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{project.pk}/")
    page.wait_for_load_state("load")


def test_leaving_with_unsaved_input_asks_first(reopened, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    project, indicators = reopened
    open_sheet(page, base, project)
    ind = indicators[0]
    row = page.locator(f"#ind-{ind.pk}")
    assert page.locator(".unsaved-tag").count() == 0

    page.fill(f"#id_ind{ind.pk}-actual_text", "77%")
    assert "row-unsaved" in row.get_attribute("class")
    assert row.locator(".unsaved-tag").inner_text() == "未保存"
    # typing the saved value back clears the marker
    page.fill(f"#id_ind{ind.pk}-actual_text", ind.actual_text)
    assert row.locator(".unsaved-tag").count() == 0
    page.fill(f"#id_ind{ind.pk}-actual_text", "77%")

    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.click("nav a:text-is('项目')")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/projects/{project.pk}/")  # stayed, with the value typed
    assert page.input_value(f"#id_ind{ind.pk}-actual_text") == "77%"

    # saved: the marker goes, and leaving asks nothing
    save_row(page, ind)
    assert page.locator(f"#ind-{ind.pk} .unsaved-tag").count() == 0
    assert Indicator.objects.get(pk=ind.pk).actual_text == "77%"
    with page.expect_navigation():
        page.click("nav a:text-is('项目')")
    assert dialogs == ["beforeunload"]
    assert not page.url.endswith(f"/projects/{project.pk}/")
