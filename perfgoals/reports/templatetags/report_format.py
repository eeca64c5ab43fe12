"""Template filters that print figures the way the forms do (see reports.formatting)."""

from django import template

from .. import formatting

register = template.Library()


@register.filter
def wan(value) -> str:
    """万元: 5515, 1807.5."""
    return formatting.money(value)


@register.filter
def score(value) -> str:
    """A score: 100, 4.50."""
    return formatting.score(value)


@register.filter
def percent(value) -> str:
    """A ratio as a percentage: 100%, 99.57%."""
    return formatting.percent(value)
