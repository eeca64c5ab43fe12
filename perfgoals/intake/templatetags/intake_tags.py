"""Template tags of the intake app."""

from django import template

from projects.choices import Role
from projects.scoping import roles_of

register = template.Library()


@register.simple_tag(takes_context=True)
def intake_access(context) -> dict:
    """What the intake pages offer the current user: {"can_import": …, "is_admin": …}."""
    from ..services import can_import

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_import": False, "is_admin": False}
    return {"can_import": can_import(user), "is_admin": Role.ADMIN in roles_of(user)}
