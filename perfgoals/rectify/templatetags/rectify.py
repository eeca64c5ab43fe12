"""The open 整改事项 block of the unit's home page and of the project page: one query each, the user's
scope through ``access``; overdue items marked."""

from django import template

from projects.choices import Role
from projects.scoping import roles_of

from ..access import visible_items
from ..models import PENDING

register = template.Library()


@register.inclusion_tag("rectify/_open_items.html", takes_context=True)
def open_rectify_items(context, project=None):
    user = context["request"].user
    items = visible_items(user).filter(status__in=PENDING).select_related("project", "unit")
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
