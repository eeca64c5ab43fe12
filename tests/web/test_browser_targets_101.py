"""The 101号 fields on the target page in a real browser, at 1440 px and on a 390 px phone: the unit
opens an indicator's folded "101号 字段", fills the four fields and saves the row; the supervisor's
review page shows them read-only with the peers of the same library entry.

Screenshots (UPDATE_SCREENSHOTS=1): targets-101-1440.png, targets-101-390.png, targets-review-peers-1440.png
and targets-review-peers-390.png in SCREENSHOTS (see test_browser).
"""

from __future__ import annotations

import pytest

from perfgoals.choices import Status
from perfgoals.intake import services as intake_services
from perfgoals.models import Evaluation, Indicator
from projects.models import Project

from .test_browser import CHROMIUM, SCREENSHOTS, chromium_page, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]

SIZES = {
    1440: {"viewport": {"width": 1440, "height": 900}},
    390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(params=sorted(SIZES, reverse=True))
def sized_page(request, live_server, monkeypatch):
    with chromium_page(monkeypatch, **SIZES[request.param]) as page:
        yield page, request.param


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_101_fields_are_entered_and_reviewed(demo, live_server, sized_page):
    page, width = sized_page
    base = live_server.url
    from django.contrib.auth import get_user_model

    unit_user = get_user_model().objects.get(username="tianbao_yantai")
    source = Project.objects.get(year=2019, name="困难群众医疗救助")
    draft = intake_services.rollover(intake_services.Actor(unit_user), [source.pk], 2021).created[0]
    intake_services.build_library()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    login(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{draft.pk}/")
    ind = Indicator.objects.filter(project=draft).order_by("order").first()
    folded = page.locator(f"[data-testid=f101-{ind.pk}]")
    assert "已填 0/4" in folded.inner_text()
    folded.locator("summary").click()
    page.fill(f"#id_t{ind.pk}-explanation", "享受医疗救助的困难群众住院费用获得救助的比例")
    page.fill(f"#id_t{ind.pk}-scoring_standard", "达到目标值得满分；每低 1 个百分点扣 0.5 分，扣完为止")
    page.fill(f"#id_t{ind.pk}-data_source", "医疗救助系统年度统计报表、救助台账")
    page.select_option(f"#id_t{ind.pk}-basis", "history")
    with page.expect_response(lambda r: f"/targets/{ind.pk}/" in r.url):
        page.click(f"[data-testid=save-{ind.pk}]")
    page.wait_for_selector(f"#tgt-{ind.pk} .row-msg")
    saved = Indicator.objects.get(pk=ind.pk)
    assert (saved.basis, saved.data_source) == ("history", "医疗救助系统年度统计报表、救助台账")
    folded = page.locator(f"[data-testid=f101-{ind.pk}]")
    assert "已填 4/4" in folded.inner_text() and "历史标准" in folded.inner_text()
    if not folded.evaluate("el => el.open"):
        folded.locator("summary").click()
    assert _no_sideways_scroll(page) or width > 1000
    folded.scroll_into_view_if_needed()
    page.evaluate("id => document.getElementById(id).scrollIntoView({block: 'start'})", f"tgt-{ind.pk}")
    page.screenshot(path=str(SCREENSHOTS / f"targets-101-{width}.png"))

    # the supervisor's review of a 2021 table: 101号 read-only, peers of the same entry in 烟台 2021
    project = Project.objects.get(year=2021, name="城乡居民医疗保险市级补助")
    Evaluation.objects.filter(project=project).update(status=Status.TARGETS_SUBMITTED)
    own = Indicator.objects.get(project=project, name="工作满意度")
    Indicator.objects.filter(pk=own.pk).update(
        explanation="服务对象对医保经办工作的满意程度",
        scoring_standard="≥90% 得满分，每低 1 个百分点扣 1 分",
        data_source="满意度问卷调查",
        basis="plan",
    )
    page.context.clear_cookies()
    login(page, base, "shenhe_yantai")
    page.goto(f"{base}/review/{project.pk}/")
    peers = page.locator(f"[data-testid=peers-{own.pk}]")
    assert "同类指标" in peers.inner_text() and "指标库条目" in peers.inner_text()
    page.locator(f"[data-testid=f101-{own.pk}] summary").click()
    assert "满意度问卷调查" in page.locator(f"[data-testid=f101-{own.pk}]").inner_text()
    assert _no_sideways_scroll(page) or width > 1000
    page.evaluate("id => document.getElementById(id).scrollIntoView({block: 'center'})", f"tgt-{own.pk}")
    page.screenshot(path=str(SCREENSHOTS / f"targets-review-peers-{width}.png"))
    # the entry the link leads to
    peers.locator("a.peer-entry").click()
    page.wait_for_selector("[data-testid=library-entry]")
    assert "工作满意度" in page.inner_text("main")
