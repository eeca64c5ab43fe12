"""A third-party reviewer in a real browser, on a phone (390 px): finance assigns a 复核 item, the
reviewer signs in, lands on its assigned work, records a 复核得分 with a reason and finds no way to
finish the item; nothing scrolls sideways. Screenshot recheck-third-party-390.png."""

from __future__ import annotations

import pytest

from perfgoals.recheck import actions
from perfgoals.recheck.models import RecheckScore
from projects.models import Project
from tests.web.test_browser import CHROMIUM, login
from tests.web.test_browser_phone import assert_fits_the_screen, assert_reachable, phone_page, shot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_a_third_party_reviewer_on_a_phone(demo, live_server, phone_page, django_user_model):  # noqa: F811
    page, base = phone_page, live_server.url
    finance = django_user_model.objects.get(username="caizheng_yantai")
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    sample = actions.draw_sample(finance, 2019, {"risk": 1, "random": 10}, seed=9)
    item = sample.items.get(evaluation__project=project)

    login(page, base, "caizheng_yantai")
    page.goto(f"{base}/recheck/item/{item.pk}/")
    assert_reachable(page, "#assign button[type=submit]")
    page.select_option("[data-testid=assignee]", label="受托第三方评价机构复核员")
    page.click("#assign button[type=submit]")
    page.wait_for_selector("text=已委托第三方复核")
    assert_fits_the_screen(page)

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "disanfang_yantai")
    page.fill("#id_password", "demo2024")
    page.click("button[type=submit]")
    page.wait_for_selector("#assigned")
    assert page.url.rstrip("/").endswith("/recheck")
    assert_fits_the_screen(page)
    page.click(f"#assigned >> text={project.name}")
    form = page.locator("form.recheck-form").first
    form.locator("input[name=score]").fill("0")
    form.locator("input[name=reason]").fill("佐证材料不足以支持实际完成值")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=复核得分 0.00")
    assert page.locator("input[value=finish]").count() == 0
    assert "复核完成后由财政审阅人填写" in page.inner_text("#findings")
    assert_fits_the_screen(page)
    shot(page, "recheck-third-party-390.png")
    assert RecheckScore.objects.get(item=item).updated_by.username == "disanfang_yantai"
