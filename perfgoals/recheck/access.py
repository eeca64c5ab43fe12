"""Who may read and who may carry out 复核, built on ``projects.scoping``.

A sample belongs to a region: the region's finance reviewers read and re-score it, administrators read
every region's samples. Units and supervisors never see a sample (nor finance's working notes in it):
the views answer 404, as if it did not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet

from projects.choices import Role
from projects.models import Region
from projects.scoping import roles_of, whole_regions

from .models import RecheckItem, RecheckSample


def finance_regions(user) -> QuerySet[Region]:
    """The regions whose 复核 the user carries out: a finance reviewer's region(s)."""
    if Role.FINANCE not in roles_of(user):
        return Region.objects.none()
    return whole_regions(user).filter(membership__user=user, membership__role=Role.FINANCE).distinct()


def visible_samples(user) -> QuerySet[RecheckSample]:
    """Samples of the regions the user sees in full: finance reviewers their region, admins all."""
    return RecheckSample.objects.filter(region__in=whole_regions(user)).select_related("region", "created_by")


def visible_items(user) -> QuerySet[RecheckItem]:
    return RecheckItem.objects.filter(sample__in=visible_samples(user).values("pk"))


def may_recheck(user, region: Region) -> bool:
    return finance_regions(user).filter(pk=region.pk).exists()
