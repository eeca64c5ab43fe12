"""The target stage in a real browser: a unit user opens a draft rolled over from 2019 into 2020, lowers
one weight, adds an indicator from a library suggestion, submits the targets; the supervisor approves.

Screenshot of the target editor at 1366×768: targets.png in SCREENSHOTS (see test_browser).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.choices import Status
from perfgoals.intake import services as intake_services
from perfgoals.intake.models import LibraryIndicator
from perfgoals.models import Evaluation, Indicator
from projects.models import Project

from .test_browser import CHROMIUM, SCREENSHOTS, browser_page, login, logout  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_targets_are_set_submitted_and_approved_in_the_browser(demo, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    from django.contrib.auth import get_user_model

    unit_user = get_user_model().objects.get(username="tianbao_yantai")
    source = Project.objects.get(year=2019, name="困难群众医疗救助")
    draft = intake_services.rollover(intake_services.Actor(unit_user), [source.pk], 2020).created[0]
    LibraryIndicator.objects.get_or_create(
        name_key="救助人次",
        region_id=source.region_id,  # a region's library is suggested to its own users (#17)
        defaults={
            "name": "救助人次",
            "level1": "output",
            "level2": "quantity",
            "direction": "ge",
            "unit": "万人次",
            "typical_target": "≥1.2万人次",
            "usage_count": 4,
        },
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    login(page, base, "tianbao_yantai")
    page.goto(f"{base}/projects/{draft.pk}/")
    assert "项目支出绩效目标表" in page.inner_text("main")

    # make room for a new 产出 indicator: 25 → 20 on the first one
    first = Indicator.objects.filter(project=draft, level1="output").order_by("order").first()
    page.fill(f"#id_t{first.pk}-weight", "20")
    with page.expect_response(lambda r: f"/targets/{first.pk}/" in r.url):
        page.click(f"[data-testid=save-{first.pk}]")
    page.wait_for_selector(f"#tgt-{first.pk} .row-msg")
    assert Indicator.objects.get(pk=first.pk).weight == Decimal(20)

    # type a name: the library suggests; choosing it fills level, name, target, unit, direction
    page.select_option("#add-target-form [name=level1]", "output")
    page.fill("[data-testid=new-name]", "救助")
    page.locator("#suggestions li[data-name='救助人次']").click()
    assert page.input_value("#add-target-form [name=level2]") == "quantity"
    assert page.input_value("#add-target-form [name=target_text]") == "≥1.2万人次"
    page.fill("#add-target-form [name=weight]", "5")
    with page.expect_response(lambda r: "/targets/add/" in r.url):
        page.click("[data-testid=add-target]")
    new = Indicator.objects.get(project=draft, name="救助人次")
    reading = page.locator(f"[data-testid=reading-{new.pk}]")
    reading.wait_for()
    assert "≥1.2万人次" in reading.inner_text()
    page.evaluate("id => document.getElementById(id).scrollIntoView({block: 'center'})", f"tgt-{new.pk}")
    page.screenshot(path=str(SCREENSHOTS / "targets.png"))

    page.click("[data-testid=submit-targets]")
    page.wait_for_selector("text=绩效目标已提交主管部门批复")
    assert Evaluation.objects.get(project=draft).status == Status.TARGETS_SUBMITTED
    logout(page)

    login(page, base, "shenhe_yantai")
    page.click("nav >> text=审核")
    page.click(f"a:has-text('{draft.name}')")
    page.wait_for_selector("[data-testid=grade-targets]")
    page.screenshot(path=str(SCREENSHOTS / "targets-review.png"))
    page.check("[data-testid=grade-form] input[value='良']")
    page.click("[data-testid=grade-targets]")
    page.wait_for_selector("text=绩效目标评为“良”并已批复")
    evaluation = Evaluation.objects.get(project=draft)
    assert (evaluation.status, evaluation.target_grade) == (Status.TARGETS_APPROVED, "良")
