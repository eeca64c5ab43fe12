"""Tables of the project lists (django-tables2): sortable, paged, exported to CSV and Excel.

Every column a list can show is declared here; amounts print like the forms (5515, 1807.5), scores at
two places. Export values are numbers without float artefacts, so Excel can add them up.
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal

import django_tables2 as tables
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from projects.models import BudgetLine, Project
from projects.tables import CardCellsMixin, OnePassBodyMixin, TwoStepPageMixin

from . import workflow
from .engine.values import format_decimal
from .models import Evaluation
from .signals import generation
from .templatetags.perf_format import DASH, percent_text, plain_number, score_text


def _plain_decimal(value) -> Decimal | str:
    """A Decimal without padding zeros or exponent (5515.0000 → 5515) for exports; "" when missing."""
    if value is None:
        return ""
    return Decimal(format_decimal(Decimal(value)))


class AmountColumn(tables.Column):
    """万元 amounts, right-aligned."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}, "tf": {"class": "num"}}

    def render(self, value):
        return plain_number(value)

    def value(self, value):
        return _plain_decimal(value)


class ScoreColumn(tables.Column):
    """Scores at two places, right-aligned; in Excel a number shown at two places (100.00, 9.50)."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}, "tf": {"class": "num"}}
    xlsx_format = "0.00"

    def render(self, value):
        return score_text(value)

    def value(self, value):
        return "" if value is None else Decimal(score_text(value))


class RateColumn(tables.Column):
    """A rate (B/A) as a percentage: 98.77% on the page and in CSV; in Excel the number 0.9877 shown
    as a percentage, so that it can be summed and sorted."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}, "tf": {"class": "num"}}
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


#: the largest filter whose 合计 a list page computes unasked (a province's is computed on request)
TOTALS_LIVE_LIMIT = 5000


def _footer(name: str):
    """A column's footer: the list's 合计 / 平均 over every filtered row (see ProjectTable.totals)."""
    return lambda table: table.footer_text(name)


