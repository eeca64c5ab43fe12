"""The whole year in a real browser (Playwright driving Debian's chromium), with the demo data.

The 2019 self-evaluation of 居民基本医疗保险市级财政补助 (seed 001 附件1) was loaded as published and
approved. The supervisor reopens it with a reason; the unit enters the 2019 results row by row
(correcting two of them), the budget and the deviation notes, and submits; the supervisor returns it
with a comment; the unit sees the comment, corrects and resubmits; the supervisor approves. At every
step the score on the page must be the engine's, computed here from the stored values.

Screenshots of the entry page and the review page, at 1366×768, go to docs/screenshots/ when the run
is asked to refresh them (UPDATE_SCREENSHOTS=1), else to a temporary folder.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections

from perfgoals import scoring
from perfgoals.choices import Status
from perfgoals.engine import score_evaluation
from perfgoals.models import Evaluation, Indicator
from perfgoals.templatetags.perf_format import score_text
from projects.models import Project

CHROMIUM = Path("/usr/bin/chromium")
#: docs/screenshots/ holds the pictures the README and the notes show; a test run refreshes them only when
#: asked (UPDATE_SCREENSHOTS=1 bin/test -m browser), so that an ordinary run leaves the working tree clean
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "perfeval-screenshots"
)
VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "demo2024"
PROJECT = (2019, "居民基本医疗保险市级财政补助")
#: the results the unit corrects while re-entering the year (everything else as published)
CORRECTIONS = {"3、居民参保率": "91%", "1、参保居民满意度%": "88%"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def engine_total(project: Project):
    """The engine's total for the stored values, independent of what any page shows."""
    project = (
        Project.objects.select_related("evaluation__scheme")
        .prefetch_related("budget_lines")
        .get(pk=project.pk)
    )
    indicators = list(project.indicators.order_by("order"))
    result = score_evaluation(
        scoring.evaluation_input(project, indicators), project.evaluation.scheme.engine_scheme()
    )
    return result


