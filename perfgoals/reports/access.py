"""Who may read which department's and region's reports, built on projects.scoping.

Projects are always fetched through ``visible_projects(user)``. A department or region report also
needs the *whole* department (or region) to be in the user's scope, or it would print a partial
summary as if it were complete: so department reports belong to the department's supervisors, the
region's finance reviewers and administrators, and region packages to the region's finance
reviewers and administrators. A unit user reads the forms of the unit's own projects only.
Everything outside a user's scope is simply absent: views answer 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from projects.choices import Role
from projects.models import Department, Membership, Project, Region
from projects.scoping import roles_of, visible_projects, whole_departments, whole_regions

from .models import PackageScope, ReportPackage


def _memberships(user, role: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role=role)


def is_admin(user) -> bool:
    return Role.ADMIN in roles_of(user)


def report_departments(user) -> QuerySet[Department]:
    """Departments whose summary, report and packages the user may read (seen in full)."""
    return whole_departments(user)


def report_regions(user) -> QuerySet[Region]:
    """Regions whose whole-region package the user may build and read."""
    return whole_regions(user)


def can_edit_wording(user, department: Department) -> bool:
    """Supervisors of the department (and administrators) write the report; finance only reads."""
    return is_admin(user) or _memberships(user, Role.SUPERVISOR).filter(department=department).exists()


def report_projects(user, department: Department, year: int) -> QuerySet[Project]:
    """The department's projects of the year as the user sees them (the whole department for
    anyone who may read its report)."""
    return visible_projects(user).filter(department=department, year=year)


def visible_packages(user) -> QuerySet[ReportPackage]:
    """Packages whose scope lies inside the user's report scope (shared by all who may read it)."""
    if not getattr(user, "is_authenticated", False):
        return ReportPackage.objects.none()
    qs = ReportPackage.objects.select_related("department__region", "region", "created_by")
    if is_admin(user):
        return qs
    departments = report_departments(user)
    regions = report_regions(user)
    return qs.filter(scope=PackageScope.DEPARTMENT, department__in=departments) | qs.filter(
        scope=PackageScope.REGION, region__in=regions
    )
