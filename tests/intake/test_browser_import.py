"""An import in the browser (#16) at 1440 and 390 px: the preview shows 指标性质 and 指标值 apart, an
error names the blank cell's column, and after confirming the page links the imported projects."""

from __future__ import annotations

import pytest

from projects.models import Project
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, browser_page, login  # noqa: F401  (fixture)

from .conftest import workbook_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "分值"]
ROWS = [
    [2024, "医保政策宣传", "产出指标", "数量指标", "发放宣传资料", "≥", 2, "万册", 30],
    [None, None, None, "质量指标", "宣传覆盖率", None, "≥95%", None, 30],
    [None, None, "满意度指标", "服务对象满意度指标", "群众满意度", None, "≥90%", None, 30],
]


@pytest.mark.parametrize("width", [1440, 390])
def test_import_preview_errors_and_links(
    demo,
    live_server,
    browser_page,  # noqa: F811
    media,
    eager_tasks,
    tmp_path,
    width,
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    login(page, base, "tianbao_yantai")

    # a row with a value and no name: the error points at the 三级指标 cell (E4), not the value (G4)
    bad = tmp_path / "缺名称.xlsx"
    bad.write_bytes(
        workbook_bytes([HEADER, *ROWS, [None, None, None, "时效指标", None, None, "≤5天", None, 10]])
    )
    page.goto(f"{base}/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector(".intake-errors li")
    assert "第 5 行「三级指标」列（E5）：有指标值但没有三级指标名称" in page.inner_text(".intake-errors")

    good = tmp_path / "目标表.xlsx"
    good.write_bytes(workbook_bytes([HEADER, *ROWS]))
    page.goto(f"{base}/import/")
    page.set_input_files("input[type=file]", str(good))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("button:has-text('确认导入')")
    headings = page.locator(".intake-rows thead th").all_inner_texts()
    assert headings[headings.index("指标性质") + 1] == "指标值（原文）"
    first = page.locator(".intake-rows tbody tr").first.locator("td").all_inner_texts()
    nature = headings.index("指标性质")
    assert (first[nature], first[nature + 1]) == ("≥", "2")
    page.screenshot(path=str(SCREENSHOTS / f"import-preview-{width}.png"))

    page.click("button:has-text('确认导入')")
    links = page.locator("[data-testid=imported-projects] a")
    links.first.wait_for()
    project = Project.objects.get(year=2024, name="医保政策宣传")
    assert links.count() == 1
    page.screenshot(path=str(SCREENSHOTS / f"import-done-{width}.png"))
    links.first.click()
    page.wait_for_url(f"{base}/projects/{project.pk}/")
