"""Who reads and who decides 结果应用, built on ``projects.scoping``.

A region's finance reviewers read its summary and decide its project-years; administrators read every
region's. Units and supervisors never see it (the views answer 404, as if it did not exist): the
decisions are finance's budget work.
"""

from __future__ import annotations

from django.db.models import QuerySet

from projects.choices import Role
from projects.models import Project, Region
from projects.scoping import roles_of, visible_projects, whole_regions


def readable_regions(user) -> QuerySet[Region]:
    return whole_regions(user)


def deciding_regions(user) -> QuerySet[Region]:
    """The regions whose decisions the user takes: a finance reviewer's own region(s)."""
    if Role.FINANCE not in roles_of(user):
        return Region.objects.none()
    return whole_regions(user).filter(membership__user=user, membership__role=Role.FINANCE).distinct()


def readable_projects(user) -> QuerySet[Project]:
    """Project-years whose 结果应用 the user reads: the user's scope, in the regions seen in full."""
    return visible_projects(user).filter(region__in=readable_regions(user).values("pk"))


def may_decide(user, project: Project) -> bool:
    return deciding_regions(user).filter(pk=project.region_id).exists()
