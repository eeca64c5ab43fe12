"""The one place that decides which projects a user may see and change.

Every view, export and task that reads projects for a user goes through `visible_projects` or
`editable_projects`; anything outside the user's scope is simply not in the queryset, so views
answer 404 for another unit's project without saying it exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .choices import Role
from .models import Department, Membership, Project, ProjectGrant, Region, Unit


def _memberships(user) -> list[Membership]:
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user))
        user._membership_cache = cached
    return cached


def roles_of(user) -> set[str]:
    """The roles a user holds (superusers count as admins)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = {m.role for m in _memberships(user)}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


def _scope_filter(user, roles: set[str]) -> Q | None:
    """Q selecting the projects the given roles of this user reach; None means all projects."""
    if Role.ADMIN in roles_of(user) and Role.ADMIN in roles:
        return None
    condition = Q(pk__in=[])
    for m in _memberships(user):
        if m.role not in roles:
            continue
        if m.role == Role.UNIT_USER:
            condition |= Q(unit_id=m.unit_id)
        elif m.role == Role.SUPERVISOR:
            # the project's own copy of its unit's department and region: one indexed column, no join
            condition |= Q(department_id=m.department_id)
        elif m.role == Role.FINANCE:
            condition |= Q(region_id=m.region_id)
        elif m.role == Role.THIRD_PARTY:
            # only what the region's finance assigned to this user (a grant), in that region
            granted = ProjectGrant.objects.filter(user_id=user.pk, project__region_id=m.region_id)
            condition |= Q(pk__in=granted.values("project_id"))
    return condition


def visible_projects(user, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects the user may read: own unit, department's units, region, the projects assigned to a
    third-party reviewer, or all for admins."""
    qs = Project.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = _scope_filter(
        user, {Role.UNIT_USER, Role.SUPERVISOR, Role.FINANCE, Role.THIRD_PARTY, Role.ADMIN}
    )
    return qs if condition is None else qs.filter(condition)


def member_projects(user, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects the user reads as a member of their own organisation (unit, department, region) or as
    an administrator — not through a third-party reviewer's grant. For what is the organisation's and
    finance's own business rather than the 复核 the reviewer was engaged for (整改)."""
    qs = Project.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = _scope_filter(user, {Role.UNIT_USER, Role.SUPERVISOR, Role.FINANCE, Role.ADMIN})
    return qs if condition is None else qs.filter(condition)


def enterable_projects(user, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects whose targets and actuals the user may enter: unit users of the project's unit."""
    qs = Project.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(_scope_filter(user, {Role.UNIT_USER}))


def reviewable_projects(user, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects whose self-evaluation the user may approve, return or reopen: supervisors of the
    department (and admins)."""
    qs = Project.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = _scope_filter(user, {Role.SUPERVISOR, Role.ADMIN})
    return qs if condition is None else qs.filter(condition)


def finance_reviewable_projects(user, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects whose targets and self-evaluation the user reviews as the last level, where the region
    has one (the finance bureau): finance reviewers of the project's region (and admins)."""
    qs = Project.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    condition = _scope_filter(user, {Role.FINANCE, Role.ADMIN})
    return qs if condition is None else qs.filter(condition)


def whole_departments(user) -> QuerySet[Department]:
    """Departments the user sees in full (every unit's projects): for department-wide summaries.

    Supervisors their department, finance reviewers every department of their region, admins all.
    A unit user sees part of a department only, so none.
    """
    if not getattr(user, "is_authenticated", False):
        return Department.objects.none()
    if Role.ADMIN in roles_of(user):
        return Department.objects.select_related("region")
    condition = Q(pk__in=[])
    for m in _memberships(user):
        if m.role == Role.SUPERVISOR:
            condition |= Q(pk=m.department_id)
        elif m.role == Role.FINANCE:
            condition |= Q(region_id=m.region_id)
    return Department.objects.filter(condition).select_related("region")


def whole_regions(user) -> QuerySet[Region]:
    """Regions the user sees in full: finance reviewers their region, admins all."""
    if not getattr(user, "is_authenticated", False):
        return Region.objects.none()
    if Role.ADMIN in roles_of(user):
        return Region.objects.all()
    ids = [m.region_id for m in _memberships(user) if m.role == Role.FINANCE]
    return Region.objects.filter(pk__in=ids)


def enterable_units(user) -> QuerySet[Unit]:
    """Units whose projects the user may create and fill in: a unit user's own units."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    ids = [m.unit_id for m in _memberships(user) if m.role == Role.UNIT_USER]
    return Unit.objects.filter(pk__in=ids)


def third_party_regions(user) -> QuerySet[Region]:
    """The regions whose finance bureau engaged this user as a third-party reviewer."""
    if not getattr(user, "is_authenticated", False):
        return Region.objects.none()
    ids = [m.region_id for m in _memberships(user) if m.role == Role.THIRD_PARTY]
    return Region.objects.filter(pk__in=ids)


def regions_of(user) -> set[int] | None:
    """The ids of the regions a user belongs to (through a unit, a department or a region); None for
    administrators (every region)."""
    if Role.ADMIN in roles_of(user):
        return None
    regions: set[int] = set()
    units = [m.unit_id for m in _memberships(user) if m.unit_id]
    departments = [m.department_id for m in _memberships(user) if m.department_id]
    regions |= {m.region_id for m in _memberships(user) if m.region_id}
    if units:
        regions |= set(Unit.objects.filter(pk__in=units).values_list("department__region_id", flat=True))
    if departments:
        regions |= set(Department.objects.filter(pk__in=departments).values_list("region_id", flat=True))
    regions.discard(None)
    return regions
