"""Filters of the 结果应用 table (django-filter): department, final grade, applied action, decided."""

from __future__ import annotations

import django_filters
from django import forms

from projects.filtersets import FastSelect
from projects.models import Department, Project

from ..choices import Grade
from .models import BudgetAction
from .rows import applied_action_q

DECIDED_CHOICES = [("yes", "已调整"), ("no", "按建议")]


class ApplicationFilterSet(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(
        label="主管部门", queryset=Department.objects.none(), empty_label="全部主管部门", widget=FastSelect
    )
    grade = django_filters.ChoiceFilter(
        label="等级", field_name="final_grade", choices=Grade.choices, empty_label="全部等级"
    )
    action = django_filters.ChoiceFilter(
        label="措施", choices=BudgetAction.choices, empty_label="全部措施", method="filter_action"
    )
    decided = django_filters.ChoiceFilter(
        label="财政调整", choices=DECIDED_CHOICES, empty_label="全部", method="filter_decided"
    )
    name = django_filters.CharFilter(
        label="项目名称",
        field_name="name",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"size": 12}),
    )

    class Meta:
        model = Project
        fields = ["department", "grade", "action", "decided", "name"]

    def __init__(self, *args, region=None, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule or {}
        self.filters["department"].queryset = Department.objects.filter(region=region).order_by("name")

    def filter_decided(self, queryset, name, value):
        return queryset.filter(budget_decision__isnull=(value == "no"))

    def filter_action(self, queryset, name, value):
        """The applied action: the decision's, else the proposal's (the rule on the grade)."""
        return queryset.filter(applied_action_q(self.rule, value))
