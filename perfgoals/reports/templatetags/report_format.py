"""Template filters that print figures the way the forms do (see reports.formatting)."""

from django import template

from .. import formatting
from ..style import SCORES_AS_PRINTED

register = template.Library()


@register.filter
def wan(value) -> str:
    """万元: 5515, 1807.5."""
    return formatting.money(value)


@register.filter
def score(value) -> str:
    """A score in a table: always two places (100.00, 4.50), the column alike."""
    return formatting.score_cell(value)


@register.filter
def weight(value) -> str:
    """A weight (分值) or a threshold: 10, 2.50."""
    return formatting.score(value)


@register.filter
def percent(value) -> str:
    """A ratio as a percentage: 100%, 99.57%."""
    return formatting.percent(value)


@register.filter
def score_as(value, style) -> str:
    """A score as the region prints it (``style.scores``): 100.00, or as printed (100, 9.5)."""
    if getattr(style, "scores", None) == SCORES_AS_PRINTED:
        return formatting.score(value)
    return formatting.score_cell(value)


@register.filter
def reported_mark(form, row) -> int | None:
    """The 核对 mark of an indicator row (``None``: of the total row) of a form, None without one."""
    return form.reported_above_mark(row)
