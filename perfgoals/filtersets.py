"""Filters of the project lists (django-filter). Every choice offered comes from the user's scope.

The lists open on the latest year the user has projects in ("当前年度"); 全部年度 shows every year.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from projects.filtersets import ALL_YEARS, DEPARTMENTS_FOR_ALL_UNITS, FastSelect, years_of
from projects.models import Department, Project, Unit

from .choices import Grade, Status

#: the largest primary key a database stores (a signed 64-bit integer): a larger number in the query
#: string is no row's id, and SQLite refuses to even compare it (OverflowError, an answer of 500)
_MAX_ID = 2**63 - 1


def _row_id(value) -> int | None:
    """A query-string value as a row id, or None when it cannot be one."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and int(text) <= _MAX_ID else None


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
        department = _row_id((data or {}).get("department"))
        unit = _row_id((data or {}).get("unit"))
        if department is not None:
            units = units.filter(department_id=department)
        elif len(self.departments) > DEPARTMENTS_FOR_ALL_UNITS:
            units = units.filter(pk=unit) if unit is not None else units.none()
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
