"""The open 整改事项 blocks, loaded by the templates so that no lower room imports this one:

* ``open_rectify_items`` — the unit's home page and the project page: one query, the user's scope
  through ``access``; overdue items marked;
* ``carried_rectify_items`` — the goal-setting page of a rolled-over project-year: last year's items of
  the same project still open, carried into the new year's target setting. Last year's project is found
  as the workflow's ``last_year`` finds last year's values: through the rollover's link
  (``Indicator.carried_from``: an indicator of this project carried from one of last year's), else the
  same unit and name a year earlier; one query.
"""

from django import template

from projects.choices import Role
from projects.scoping import roles_of

from ...continuation import previous_project_years
from ..access import visible_items
from ..models import PENDING

register = template.Library()


@register.inclusion_tag("rectify/_open_items.html", takes_context=True)
def open_rectify_items(context, project=None):
    user = context["request"].user
    items = visible_items(user).filter(status__in=PENDING).select_related("project", "unit").with_file_count()
    if project is not None:
        items = items.filter(project=project)
    items = list(items.order_by("deadline", "pk")[:50])
    # the link to open an item: finance and supervisors (the form checks the project's scope); the roles
    # are cached on the user for the request, so this costs no query
    may_open = project is not None and bool({Role.FINANCE, Role.SUPERVISOR} & roles_of(user))
    return {
        "items": items,
        "project": project,
        "overdue": sum(1 for i in items if i.overdue),
        "may_open": may_open,
    }


@register.inclusion_tag("rectify/_carried_items.html", takes_context=True)
def carried_rectify_items(context, project):
    """Last year's open 整改事项 of ``project`` (in the user's scope), for its goal-setting page."""
    user = context["request"].user
    items = list(
        visible_items(user)
        .filter(status__in=PENDING, project__in=previous_project_years(project))
        .select_related("project")
        .order_by("deadline", "pk")[:50]
    )
    return {"items": items, "project": project, "overdue": sum(1 for i in items if i.overdue)}