@contextmanager
def chromium_page(monkeypatch, **context_options):
    """A page of Debian's chromium in a new context (zh-CN, ``context_options`` such as viewport), for
    the browser fixtures of every test package."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls this test makes
    # between browser steps are ordinary synchronous ones (the documented Playwright + Django setting)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="zh-CN", **context_options)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
        # while Playwright's loop runs, asgiref treats this thread as async and Django hands the test's
        # ORM calls a connection of their own: close it here, or PostgreSQL cannot drop the test database
        connections.close_all()


@pytest.fixture
def browser_page(live_server, monkeypatch):
    with chromium_page(monkeypatch, viewport=VIEWPORT) as page:
        yield page


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # the starting page: the overview (supervisors, finance) or 我的项目 (units)
    page.wait_for_url(re.compile(r".*/overview/.*"))


def logout(page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_url(re.compile(r".*/login/.*"))


def save_row(page, ind: Indicator, **fields) -> str:
    """Fill a row's fields, press its 保存 and wait for the re-rendered row; returns the row's text."""
    prefix = f"#id_ind{ind.pk}-"
    for name, value in fields.items():
        page.fill(prefix + name, value)
    with page.expect_response(lambda r: f"/indicators/{ind.pk}/" in r.url):
        page.click(f"#form-ind{ind.pk} button[type=submit]")
    row = page.locator(f"#ind-{ind.pk}")
    row.locator(".row-msg").wait_for()
    return row.inner_text()


def test_a_whole_year_in_the_browser(demo, live_server, browser_page):
    page, base = browser_page, live_server.url
    project = Project.objects.get(year=PROJECT[0], name=PROJECT[1])
    project_url = f"{base}/projects/{project.pk}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 1. the supervisor reopens the published 2019 self-evaluation, with a reason
    login(page, base, "shenhe_yantai")
    page.goto(f"{base}/review/{project.pk}/")
    page.fill("textarea[name=reason]", "按市审计局意见更正 2019 年度实际完成值")
    page.click("[data-testid=reopen]")
    page.wait_for_selector("text=自评已重新开放")
    assert Evaluation.objects.get(project=project).status == Status.RETURNED
    logout(page)

    # 2. the unit finds the project in its list (2019 is not the latest year: filter) and opens it
    login(page, base, "tianbao_yantai")
    page.click("nav a:text-is('项目')")
    page.select_option("select[name=year]", "2019")
    page.click("button:has-text('筛选')")
    page.click(f"a:has-text('{PROJECT[1]}')")
    page.wait_for_url(project_url)
    assert "按市审计局意见更正 2019 年度实际完成值" in page.inner_text("#review-notice")

    # 3. the budget: 全年执行数 (B); A is locked after approval
    assert page.is_disabled("input[name=current_year-annual]")
    page.fill("input[name=current_year-executed]", "5460")
    page.click("button:has-text('保存预算')")
    page.wait_for_selector("text=预算执行数据已保存")
    assert page.inner_text("[data-testid=execution-score]") == "9.90"  # 5460 ÷ 5515 × 10
    page.evaluate("window.__loadedOnce = true")  # gone if anything below reloads the page

    # 4. every indicator's actual value, row by row; the score and its explanation update at once
    for ind in Indicator.objects.filter(project=project).order_by("order"):
        value = CORRECTIONS.get(ind.name, ind.actual_text)
        text = save_row(page, ind, actual_text=value)
        stored = Indicator.objects.get(pk=ind.pk)
        assert stored.actual_text == value
        assert score_text(stored.score) in text
    rate = Indicator.objects.get(project=project, name="3、居民参保率")
    row = page.inner_text(f"#ind-{rate.pk}")
    assert "91 ÷ 92 × 2 = 1.98" in row and "得分低于分值，请填写偏差原因分析及改进措施" in row
    # without a reload: the history section shows the corrections, and every input carrying the page's
    # version (submit, budget, explanations, rows) has followed the user's own saves
    assert page.evaluate("window.__loadedOnce === true")
    history = page.inner_text("#history")
    assert "指标“3、居民参保率”" in history and "93% → 91%" in history and "2.00 → 1.98" in history
    versions = page.eval_on_selector_all("input.page-version", "els => [...new Set(els.map(e => e.value))]")
    assert versions == [str(Evaluation.objects.get(project=project).version)]
    page.locator("#history").scroll_into_view_if_needed()
    # not one of docs/screenshots/: always to the temporary folder
    history_shots = Path(tempfile.gettempdir()) / "perfeval-screenshots"
    history_shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(history_shots / "history.png"))

    # 5. submitting too early lists what is missing, with links to the rows, and submits nothing
    page.click("[data-testid=submit]")
    problems = page.locator("#submit-problems")
    problems.wait_for()
    assert problems.locator(f"a[href='#ind-{rate.pk}']").count() == 1
    assert Evaluation.objects.get(project=project).status == Status.RETURNED
    # directions the system guessed from the names are listed and block submission until confirmed (#12)
    guessed = [ind for ind in Indicator.objects.filter(project=project) if ind.direction_guessed]
    assert guessed and "指标方向为系统推测" in problems.inner_text()
    page.click("[data-testid=confirm-all-directions]")
    page.wait_for_selector("text=已确认")
    assert not any(ind.direction_guessed for ind in Indicator.objects.filter(project=project))

    # 6. the deviation notes, then the entry page as an official sees it
    survey = Indicator.objects.get(project=project, name="1、参保居民满意度%")
    save_row(page, rate, deviation_note="部分灵活就业人员未按时参保，已联合税务部门开展参保扩面。")
    save_row(page, survey, deviation_note="满意度调查样本偏少。")
    result = engine_total(project)
    assert page.inner_text("[data-testid=total-score]") == score_text(result.total)
    page.locator(f"#ind-{rate.pk}").scroll_into_view_if_needed()
    page.evaluate("id => document.getElementById(id).scrollIntoView({block: 'center'})", f"ind-{rate.pk}")
    page.screenshot(path=str(SCREENSHOTS / "entry.png"))

    page.click("[data-testid=submit]")
    page.wait_for_selector("text=自评已提交审核")
    assert Evaluation.objects.get(project=project).status == Status.SUBMITTED
    logout(page)

    # 7. the supervisor finds it in the queue, reviews, and returns it with a comment
    login(page, base, "shenhe_yantai")
    page.click("nav >> text=审核")
    page.click(f"a:has-text('{PROJECT[1]}')")
    page.wait_for_url(f"{base}/review/{project.pk}/")
    assert page.inner_text("[data-testid=review-total]") == score_text(engine_total(project).total)
    assert "分值不符" in page.inner_text("main")  # 附件1: 产出 rows worth 60 under a 50-point header
    page.screenshot(path=str(SCREENSHOTS / "review.png"))
    page.fill("form.return textarea[name=comment]", "满意度偏差原因过于简单，请说明调查方式和改进措施。")
    page.click("[data-testid=return]")
    page.wait_for_selector("text=自评已退回填报单位")
    assert Evaluation.objects.get(project=project).status == Status.RETURNED
    logout(page)

    # 8. the unit reads the comment on its project page, corrects and resubmits
    login(page, base, "tianbao_yantai")
    page.goto(project_url)
    assert "满意度偏差原因过于简单" in page.inner_text("#review-notice")
    save_row(
        page,
        survey,
        deviation_note="满意度调查仅覆盖两家经办网点，样本偏少；下年度扩大到全部网点并增加线上调查。",
    )
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=自评已提交审核")
    logout(page)

    # 9. the supervisor approves; the score shown is the engine's
    login(page, base, "shenhe_yantai")
    page.goto(f"{base}/review/{project.pk}/")
    page.click("[data-testid=approve]")
    page.wait_for_selector("text=自评已审核通过")
    evaluation = Evaluation.objects.get(project=project)
    assert evaluation.status == Status.APPROVED
    result = engine_total(project)
    page.goto(project_url)
    assert (
        page.inner_text("[data-testid=total-score]")
        == score_text(result.total)
        == score_text(evaluation.total_score)
    )
    assert page.inner_text("[data-testid=grade]") == result.grade
    assert "自评已审核" in page.inner_text(".page-head")
