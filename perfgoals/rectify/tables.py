"""The 整改 list (django-tables2 + django-filter): year, status, source and overdue filters; overdue rows
marked."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from projects.tables import CardCellsMixin, OnePassBodyMixin

from .models import PENDING, RectifyItem, RectifyStatus, Source


class RectifyFilterSet(django_filters.FilterSet):
    """The year filter offers the years of the items' project-years (one query) and opens on 全部年度:
    an item opened on last year's evaluation is worked on this year."""

    year = django_filters.ChoiceFilter(label="年度", field_name="project__year", empty_label="全部年度")
    status = django_filters.ChoiceFilter(label="状态", choices=RectifyStatus.choices, empty_label="全部状态")
    source = django_filters.ChoiceFilter(label="问题来源", choices=Source.choices, empty_label="全部来源")
    overdue = django_filters.ChoiceFilter(
        label="逾期",
        choices=[("yes", "已逾期"), ("open", "未完成")],
        empty_label="全部",
        method="filter_overdue",
    )

    class Meta:
        model = RectifyItem
        fields = ["year", "status", "source", "overdue"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        years = queryset.order_by("-project__year").values_list("project__year", flat=True).distinct()
        self.filters["year"].extra["choices"] = [(str(y), f"{y} 年") for y in years]

    def filter_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.overdue()
        return queryset.pending()


class RectifyTable(CardCellsMixin, OnePassBodyMixin, tables.Table):
    number = tables.Column(
        "编号", accessor="pk", linkify=lambda record: reverse("rectify:item", args=[record.pk])
    )
    project = tables.Column("项目", accessor="project__name", order_by=("project__name",))
    unit = tables.Column("责任单位", accessor="unit__name")
    source = tables.Column("来源")
    problem = tables.Column("整改事项", orderable=False)
    deadline = tables.Column("整改期限")
    status = tables.Column("状态")
    files = tables.Column("佐证材料", accessor="file_count", attrs={"td": {"class": "num"}})

    class Meta:
        template_name = "projects/_table.html"
        attrs = {"class": "data-table list-table"}
        empty_text = "没有整改事项。"
        order_by = ("deadline",)
        sequence = ("number", "project", "unit", "source", "problem", "deadline", "status", "files")

    def render_number(self, value):
        return f"#{value}"

    def render_problem(self, value):
        return value if len(value) <= 60 else value[:60] + "…"

    def render_deadline(self, value, record):
        if record.status in PENDING and value < timezone.localdate():
            return format_html('{} <span class="warn-text">已逾期</span>', value.isoformat())
        return value.isoformat()

    def render_status(self, value, record):
        return format_html('<span class="status rectify-{}">{}</span>', record.status, value)
