"""A project-year's place in the years: last year's project-year and next year's, found the same way
everywhere — the rollover's link first (an indicator of one carried from an indicator of the other,
``intake.CarriedIndicator`` read through its reverse relations, so nothing here imports the intake),
else the same unit's project of the same name a year apart.

Used by 整改 (last year's open items on the goal-setting page) and by 结果应用 (next year's proposal as
the base of a reduction). Queries only: nothing is run here.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from projects.models import Project


def previous_project_years(project: Project) -> QuerySet:
    """The pks of ``project``'s project-year(s) of the years before: those its indicators were carried
    from by the rollover, or the same unit's of the same name a year earlier."""
    if project.year is None:
        return Project.objects.none().values("pk")
    return Project.objects.filter(
        Q(indicators__carried_to__indicator__project_id=project.pk)
        | Q(unit_id=project.unit_id, year=project.year - 1, name=project.name),
        year__lt=project.year,
    ).values("pk")


def next_project_expression() -> Subquery:
    """For a query over projects: the id of the project-year that continues each one next year — the
    rollover's (one of its indicators carried from one of this one's), else the same unit's of the same
    name a year later."""
    following = Project.objects.filter(year=OuterRef("year") + 1).filter(
        Q(indicators__carried_from__previous__project_id=OuterRef("pk"))
        | Q(unit_id=OuterRef("unit_id"), name=OuterRef("name"))
    )
    return Subquery(following.order_by("pk").values("pk")[:1])
