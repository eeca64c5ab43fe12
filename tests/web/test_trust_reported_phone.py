"""The reported-above box (#12) on a phone (390 px), in a real browser: on the review page a row whose
reported score exceeds the computed one shows "自报 …，高于计算 …（高出 …）" in its warning style, inside
the screen's width, and the page still does not scroll sideways."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator
from projects.models import Project

from .conftest import set_status
from .test_browser import login
from .test_browser_phone import (
    PHONE,
    assert_fits_the_screen,
    phone_page,  # noqa: F401  (the fixture)
    shot,
)
from .test_browser_phone import pytestmark as _browser_marks

pytestmark = _browser_marks  # a browser test, skipped without /usr/bin/chromium


def test_the_review_page_shows_an_inflated_row_and_total_on_a_phone(demo, live_server, phone_page):  # noqa: F811
    page, base = phone_page, live_server.url
    project = Project.objects.get(year=2019, name="职工长期护理保险市级财政补助")
    set_status(project, Status.SUBMITTED, submitted_at=timezone.now())
    ind = next(i for i in project.indicators.order_by("order") if i.score is not None and i.weight)
    Indicator.objects.filter(pk=ind.pk).update(reported_score=ind.score + Decimal("8.2"))
    evaluation = Evaluation.objects.get(project=project)
    Evaluation.objects.filter(pk=evaluation.pk).update(submitted_total=evaluation.total_score + Decimal(3))

    login(page, base, "shenhe_yantai")
    page.goto(f"{base}/review/{project.pk}/")
    assert_fits_the_screen(page)
    box = page.locator(f"#ind-{ind.pk} [data-testid=reported-above]")
    box.scroll_into_view_if_needed()
    assert box.is_visible()
    assert box.inner_text() == f"自报 {ind.score + Decimal('8.2'):.2f}，高于计算 {ind.score:.2f}（高出 8.20）"
    area = box.bounding_box()
    assert area["x"] >= 0 and area["x"] + area["width"] <= PHONE["width"], area
    colour = box.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(164, 14, 38)"  # the warning red of .reported-above
    assert page.locator("[data-testid=reported-total-above]").first.is_visible()
    shot(page, "review-reported-above-390.png", f"#ind-{ind.pk}")