class ProjectTable(CardCellsMixin, OnePassBodyMixin, TwoStepPageMixin, tables.Table):
    """One row a project-year: what a unit, a supervisor and a finance reviewer look for first.

    The footer (and the last row of an export) is 合计 over every row of the filter, not only the page:
    the number of projects, the budget's sums, the overall execution rate (Σ执行数 ÷ Σ预算数) and the
    mean score of the scored evaluations — two aggregate queries, on the filtered rows without the
    list's joins."""

    year = tables.Column("年度", attrs={"td": {"class": "nowrap"}}, footer=_footer("year"))
    name = tables.Column(
        "项目名称",
        linkify=lambda record: reverse("perfgoals:project", args=[record.pk]),
        footer=_footer("name"),
    )
    department = tables.Column("主管部门", accessor="department__name")
    unit = tables.Column("实施单位", accessor="unit__name")
    budget_annual = AmountColumn(
        "全年预算数（万元）", accessor="budget_annual", footer=_footer("budget_annual")
    )
    budget_executed = AmountColumn(
        "全年执行数（万元）", accessor="budget_executed", footer=_footer("budget_executed")
    )
    execution_rate = RateColumn(
        "执行率", accessor="evaluation__execution_rate", footer=_footer("execution_rate")
    )
    status = StatusColumn("状态", accessor="evaluation__status", order_by=("status_rank",))
    total_score = ScoreColumn("自评得分", accessor="evaluation__total_score", footer=_footer("total_score"))
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

    def totals(self) -> dict:
        """合计 over the filtered rows: count, budget sums, overall execution rate, mean score.

        Stored in the cache with the data generation (perfgoals.signals): a repeat of the same filter
        reads it. A filter of more than TOTALS_LIVE_LIMIT projects (a province) is summed only when
        asked (``?totals=1``, the footer's link) or exported, so that its pages stay as fast as before."""
        cached = getattr(self, "_totals", None)
        if cached is not None:
            return cached
        filtered = self.filtered if isinstance(self.filtered, QuerySet) else None
        if filtered is None:
            self._totals = {}
            return self._totals
        paginator = getattr(self, "paginator", None)
        count = paginator.count if paginator is not None else filtered.count()
        try:
            sql = str(filtered.order_by("pk").query)
        except EmptyResultSet:  # a filter that can match nothing (an empty scope)
            self._totals = {}
            return self._totals
        key = "perfgoals:list-totals:" + hashlib.sha256(sql.encode()).hexdigest()[:32]
        current = generation()
        stored = cache.get(key)
        if stored is not None and stored[0] == current:
            self._totals = {**stored[1], "count": count}
            return self._totals
        request = getattr(self, "request", None)
        asked = request is not None and request.GET.get("totals") == "1"
        if paginator is not None and count > TOTALS_LIVE_LIMIT and not asked:
            self._totals = {"count": count, "deferred": True}
            return self._totals
        ids = filtered.order_by().values("pk")
        budget = BudgetLine.objects.filter(project__in=ids).aggregate(
            sum_annual=Sum("annual"),
            sum_executed=Sum("executed"),
            # the rate over the projects whose execution is reported (Σ B ÷ Σ A of the same projects)
            annual_reported=Sum("annual", filter=Q(project__evaluation__execution_rate__isnull=False)),
            executed_reported=Sum("executed", filter=Q(project__evaluation__execution_rate__isnull=False)),
        )
        scores = Evaluation.objects.filter(project__in=ids, complete=True).aggregate(
            total=Sum("total_score"), scored=Count("pk"), projects=Count("project_id")
        )
        annual, executed = budget["sum_annual"], budget["sum_executed"]
        mean = None
        if scores["scored"]:
            mean = (Decimal(scores["total"]) / scores["scored"]).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        self._totals = {
            "count": count,
            "scored": scores["scored"],
            "budget_annual": annual,
            "budget_executed": executed,
            "execution_rate": (
                Decimal(budget["executed_reported"] or 0) / Decimal(budget["annual_reported"])
                if budget["annual_reported"]
                else None
            ),
            "total_score": mean,
        }
        cache.set(key, (current, self._totals), timeout=24 * 60 * 60)
        return self._totals

    def footer_text(self, name: str) -> str:
        totals = self.totals()
        if not totals:
            return ""
        if totals.get("deferred"):
            if name == "name":
                query = self.request.GET.copy()
                query["totals"] = "1"
                return format_html(
                    '{} 个项目 · <a href="?{}" data-testid="compute-totals">计算合计</a>',
                    totals["count"],
                    query.urlencode(),
                )
            return "合计" if name == "year" else ""
        if name == "year":
            return "合计"
        if name == "name":
            return f"{totals['count']} 个项目"
        if name in ("budget_annual", "budget_executed"):
            return plain_number(totals[name])
        if name == "execution_rate":
            return percent_text(totals[name])
        if name == "total_score":
            return (
                f"平均 {score_text(totals[name])}（{totals['scored']} 个）"
                if totals[name] is not None
                else DASH
            )
        return ""

    def footer_values(self, names: list[str]) -> list:
        """The export's last row: the same totals, as numbers where the column holds numbers."""
        totals = self.totals()
        if not totals:
            return []
        values = []
        for name in names:
            column = self.columns[name].column
            if name == "year":
                values.append("合计")
            elif name == "name":
                values.append(f"{totals['count']} 个项目（得分为 {totals['scored']} 个已评分项目的平均）")
            elif name in ("budget_annual", "budget_executed", "execution_rate", "total_score"):
                values.append("" if totals[name] is None else column.value(value=totals[name]))
            else:
                values.append("")
        return values

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
        verbose_name="项目名称",
        linkify=lambda record: reverse("perfgoals:review", args=[record.pk]),
        footer=_footer("name"),
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
