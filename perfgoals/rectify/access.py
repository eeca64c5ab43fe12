"""Who reads, answers and reviews 整改事项, built on ``projects.scoping``.

* read: the project's own people (its unit's users, its department's supervisors, its region's finance
  reviewers, administrators) — another unit's item is a 404. A third-party reviewer (第三方评价机构)
  reads no 整改事项, not even of a project granted to it: it is engaged for the 复核 of the evaluations
  assigned to it, while 整改 is the follow-up between finance, the department and the unit, whose
  findings finance has already made its own (lifecycle.md §4: "finance, or a third party it engages,
  checks"; the following up is finance's). Its navigation has no 整改 either;
* answer: the unit users of the responsible unit;
* open, confirm, return: the project's region's finance reviewers and its department's supervisors (the
  reviewing department). Administrators read only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from projects.choices import Role
from projects.models import Membership, Project
from projects.scoping import enterable_units, member_projects, roles_of

from .models import RectifyItem


def visible_items(user) -> QuerySet[RectifyItem]:
    return RectifyItem.objects.filter(project__in=member_projects(user).values("pk"))


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
    return member_projects(user).filter(condition)


def may_review(user, project: Project) -> bool:
    return reviewer_projects(user).filter(pk=project.pk).exists()


def may_answer(user, item: RectifyItem) -> bool:
    return enterable_units(user).filter(pk=item.unit_id).exists()
