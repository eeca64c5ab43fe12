"""The 变更记录 after a bulk rescoring (#18), in chromium at 1440 and 390 px: the run's score change is
shown once, by （系统） with the run's reason, from the compact `ScoreChange` rows; a person's edit after
the run shows only what the person changed."""

from __future__ import annotations

import pytest

from perfgoals import rescore
from perfgoals.models import Indicator
from perfgoals.workflow.versions import acting_as
from projects.models import Project

from .test_browser import CHROMIUM, PROJECT, SCREENSHOTS, chromium_page, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium），本机未安装"
    ),
]


def test_a_bulk_rescoring_reads_in_the_history_at_1440_and_390(demo, live_server, monkeypatch, user_of):
    project = Project.objects.get(year=PROJECT[0], name=PROJECT[1])
    indicator = project.indicators.order_by("order").first()
    computed = indicator.score
    Indicator.objects.filter(pk=indicator.pk).update(score=0)  # as a scheme change would leave it
    rescore.rescore_projects([project.pk], label="#42")  # 0 → the computed score, a compact row
    indicator.refresh_from_db()
    assert indicator.score == computed
    with acting_as(user_of("unit_own")):
        indicator.deviation_note = "复核后补充的说明"
        indicator.save()  # a person's edit after the run (a full history row)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        with chromium_page(monkeypatch, viewport={"width": width, "height": height}) as page:
            login(page, live_server.url, "shenhe_yantai")
            page.goto(f"{live_server.url}/projects/{project.pk}/#history")
            history = page.locator("#history")
            history.scroll_into_view_if_needed()
            rows = [text for text in history.locator("tr").all_inner_texts() if "批量重算 #42" in text]
            assert len(rows) == 1, rows
            assert "（系统）" in rows[0] and f"指标“{indicator.name}”" in rows[0]
            assert f"0.00 → {computed:.2f}" in rows[0].replace("\n", " ").replace("\t", " ")
            edits = [text for text in history.locator("tr").all_inner_texts() if "复核后补充的说明" in text]
            assert len(edits) == 1 and "得分" not in edits[0] and "（系统）" not in edits[0]
            # no sideways scrolling on a phone
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            page.screenshot(path=str(SCREENSHOTS / f"history-rescore-{width}.png"))
