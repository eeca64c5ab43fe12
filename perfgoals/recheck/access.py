"""Who may read and who may carry out 复核, built on ``projects.scoping``.

A sample belongs to a region: the region's finance reviewers read and re-score it, administrators read
every region's samples. A third-party reviewer (第三方评价机构) engaged by the region reads and re-scores
only the items assigned to it (never the sample, its other items or their risk scores); finance alone
finishes an item. Units and supervisors never see a sample (nor finance's working notes in it): the
views answer 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from projects.choices import Role
from projects.models import Region
from projects.scoping import roles_of, third_party_regions, whole_regions

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
    """Every item of the samples the user sees in full, and the items assigned to a third-party
    reviewer in a region that engaged it."""
    assigned = Q(assignee_id=user.pk, sample__region__in=third_party_regions(user).values("pk"))
    return RecheckItem.objects.filter(Q(sample__in=visible_samples(user).values("pk")) | assigned)


def assigned_items(user) -> QuerySet[RecheckItem]:
    """The items assigned to a third-party reviewer (in regions that engaged it)."""
    return RecheckItem.objects.filter(
        assignee_id=user.pk, sample__region__in=third_party_regions(user).values("pk")
    )


def may_recheck(user, region: Region) -> bool:
    return finance_regions(user).filter(pk=region.pk).exists()


def may_score(user, item: RecheckItem) -> bool:
    """Finance of the item's region, or the third-party reviewer it is assigned to."""
    if may_recheck(user, item.sample.region):
        return True
    return item.assignee_id == user.pk and third_party_regions(user).filter(pk=item.sample.region_id).exists()


def third_party_reviewers(region: Region):
    """The users the region's finance bureau engaged as third-party reviewers."""
    return (
        get_user_model()
        .objects.filter(memberships__role=Role.THIRD_PARTY, memberships__region=region, is_active=True)
        .distinct()
        .order_by("username")
    )
