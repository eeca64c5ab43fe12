"""Background work of the overview: recomputing a large scope's figures (see ``snapshots``)."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from . import scope as scopes
from . import snapshots


@shared_task(name="oversight.refresh_overview")
def refresh_overview(user_id: int, year, department=None, unit=None) -> dict:
    """Recompute the overview a user's page asked for (same scope, same key); safe to run twice."""
    user = get_user_model().objects.get(pk=user_id)
    scope = scopes.for_user(user, year, department, unit)
    try:
        figures = snapshots.compute(scope.projects, scope.year, scope.level)
    finally:
        snapshots.release(scope.projects, scope.level)
    return {"projects": figures.projects}


def queue_refresh(user_id: int, year, department=None, unit=None) -> None:
    refresh_overview.delay(user_id, year, department, unit)
