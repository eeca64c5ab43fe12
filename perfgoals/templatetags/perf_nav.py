"""Navigation helpers: which sections the signed-in user's roles open."""

from __future__ import annotations

from django import template

from projects.choices import Role
from projects.scoping import roles_of

register = template.Library()


@register.simple_tag(takes_context=True)
def user_roles(context) -> set[str]:
    """The roles of the request's user (the memberships are cached on the user for the request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return roles_of(user) if user is not None else set()


@register.filter
def can_review(roles) -> bool:
    return bool({Role.SUPERVISOR, Role.ADMIN} & set(roles or ()))


@register.filter
def role_label(roles) -> str:
    """The user's roles in Chinese, e.g. "审核人（主管部门）"."""
    labels = [label for value, label in Role.choices if value in (roles or ())]
    return "、".join(labels)


@register.filter
def can_import(roles) -> bool:
    """The import page (导入) is for unit users (填报人); others would only be told they may not."""
    return Role.UNIT_USER in set(roles or ())


@register.filter
def can_oversee(roles) -> bool:
    """The overview (总览) is for supervisors, finance reviewers and administrators."""
    return bool({Role.SUPERVISOR, Role.FINANCE, Role.ADMIN} & set(roles or ()))


@register.filter
def can_recheck(roles) -> bool:
    """抽查复核 is finance's work; administrators read it."""
    return bool({Role.FINANCE, Role.ADMIN} & set(roles or ()))


@register.filter
def is_third_party(roles) -> bool:
    """A third-party reviewer (第三方评价机构) works only on the 复核 assigned to it."""
    return Role.THIRD_PARTY in set(roles or ())


@register.filter
def only_third_party(roles) -> bool:
    """A third-party reviewer and nothing else: its navigation is its 复核 work and its projects."""
    return set(roles or ()) == {Role.THIRD_PARTY}
