"""The public pages and the department's 公开 page on a phone (390 px wide), in a real browser: no
sideways scrolling, an indicator a card of labelled values, the buttons on screen once scrolled to."""

from __future__ import annotations

import pytest

from perfgoals.publication import actions
from tests.web.test_browser import CHROMIUM, login
from tests.web.test_browser_phone import assert_fits_the_screen, assert_reachable, column_widths, shot

from .conftest import GOALS_YEAR, RESULTS_YEAR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_the_public_pages_on_a_phone_without_signing_in(department, user_of, live_server, phone_page):
    page, base = phone_page, live_server.url
    goals = actions.publish_goals(department, GOALS_YEAR, user_of("supervisor_own"))
    results = actions.publish_results(department, RESULTS_YEAR, user_of("supervisor_own"))

    page.goto(f"{base}/public/")
    assert page.url == f"{base}/public/"  # no sign-in asked
    assert_fits_the_screen(page)
    assert department.name in page.inner_text("main")

    page.goto(f"{base}/public/{goals.slug}/")
    assert_fits_the_screen(page)
    # each indicator a card: its name above the labelled values, not a column one character wide
    assert min(column_widths(page, ".public-project table.list-table tbody tr:first-child td")) > 300
    assert_reachable(page, f"a[href='/public/{goals.slug}/xlsx/']")
    shot(page, "public-goals-390.png")

    page.goto(f"{base}/public/{results.slug}/")
    assert_fits_the_screen(page)
    assert results.projects[0]["name"] in page.inner_text("main")
    shot(page, "public-results-390.png")


def test_the_publication_page_on_a_phone(department, live_server, phone_page):
    page, base = phone_page, live_server.url
    login(page, base, "shenhe_yantai")
    page.goto(f"{base}/publication/?department={department.pk}&year={GOALS_YEAR}")
    assert_fits_the_screen(page)
    assert_reachable(page, "#goals button[type=submit]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#goals button[type=submit]")
    page.wait_for_selector("#goals .withdraw-form")
    assert_fits_the_screen(page)
    assert_reachable(page, "#goals .withdraw-form button[type=submit]")
    shot(page, "publication-390.png")
