"""Signals the lower rooms send for the upper ones (which connect to them in ``apps.ready``), and the
*data generation*: a counter in the cache that every change of scores, statuses or values moves
(``bump``, connected in ``apps.ready`` to each save of an evaluation or project and to
``evaluations_rescored``). Figures kept in the cache (the overview, the lists' 合计) are stored with the
generation they were computed from and are current while it has not moved."""

from django.core.cache import cache
from django.dispatch import Signal

#: sent after a bulk rescoring stored its chunk (``project_ids``): rows changed without ``save()``
evaluations_rescored = Signal()

GENERATION_KEY = "perfgoals:data-generation"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def bump(**_kwargs) -> None:
    """Every figure stored before now is older than the data."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 2, timeout=None)
