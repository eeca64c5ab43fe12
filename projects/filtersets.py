"""Filter machinery of the project lists (django-filter) that knows nothing of evaluations: the years
of a scope read by a loose index scan, and a select rendered in one pass.

The lists' filtersets are in `perfgoals.filtersets`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

#: the year filter's value for every year (全部年度)
ALL_YEARS = "all"
#: more departments than this in scope (a province: hundreds, with thousands of units) and the unit
#: filter offers the units of the chosen department only: a select of 4,000 options is slow to render
#: and useless to read
DEPARTMENTS_FOR_ALL_UNITS = 20


def years_of(queryset) -> list[int]:
    """The distinct years of a project queryset, latest first, in one query that costs a few index
    probes a year whatever the number of projects (a loose index scan).

    ``SELECT DISTINCT year`` reads every project of the scope (100,000 for a province). Here a
    recursive query asks for the greatest year, then the greatest year below it, and so on; each step
    is one probe of an index led by the scope's column and the year ((region, year), (department,
    year), (unit, year, …), or (year) for everything). The scope's condition is the queryset's own
    SQL, compiled by Django, so the scoping module stays the one place deciding what is visible.
    """
    try:
        sql, params = queryset.order_by().values("year").query.sql_with_params()
    except EmptyResultSet:  # an empty scope (qs.none(), or Q(pk__in=[]))
        return []
    # SQLite and PostgreSQL flatten the derived table, so MAX(year) becomes an index probe on both
    query = (
        f"WITH RECURSIVE years (year) AS ("
        f" SELECT (SELECT MAX(s.year) FROM ({sql}) s)"
        f" UNION ALL"
        f" SELECT (SELECT MAX(s.year) FROM ({sql}) s WHERE s.year < years.year) FROM years"
        f" WHERE years.year IS NOT NULL"
        f") SELECT year FROM years WHERE year IS NOT NULL"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(query, [*params, *params])
        return [row[0] for row in cursor.fetchall()]


class FastSelect(forms.Select):
    """A select rendered in Python in one pass.

    Django renders every option through a template; a province's 400 departments cost ~100 ms a page
    that way and ~2 ms this way. The HTML is the same (no option groups are used here).
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(key), " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)
