"""The overview's figures kept in the cache, so that a province is read in milliseconds, not seconds.

A computed overview (``figures.overview(...).freeze()``) is stored under a key made of the scope's own
query (the SQL of the scoped projects: two users with the same scope share it) and the level. With it is
stored the *generation* of the data it was computed from: a counter that every change of scores,
statuses or values moves (``bump``: on each save of an evaluation — every action rescores and saves
it — and after a bulk rescoring, see ``perfgoals.signals.evaluations_changed``).

* a stored overview of the current generation, computed today, is served as it is (a follow-up signal
  such as an overdue 整改事项 depends on the date too);
* a small scope (at most ``LIVE_LIMIT`` projects: a department, a unit) is recomputed at once when the
  stored one is older or missing (a few hundred milliseconds);
* a large scope (a province) gets the older overview at once, with the time it was computed, while a
  Celery task recomputes it (``tasks.refresh_overview``); the very first time, the page says it is being
  computed and reloads itself.

With REDIS_URL set the cache is Redis (``CACHES`` in settings), shared by every web host and worker.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from ..signals import bump, generation  # noqa: F401  (bump: re-exported for the tests and apps)
from .figures import Overview, overview

#: the largest scope computed while the user waits
LIVE_LIMIT = 5000
#: how long a stored overview is kept at most (a day), and how long a refresh holds its lock
TIMEOUT = 24 * 60 * 60
LOCK_SECONDS = 10 * 60


@dataclass
class Snapshot:
    figures: Overview | None
    computed_at: datetime | None
    fresh: bool

    @property
    def pending(self) -> bool:
        return self.figures is None


def key_of(projects, level: str) -> str:
    digest = hashlib.sha256(f"{level}|{projects.order_by('pk').query}".encode()).hexdigest()[:32]
    return f"oversight:overview:{digest}"


def compute(projects, year: int | None, level: str) -> Overview:
    """Compute and store the overview of the scope, stamped with the generation it started from."""
    started = generation()
    figures = overview(projects, year, level).freeze()
    cache.set(key_of(projects, level), (started, timezone.now(), figures), timeout=TIMEOUT)
    return figures


def read(projects, year: int | None, level: str, size: int, refresh) -> Snapshot:
    """The scope's overview: stored and current, recomputed now (small scopes), or the stored one while
    ``refresh()`` queues its recomputation (large scopes). ``size``: the number of projects in scope."""
    stored = cache.get(key_of(projects, level))
    current = generation()
    if stored is not None and stored[0] == current and _today(stored[1]):
        return Snapshot(stored[2], stored[1], True)
    if size <= LIVE_LIMIT:
        return Snapshot(compute(projects, year, level), timezone.now(), True)
    if cache.add(f"{key_of(projects, level)}:lock", 1, timeout=LOCK_SECONDS):
        refresh()
        stored = cache.get(key_of(projects, level)) or stored  # an in-process task has finished already
        if stored is not None and stored[0] == generation() and _today(stored[1]):
            return Snapshot(stored[2], stored[1], True)
    if stored is None:
        return Snapshot(None, None, False)
    return Snapshot(stored[2], stored[1], False)


def _today(computed_at: datetime) -> bool:
    return timezone.localdate(computed_at) == timezone.localdate()


def release(projects, level: str) -> None:
    cache.delete(f"{key_of(projects, level)}:lock")
