"""Who reads, answers and reviews 整改事项, built on ``projects.scoping``.

* read: whoever sees the project (its unit's users, its department's supervisors, its region's finance
  reviewers, administrators) — another unit's item is a 404;
* answer: the unit users of the responsible unit;
* open, confirm, return: the project's region's finance reviewers and its department's supervisors (the
  reviewing department). Administrators read only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from projects.choices import Role
from projects.models import Membership, Project
from projects.scoping import enterable_units, roles_of, visible_projects

from .models import RectifyItem


def visible_items(user) -> QuerySet[RectifyItem]:
    return RectifyItem.objects.filter(project__in=visible_projects(user).values("pk"))


def reviewer_projects(user) -> QuerySet[Project]:
    """Projects whose 整改 the user opens and confirms: their region's (finance) or department's
    (supervisor)."""
    roles = roles_of(user)
    if not ({Role.FINANCE, Role.SUPERVISOR} & roles):
        return Project.objects.none()
    own = Membership.objects.filter(user=user)
    condition = Q(region__in=own.filter(role=Role.FINANCE).values("region")) | Q(
        department__in=own.filter(role=Role.SUPERVISOR).values("department")
    )
    return visible_projects(user).filter(condition)


def may_review(user, project: Project) -> bool:
    return reviewer_projects(user).filter(pk=project.pk).exists()


def may_answer(user, item: RectifyItem) -> bool:
    return enterable_units(user).filter(pk=item.unit_id).exists()
