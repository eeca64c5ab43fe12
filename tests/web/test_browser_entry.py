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


def test_a_column_of_actuals_typed_with_enter_only(reopened, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    project, indicators = reopened
    open_sheet(page, base, project)
    column = [ind for ind in indicators if page.locator(f"#id_ind{ind.pk}-actual_text").count()][:6]
    typed = [f"{81 + i}%" for i in range(len(column))]
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)

    page.focus(f"#id_ind{column[0].pk}-actual_text")
    for value in typed:
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    # each Enter moved down one row: the values are where they were typed, the focus one row further
    assert [page.input_value(f"#id_ind{ind.pk}-actual_text") for ind in column] == typed
    focused = page.evaluate("document.activeElement.name")
    following = page.locator("#indicators input[name$='-actual_text']").nth(len(column))
    assert focused == following.get_attribute("name")
    assert page.locator("#indicators .unsaved-tag").count() == len(column)
    # Enter saved nothing
    page.wait_for_timeout(300)
    assert requests == []
    assert [Indicator.objects.get(pk=ind.pk).actual_text for ind in column] == [
        ind.actual_text for ind in column
    ]

    # Tab: actual → deviation note → the next row's actual (the row's 保存 and direction buttons skipped)
    second = column[1]
    page.focus(f"#id_ind{column[0].pk}-actual_text")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == f"ind{column[0].pk}-deviation_note"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == f"ind{second.pk}-actual_text"

    # one 全部保存 for the column: no warning on the way, every value stored, no row left unsaved
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    with page.expect_navigation():
        page.click("[data-testid=save-sheet]")
    assert dialogs == []
    assert f"已保存 {len(column)} 行指标" in page.inner_text("body")
    assert [Indicator.objects.get(pk=ind.pk).actual_text for ind in column] == typed
    assert page.locator("#indicators .unsaved-tag").count() == 0


PASTE = """(args) => {
  const input = document.querySelector(args.selector);
  const data = new DataTransfer();
  data.setData("text/plain", args.text);
  input.focus();
  input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def paste(page, selector: str, text: str) -> None:
    """Paste ``text`` into the input as the browser does from the clipboard."""
    page.evaluate(PASTE, {"selector": selector, "text": text})


def test_five_rows_pasted_from_excel(reopened, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    project, indicators = reopened
    open_sheet(page, base, project)
    column = [ind for ind in indicators if page.locator(f"#id_ind{ind.pk}-actual_text").count()][:6]
    rows = [(f"{91 + i}%", f"原因说明 {i + 1}") for i in range(5)]
    # as Excel copies a block: cells by tabs, rows by CRLF, a line end after the last row
    text = "".join(f"{actual}\t{note}\r\n" for actual, note in rows)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)

    paste(page, f"#id_ind{column[0].pk}-actual_text", text)
    shown = [
        (
            page.input_value(f"#id_ind{ind.pk}-actual_text"),
            page.input_value(f"#id_ind{ind.pk}-deviation_note"),
        )
        for ind in column[:5]
    ]
    assert shown == rows
    # the sixth row is untouched; the five are marked unsaved and the toast says so; nothing was sent
    assert page.input_value(f"#id_ind{column[5].pk}-actual_text") == column[5].actual_text
    assert page.locator(f"#ind-{column[5].pk} .unsaved-tag").count() == 0
    assert page.locator("#indicators .unsaved-tag").count() == 5
    assert "已粘贴 5 行" in page.inner_text("#toast")
    page.wait_for_timeout(300)
    assert requests == []
    assert Indicator.objects.get(pk=column[0].pk).actual_text == column[0].actual_text

    # one value without a tab or line end is an ordinary paste into the one input
    paste(page, f"#id_ind{column[5].pk}-actual_text", "66%")
    assert page.locator("#indicators .unsaved-tag").count() == 5

    # saved at once from the result bar's 全部保存 (it counts the rows): the five rows, notes included
    assert page.inner_text("[data-testid=save-sheet-bar]") == "全部保存（5 行）"
    with page.expect_navigation():
        page.click("[data-testid=save-sheet-bar]")
    stored = [Indicator.objects.get(pk=ind.pk) for ind in column[:5]]
    assert [(ind.actual_text, ind.deviation_note) for ind in stored] == rows
