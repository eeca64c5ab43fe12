"""The 变更记录 of a new project-year (#16): what the system computed when the project was created (an
empty 自评's grade 差, a score of 0) is not a change anyone made — no "（空）→ 差"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from perfgoals.intake import services as intake_services
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_a_rolled_over_projects_history_does_not_log_a_computed_grade(demo, user_of, client_of):
    unit_user = user_of("unit_own")
    source = Project.objects.get(year=2019, name="困难群众医疗救助")
    draft = intake_services.rollover(intake_services.Actor(unit_user), [source.pk], 2020).created[0]
    response = client_of("unit_own").get(reverse("perfgoals:project", args=[draft.pk]))
    changes = [change for entry in response.context["history"] for change in entry.changes]
    assert not [c for c in changes if c[1] == "（空）" and c[2] in ("差", "0.00", "否")], changes
    evaluation = [e for e in response.context["history"] if e.subject == "自评（新增）"]
    assert [change[0] for entry in evaluation for change in entry.changes] == ["状态"]
    assert '（空）</span> → <span class="new">差' not in response.content.decode()


def test_the_history_is_paged_newest_first_and_collapsible(main_project, client_of):
    from perfgoals.models import Indicator
    from perfgoals.pages.history import HISTORY_PAGE

    indicator = Indicator.objects.filter(project=main_project).order_by("order").first()
    for i in range(HISTORY_PAGE + 5):
        indicator.deviation_note = f"说明 {i}"
        indicator.save()
    client = client_of("unit_own")
    url = reverse("perfgoals:project", args=[main_project.pk])
    first = client.get(url)
    assert first.context["history_page"] == 1 and first.context["history_pages"] >= 2
    assert len(first.context["history"]) == HISTORY_PAGE
    html = first.content.decode()
    assert '<details class="history-box" open>' in html and 'data-testid="history-pager"' in html
    assert "?history_page=2#history" in html
    newest = first.context["history"][0].changes
    assert (f"说明 {HISTORY_PAGE + 3}", f"说明 {HISTORY_PAGE + 4}") in [(old, new) for _, old, new in newest]
    last = client.get(url, {"history_page": first.context["history_pages"]})
    shown = {e.when for e in first.context["history"]}
    assert last.context["history"] and not shown & {e.when for e in last.context["history"]}
    assert client.get(url, {"history_page": "abc"}).context["history_page"] == 1
    assert client.get(url, {"history_page": "999"}).context["history_page"] == first.context["history_pages"]
