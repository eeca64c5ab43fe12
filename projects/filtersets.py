"""Filters of the project lists (django-filter). Every choice offered comes from the user's scope.

The lists open on the latest year the user has projects in ("当前年度"); 全部年度 shows every year.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from perfgoals.choices import Grade, Status

from .models import Department, Project, Unit

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


class ProjectFilterSet(django_filters.FilterSet):
    """Year, department, unit, status, grade and a name search over an already scoped queryset."""

    #: open on the latest year of the queryset when the request names none
    default_latest_year = True

    q = django_filters.CharFilter(
        label="项目名称",
        method="filter_name",
        widget=forms.TextInput(attrs={"placeholder": "输入名称关键字"}),
    )
    year = django_filters.ChoiceFilter(label="年度", method="filter_year", empty_label=None)
    department = django_filters.ModelChoiceFilter(
        label="主管部门",
        field_name="department",
        queryset=Department.objects.none(),
        empty_label="全部",
        widget=FastSelect,
    )
    unit = django_filters.ModelChoiceFilter(
        label="实施单位",
        field_name="unit",
        queryset=Unit.objects.none(),
        empty_label="全部",
        widget=FastSelect,
    )
    status = django_filters.ChoiceFilter(
        label="状态", field_name="evaluation__status", choices=Status.choices, empty_label="全部"
    )
    grade = django_filters.ChoiceFilter(
        label="自评等级", method="filter_grade", choices=Grade.choices, empty_label="全部"
    )

    class Meta:
        model = Project
        fields = ["q", "year", "department", "unit", "status", "grade"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        scoped = queryset if queryset is not None else Project.objects.none()
        years = years_of(scoped)
        self.latest_year = years[0] if years else None
        data = data.copy() if data is not None else None
        if self.default_latest_year and self.latest_year is not None and not (data or {}).get("year"):
            data = data if data is not None else {}
            data["year"] = str(self.latest_year)
        super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)
        year_field = self.filters["year"]
        year_field.extra["choices"] = [(ALL_YEARS, "全部年度")] + [(str(y), f"{y} 年") for y in years]
        if not self.default_latest_year:
            year_field.extra["empty_label"] = None
            year_field.extra["choices"] = [("", "全部年度")] + [(str(y), f"{y} 年") for y in years]
        # organisations with at least one project in scope: one index probe per organisation (EXISTS),
        # not a join over every project in scope
        in_scope = scoped.order_by()
        self.filters["department"].queryset = Department.objects.filter(
            Exists(in_scope.filter(department=OuterRef("pk")))
        )
        units = Unit.objects.filter(Exists(in_scope.filter(unit=OuterRef("pk")))).select_related("department")
        # read once, here: the select offers them (see `form`) and their number decides the units
        self.departments = list(self.filters["department"].queryset)
        department, unit = (data or {}).get("department"), (data or {}).get("unit")
        if department and str(department).isdigit():
            units = units.filter(department_id=int(department))
        elif len(self.departments) > DEPARTMENTS_FOR_ALL_UNITS:
            units = units.filter(pk=int(unit)) if unit and str(unit).isdigit() else units.none()
            self.filters["unit"].extra["empty_label"] = "全部（先选主管部门）"
        self.filters["unit"].queryset = units

    @property
    def form(self):
        form = super().form
        field = form.fields.get("department")
        if field is not None and not getattr(field, "_choices_from_filterset", False):
            # the select shows the departments read in __init__: the field would query them again to
            # render (a chosen value is still checked against the field's queryset)
            field.widget.choices = [
                ("", field.empty_label),
                *((d.pk, field.label_from_instance(d)) for d in self.departments),
            ]
            field._choices_from_filterset = True
        return form

    def filter_name(self, queryset, name, value):
        words = value.split()
        condition = Q()
        for word in words:
            condition &= Q(name__icontains=word)
        return queryset.filter(condition)

    def filter_year(self, queryset, name, value):
        if not value or value == ALL_YEARS:
            return queryset
        return queryset.filter(year=int(value))

    def filter_grade(self, queryset, name, value):
        # a grade means something only once every indicator has a score
        return queryset.filter(evaluation__grade=value, evaluation__complete=True)


class ReviewQueueFilterSet(ProjectFilterSet):
    """The review queue: every year by default, and no status filter (the queue is the submitted ones)."""

    default_latest_year = False

    class Meta(ProjectFilterSet.Meta):
        fields = ["q", "year", "department", "unit", "grade"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("status", None)
