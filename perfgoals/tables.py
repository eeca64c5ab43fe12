"""Tables of the project lists (django-tables2): sortable, paged, exported to CSV and Excel.

Every column a list can show is declared here; amounts print like the forms (5515, 1807.5), scores at
two places. Export values are numbers without float artefacts, so Excel can add them up.
"""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from projects.models import Project
from projects.tables import CardCellsMixin, OnePassBodyMixin, TwoStepPageMixin

from . import workflow
from .engine.values import format_decimal
from .templatetags.perf_format import DASH, percent_text, plain_number, score_text


def _plain_decimal(value) -> Decimal | str:
    """A Decimal without padding zeros or exponent (5515.0000 → 5515) for exports; "" when missing."""
    if value is None:
        return ""
    return Decimal(format_decimal(Decimal(value)))


class AmountColumn(tables.Column):
    """万元 amounts, right-aligned."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return plain_number(value)

    def value(self, value):
        return _plain_decimal(value)


class ScoreColumn(tables.Column):
    """Scores at two places, right-aligned; in Excel a number shown at two places (100.00, 9.50)."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}
    xlsx_format = "0.00"

    def render(self, value):
        return score_text(value)

    def value(self, value):
        return "" if value is None else Decimal(score_text(value))


class RateColumn(tables.Column):
    """A rate (B/A) as a percentage: 98.77% on the page and in CSV; in Excel the number 0.9877 shown
    as a percentage, so that it can be summed and sorted."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}
    xlsx_format = "0.00%"

    def render(self, value):
        return percent_text(value)

    def value(self, value):
        # the percentage as printed (two places, half up), as a ratio: 98.77% → 0.9877
        return "" if value is None else Decimal(percent_text(value)[:-1]) / 100


class StatusColumn(tables.Column):
    """The evaluation's status in Chinese, with a colour per stage."""

    def render(self, value, record):
        evaluation = record.evaluation  # the colour by the status code (``value`` is its display text)
        return format_html(
            '<span class="status status-{}">{}</span>', evaluation.status, evaluation.get_status_display()
        )

    def value(self, value, record):
        return record.evaluation.get_status_display()


class ProjectTable(CardCellsMixin, OnePassBodyMixin, TwoStepPageMixin, tables.Table):
    """One row a project-year: what a unit, a supervisor and a finance reviewer look for first."""

    year = tables.Column("年度", attrs={"td": {"class": "nowrap"}})
    name = tables.Column("项目名称", linkify=lambda record: reverse("perfgoals:project", args=[record.pk]))
    department = tables.Column("主管部门", accessor="department__name")
    unit = tables.Column("实施单位", accessor="unit__name")
    budget_annual = AmountColumn("全年预算数（万元）", accessor="budget_annual")
    budget_executed = AmountColumn("全年执行数（万元）", accessor="budget_executed")
    execution_rate = RateColumn("执行率", accessor="evaluation__execution_rate")
    status = StatusColumn("状态", accessor="evaluation__status", order_by=("status_rank",))
    total_score = ScoreColumn("自评得分", accessor="evaluation__total_score")
    grade = tables.Column("自评等级", accessor="evaluation__grade", default=DASH)

    class Meta:
        model = Project
        fields = ()  # every column is declared above
        sequence = (
            "year",
            "name",
            "department",
            "unit",
            "budget_annual",
            "budget_executed",
            "execution_rate",
            "status",
            "total_score",
            "grade",
        )
        template_name = "projects/_table.html"
        attrs = {"class": "data-table list-table"}
        empty_text = "没有符合条件的项目。"
        order_by = ("-year", "department", "name")

    def render_total_score(self, value, record):
        if not record.evaluation.complete:
            return format_html('<span class="muted" title="{}">{}</span>', "尚有指标未得分", "未评分")
        return score_text(value)

    def value_total_score(self, value, record):
        return Decimal(score_text(value)) if record.evaluation.complete and value is not None else ""

    def render_grade(self, value, record):
        if not record.evaluation.complete:
            return DASH
        return value or DASH

    def value_grade(self, value, record):
        return value if record.evaluation.complete else ""


class ReviewQueueTable(ProjectTable):
    """The supervisor's queue: submitted self-evaluations with total, grade and flags at a glance."""

    name = tables.Column(
        verbose_name="项目名称", linkify=lambda record: reverse("perfgoals:review", args=[record.pk])
    )
    submitted_at = tables.DateTimeColumn(
        verbose_name="提交时间", accessor="evaluation__submitted_at", format="Y-m-d H:i", default=DASH
    )
    flags = tables.Column("提示", accessor="pk", orderable=False, empty_values=())

    class Meta(ProjectTable.Meta):
        sequence = (
            "year",
            "name",
            "unit",
            "submitted_at",
            "execution_rate",
            "total_score",
            "grade",
            "flags",
        )
        exclude = ("department", "budget_annual", "budget_executed", "status")
        empty_text = "没有待审核的自评。"
        order_by = ("submitted_at",)

    @staticmethod
    def _summary(record) -> list[tuple[str, int, str]]:
        # indicators are prefetched by the queue's queryset: no query per row
        cached = getattr(record, "_review_summary", None)
        if cached is None:
            evaluation = record.evaluation
            cached = workflow.review_summary(
                evaluation, record.indicators.all(), evaluation.scheme.engine_scheme()
            )
            record._review_summary = cached
        return cached

    def render_flags(self, record):
        summary = self._summary(record)
        if not summary:
            return format_html('<span class="flag flag-ok">{}</span>', "无异常")
        return format_html_join(
            " ",
            '<span class="flag flag-{}">{}{}</span>',
            ((level, label, f" {count}" if count > 1 else "") for label, count, level in summary),
        )

    def value_flags(self, record):
        summary = self._summary(record)
        return "；".join(f"{label} {count}" for label, count, _ in summary)
