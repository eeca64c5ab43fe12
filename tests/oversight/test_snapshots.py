"""The overview's stored figures (oversight.snapshots): served while current, recomputed after any
change (a workflow save, a bulk rescoring), and for a large scope shown older while a task refreshes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.models import Evaluation
from perfgoals.oversight import snapshots, tasks
from perfgoals.rescore import rescore_projects
from projects.models import Project

pytestmark = pytest.mark.django_db
URL = reverse("oversight:overview")


def approved_2019():
    Evaluation.objects.filter(project__year=2019).update(status=Status.APPROVED)


def test_a_current_overview_is_served_from_the_cache_until_the_data_moves(
    demo, client_of, user_of, main_project, django_assert_max_num_queries
):
    approved_2019()
    client = client_of("supervisor_own")
    first = client.get(URL, {"year": 2019})
    assert first.context["figures"].by_status[Status.APPROVED] == 3
    with django_assert_max_num_queries(12):  # no figure recomputed: the session, scope and count only
        again = client.get(URL, {"year": 2019})
    assert again.context["snapshot"].fresh and again.context["figures"].by_status[Status.APPROVED] == 3
    # a workflow action saves the evaluation: the next page shows the change
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "更正实际值")
    after = client.get(URL, {"year": 2019}).context["figures"]
    assert after.by_status[Status.APPROVED] == 2 and after.by_status[Status.RETURNED] == 1


def test_a_bulk_rescoring_makes_the_stored_overviews_old(demo):
    before = snapshots.generation()
    rescore_projects(Project.objects.filter(year=2019).values_list("pk", flat=True), history=False)
    assert snapshots.generation() > before


def test_a_large_scope_shows_the_older_figures_while_a_task_refreshes_them(demo, client_of, monkeypatch):
    approved_2019()
    monkeypatch.setattr(snapshots, "LIVE_LIMIT", 0)  # every scope is "large"
    client = client_of("finance")
    # a worker that runs the refresh at once (as the in-process tasks of the embedded defaults do): the
    # page shows the figures it stored
    monkeypatch.setattr(tasks, "queue_refresh", lambda *args: tasks.refresh_overview(*args))
    page = client.get(URL, {"year": 2019})
    assert page.status_code == 200 and page.context["snapshot"].fresh
    # with a worker that has not run yet: the older figures, said to be older
    queued = []
    monkeypatch.setattr(tasks, "queue_refresh", lambda *args: queued.append(args))
    snapshots.bump()
    page = client.get(URL, {"year": 2019})
    assert queued and not page.context["snapshot"].fresh
    assert 'data-testid="stale-note"' in page.content.decode()
    assert page.context["figures"].projects == 3
    # nothing stored yet: the page says the figures are being computed and reloads itself
    scope = page.context["scope"]
    from django.core.cache import cache

    cache.delete(snapshots.key_of(scope.projects, scope.level))
    snapshots.release(scope.projects, scope.level)
    pending = client.get(URL, {"year": 2019})
    assert pending.status_code == 202 and 'data-testid="overview-pending"' in pending.content.decode()


def test_the_refresh_task_stores_what_the_page_shows(demo, user_of):
    approved_2019()
    user = user_of("finance")
    result = tasks.refresh_overview(user.pk, 2019)
    assert result == {"projects": 3}


def test_an_overview_stored_yesterday_is_not_current_today(demo, client_of, user_of, small_project):
    """A follow-up signal (an overdue 整改事项) depends on the date: yesterday's stored figures are
    recomputed; a change of a 整改事项 moves the generation too."""
    import datetime

    from django.core.cache import cache
    from django.utils import timezone

    from perfgoals.rectify import actions

    approved_2019()
    client = client_of("finance")
    client.get(URL, {"year": 2019})
    scope = client.get(URL, {"year": 2019}).context["scope"]
    key = snapshots.key_of(scope.projects, scope.level)
    started, computed_at, figures = cache.get(key)
    cache.set(key, (started, computed_at - datetime.timedelta(days=1), figures))
    again = client.get(URL, {"year": 2019})
    assert timezone.localdate(again.context["snapshot"].computed_at) == timezone.localdate()
    before = snapshots.generation()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    actions.open_item(user_of("finance"), small_project, "review", "问题", tomorrow)
    assert snapshots.generation() > before
