"""Who an import or a rollover acts for, and who may import at all.

Every project an intake workflow reads or writes is reached through the actor: a user through the
scoping functions of ``projects.scoping``, or the system (the command line without --user).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from simple_history.models import HistoricalRecords

from projects.models import Project, Unit
from projects.scoping import enterable_projects, enterable_units


@dataclass
class Actor:
    """Who an import or rollover acts for: a user (through the scoping function), or the system
    (``user`` None: the command line without --user, every unit)."""

    user: Any = None

    @property
    def is_system(self) -> bool:
        return self.user is None

    def projects(self) -> QuerySet[Project]:
        if self.user is None:
            return Project.objects.all()
        return enterable_projects(self.user)

    def units(self) -> list[Unit]:
        """Units whose projects this actor may create and fill in."""
        if not hasattr(self, "_units"):
            if self.user is None:
                units = Unit.objects.select_related("department")
            else:
                units = enterable_units(self.user).select_related("department")
            self._units = list(units.order_by("pk"))
        return self._units


def can_import(user) -> bool:
    """Unit users (填报人) import and roll over; supervisors, finance and admins only read."""
    return bool(getattr(user, "is_authenticated", False)) and bool(Actor(user).units())


@contextmanager
def history_user(user):
    """Make simple_history record ``user`` for the changes made inside (a task has no request)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    if user is not None and previous is None:
        context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if user is not None and previous is None:
            del context.request
