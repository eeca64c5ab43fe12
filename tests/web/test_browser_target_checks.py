"""The target checks and the graded review in a real browser, at 1440 and 390 px (issue 15): the unit's
editor lists what blocks a submission (a 2021 table without 成本指标) and the notices; the supervisor's
review page lists every check among the items to look at, and grades the targets (中 needs a comment).

Screenshots: target-editor-checks.png and target-review-checks.png (1440 px) go to SCREENSHOTS
(docs/screenshots/ when UPDATE_SCREENSHOTS=1, see test_browser); the 390 px ones and the grade form
(…-390.png, target-grade*.png) always to the temporary folder, to be looked at.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.intake import services as intake_services
from perfgoals.models import Evaluation, Indicator
from projects.models import Project

from .test_browser import CHROMIUM, SCREENSHOTS, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(live_server, monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_browser.browser_page
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
        connections.close_all()


def open_page(browser, viewport, base, username):
    phone = viewport is PHONE
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, base, username)
    return context, page


def fits(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"页面宽 {width}px，超出屏幕 {inner}px"


LOOK = Path(tempfile.gettempdir()) / "perfeval-screenshots"


def shot(page, name: str, selector: str, height: int, keep: bool = False) -> None:
    folder = SCREENSHOTS if keep else LOOK
    folder.mkdir(parents=True, exist_ok=True)
    top = max(0, int(page.locator(selector).first.bounding_box()["y"] + page.evaluate("scrollY")) - 8)
    width = page.evaluate("window.innerWidth")
    height = min(height, page.evaluate("document.documentElement.scrollHeight") - top)
    page.screenshot(
        path=str(folder / name),
        full_page=True,
        clip={"x": 0, "y": top, "width": width, "height": height},
    )


def test_checks_and_grades_at_1440_and_390(demo, live_server, browser):
    base = live_server.url
    unit = get_user_model().objects.get(username="tianbao_yantai")
    source = Project.objects.get(year=2019, name="困难群众医疗救助")
    draft = intake_services.rollover(intake_services.Actor(unit), [source.pk], 2021).created[0]
    for ind in draft.indicators.all():
        if workflow.direction_suggested(ind):
            Indicator.objects.filter(pk=ind.pk).update(direction_override=ind.direction)

    # the unit's editor: what blocks (no 成本指标 in a 2021 table) and the notices, in the bar
    for viewport, suffix in ((WIDE, ""), (PHONE, "-390")):
        context, page = open_page(browser, viewport, base, "tianbao_yantai")
        page.goto(f"{base}/projects/{draft.pk}/")
        page.click("details.pending summary")
        assert "须设置成本指标" in page.inner_text("details.pending")
        page.click("details.pending summary")  # closed again: one list open at a time
        page.click("[data-testid=target-notices] summary")
        notices = page.inner_text("[data-testid=target-notices]")
        assert "提示 5 项" in notices and "低于上年（2019 年）实际完成值 74%" in notices
        fits(page)
        shot(page, f"target-editor-checks{suffix}.png", "#targets", 1100 if suffix else 900, keep=not suffix)
        # submitting anyway: refused, the page says why, nothing submitted
        page.click("[data-testid=submit-targets]")
        page.wait_for_selector("#submit-problems")
        assert "本表没有成本指标" in page.inner_text("#submit-problems")
        assert Evaluation.objects.get(project=draft).status == Status.DRAFT
        context.close()

    # a cost indicator added: the targets go to the supervisor, the notices with them
    social = Indicator.objects.get(project=draft, level2="social_benefit")
    workflow.update_indicator_target(social, unit, {"weight": Decimal(10)}, social.version)
    workflow.add_indicator(
        draft,
        unit,
        {"level2": "economic_cost", "name": "人均救助成本", "target_text": "≤2000元", "weight": Decimal(5)},
    )
    workflow.submit_targets(Evaluation.objects.get(project=draft), unit)

    for viewport, suffix in ((PHONE, "-390"), (WIDE, "")):
        context, page = open_page(browser, viewport, base, "shenhe_yantai")
        page.goto(f"{base}/review/{draft.pk}/")
        checks = page.inner_text("[data-testid=target-checks]")
        assert "低于上年（2019 年）实际完成值 74%" in checks and "为定性指标" in checks
        assert int(page.inner_text("[data-testid=check-count]")) >= 5
        fits(page)
        shot(
            page,
            f"target-review-checks{suffix}.png",
            "section.summary",
            1500 if suffix else 900,
            keep=not suffix,
        )
        page.locator("#decide").scroll_into_view_if_needed()
        shot(page, f"target-grade{suffix}.png", "#decide", 700)
        if suffix:
            context.close()
            continue
        # 中 without a comment: asked for one, nothing changed
        page.check("[data-testid=grade-form] input[value='中']")
        page.click("[data-testid=grade-targets]")
        page.wait_for_selector("text=评为“中”时必须填写意见")
        assert Evaluation.objects.get(project=draft).status == Status.TARGETS_SUBMITTED
        page.check("[data-testid=grade-form] input[value='中']")
        page.fill("[data-testid=grade-form] textarea", "满意度目标低于上年实际，请调整后重新提交")
        page.click("[data-testid=grade-targets]")
        page.wait_for_selector("text=已退回填报单位修改后重新提交")
        evaluation = Evaluation.objects.get(project=draft)
        assert (evaluation.status, evaluation.target_grade) == (Status.DRAFT, "中")
        context.close()
