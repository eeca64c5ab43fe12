"""What the pages show of the evidence: the files of a project-year (for the entry, review and 复核
pages' lists), the count per indicator (for the review's "文字实际值" flag), and the user's rights.
Every query of a project goes through ``projects.scoping``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from projects.models import Project
from projects.scoping import visible_projects

from ..choices import EDITABLE_STATUSES
from ..models import Indicator
from ..workflow.access import may_enter
from .actions import max_bytes, max_per_project, may_restore
from .content import ALLOWED_TEXT
from .models import Evidence


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence of the projects the user may see, not removed (another unit's: not there, a 404). A file
    of a 整改事项 is not here: the 整改 pages list and serve it, under their own access rule."""
    projects = visible_projects(user).values("pk")
    return Evidence.objects.active().of_results().filter(project__in=projects)


def removed_evidence(user) -> QuerySet[Evidence]:
    """Removed files of the self-evaluation of the projects the user may see (to restore them)."""
    projects = visible_projects(user).values("pk")
    return Evidence.objects.filter(removed_at__isnull=False).of_results().filter(project__in=projects)


def removed_items(user, project: Project) -> list[Evidence]:
    """The removed files of ``project`` when the user may restore them, else none (one query at most)."""
    if not may_restore(user, project):
        return []
    return list(
        removed_evidence(user)
        .filter(project_id=project.pk)
        .select_related("removed_by", "indicator")
        .order_by("-removed_at", "pk")
    )


def active_count():
    """An annotation of an Indicator queryset: its evidence files not removed."""
    return Count("evidence", filter=Q(evidence__removed_at__isnull=True))


def with_evidence_count(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Indicators with ``evidence_count`` (read by ``workflow.flags`` for a text actual)."""
    return indicators.annotate(evidence_count=active_count())


@dataclass
class Panel:
    """The evidence block of a project page: the files, and the upload form when the user may add."""

    project: Project
    items: list[Evidence]
    can_attach: bool
    indicators: list[Indicator] = field(default_factory=list)
    max_mb: int = 0
    max_count: int = 0
    allowed: str = ALLOWED_TEXT

    @property
    def project_items(self) -> list[Evidence]:
        return [e for e in self.items if e.indicator_id is None]

    @property
    def by_indicator(self) -> dict[int, list[Evidence]]:
        out: dict[int, list[Evidence]] = {}
        for item in self.items:
            if item.indicator_id is not None:
                out.setdefault(item.indicator_id, []).append(item)
        return out


def project_items(project: Project) -> list[Evidence]:
    return list(
        Evidence.objects.active()
        .of_results()
        .filter(project_id=project.pk)
        .select_related("uploaded_by", "indicator")
        .order_by("indicator__order", "uploaded_at", "pk")
    )


def panel(
    user, project: Project, *, can_enter: bool | None = None, indicators: list[Indicator] | None = None
) -> Panel:
    """The evidence block of ``project`` (already loaded through the scoping) for ``user``: one query
    for the files. ``can_enter``: the page's own answer to "may the unit change results now", and
    ``indicators``: the page's own rows (in order), each to spare a query."""
    if can_enter is None:
        can_enter = may_enter(user, project) and project.evaluation.status in EDITABLE_STATUSES
    if not can_enter:
        indicators = []
    elif indicators is None:
        indicators = list(project.indicators.order_by("order").only("pk", "name", "order"))
    return Panel(
        project=project,
        items=project_items(project),
        can_attach=can_enter,
        indicators=indicators,
        max_mb=max_bytes() // (1024 * 1024),
        max_count=max_per_project(),
    )
