"""Library suggestions on the target editor (#16): chosen with the keyboard — ↓/↑ move, Enter picks
and does not submit the form, Esc closes — announced as a listbox (aria-activedescendant), and the
typical target shown in the engine's notation ("≥90%", never "≧90%（%）"); at 1440 and 390 px."""

from __future__ import annotations

import pytest

from perfgoals.intake import services as intake_services
from perfgoals.intake.models import LibraryIndicator
from perfgoals.models import Indicator
from projects.models import Membership, Project

from .test_browser import CHROMIUM, SCREENSHOTS, browser_page, login  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


@pytest.mark.parametrize("width", [1440, 390])
def test_a_suggestion_is_chosen_with_the_keyboard(demo, live_server, browser_page, width):  # noqa: F811
    page, base = browser_page, live_server.url
    from django.contrib.auth import get_user_model

    page.set_viewport_size({"width": width, "height": 900})
    unit_user = get_user_model().objects.get(username="tianbao_qinghai")
    units = Membership.objects.filter(user=unit_user).values_list("unit_id", flat=True)
    source = (
        Project.objects.filter(year=2021, indicators__name="参保人员的满意度", unit_id__in=list(units))
        .distinct()
        .first()
    )
    draft = intake_services.rollover(intake_services.Actor(unit_user), [source.pk], 2022).created[0]
    intake_services.build_library()
    entry = LibraryIndicator.objects.get(region_id=source.region_id, name_key="参保人员满意度")
    assert entry.typical_target == "≥90%"
    # a curated entry keeps its text as an administrator wrote it; it is shown in the engine's notation
    LibraryIndicator.objects.create(
        region_id=source.region_id,
        name_key="参保人员满意度调查率",
        name="参保人员满意度调查率",
        level1="output",
        level2="quality",
        direction="ge",
        unit="%",
        typical_target="≧90%（%）",
        curated=True,
        usage_count=99,
    )
    count = Indicator.objects.filter(project=draft).count()

    login(page, base, "tianbao_qinghai")
    page.goto(f"{base}/projects/{draft.pk}/")
    name = page.locator("[data-testid=new-name]")
    name.scroll_into_view_if_needed()
    name.fill("参保人员满意")
    page.wait_for_selector("#suggestions li[data-name]")
    items = page.locator("#suggestions li[data-name]")
    assert items.count() == 2
    assert name.get_attribute("aria-expanded") == "true"
    text = page.inner_text("#suggestions")
    assert "≧" not in text and "（%）" not in text and "常见目标值 ≥90%" in text

    # ↓ ↓ ↑ : the first suggestion is active, announced through aria-activedescendant
    name.press("ArrowDown")
    name.press("ArrowDown")
    name.press("ArrowUp")
    first = items.nth(0)
    assert first.get_attribute("aria-selected") == "true"
    assert items.nth(1).get_attribute("aria-selected") == "false"
    assert name.get_attribute("aria-activedescendant") == first.get_attribute("id")
    page.screenshot(path=str(SCREENSHOTS / f"library-suggestions-{width}.png"))
    picked = first.get_attribute("data-name")

    # Enter picks it and does not submit the form
    name.press("Enter")
    assert page.locator("#suggestions li").count() == 0
    assert name.get_attribute("aria-expanded") == "false"
    assert page.input_value("[data-testid=new-name]") == picked
    assert page.input_value("#add-target-form [name=target_text]") == "≥90%"
    assert page.input_value("#add-target-form [name=level2]")
    page.wait_for_timeout(500)  # a submission (or a late suggestion) would have answered by now
    assert Indicator.objects.filter(project=draft).count() == count
    assert page.locator("#suggestions li").count() == 0
    focused = page.evaluate("document.activeElement.name")
    assert focused == "weight"

    # Esc closes the list; the text typed stays
    name.fill("参保人员满意度调")
    page.wait_for_selector("#suggestions li[data-name='参保人员满意度调查率']")
    name.press("Escape")
    assert page.locator("#suggestions li").count() == 0
    assert page.input_value("[data-testid=new-name]") == "参保人员满意度调"
    # Enter with nothing highlighted does not submit either
    name.fill("参保人员满意")
    page.wait_for_selector("#suggestions li[data-name]")
    name.press("Enter")
    page.wait_for_timeout(500)
    assert Indicator.objects.filter(project=draft).count() == count
