"""The 结果应用 summary table (django-tables2): one row a graded project-year, sortable and paged; the
footer is the 合计 of every filtered row (``rows.totals``), not only the page's."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from projects.tables import CardCellsMixin, OnePassBodyMixin, TwoStepPageMixin

from ..tables import AmountColumn
from ..templatetags.perf_format import DASH, plain_number
from .models import action_text
from .rows import differs, proposal
from .rules import BASE_FALLBACK_NOTE, Proposal, reduction, reduction_base

NUM = {"td": {"class": "num"}, "th": {"class": "num"}, "tf": {"class": "num"}}


def proposal_of(record) -> Proposal | None:
    return Proposal(record.proposed_action, record.proposed_percent) if record.proposed_action else None


def decision_of(record):
    try:
        return record.budget_decision
    except Exception:  # RelatedObjectDoesNotExist: no decision yet
        return None


def _footer(key: str):
    return lambda table: plain_number(table.totals[key]) if table.totals else ""


class ApplicationTable(CardCellsMixin, OnePassBodyMixin, TwoStepPageMixin, tables.Table):
    """Paged in two steps (``TwoStepPageMixin``): the page's keys sorted without the grade and budget
    subqueries, then 25 rows with them; the default ordering (department, name) by department group."""

    name = tables.Column(
        "项目名称",
        linkify=lambda record: reverse("results:project", args=[record.pk]),
        footer=lambda table: f"合计（{table.totals['count']} 项）" if table.totals else "合计",
    )
    department = tables.Column("主管部门", accessor="department__name")
    unit = tables.Column("实施单位", accessor="unit__name")
    budget = AmountColumn("全年预算数（万元）", footer=_footer("budget"))
    # next year's proposal when a next project-year holds one, else this year's budget (marked)
    base = tables.Column(
        "核减基数（万元）", empty_values=(), orderable=False, attrs=NUM, footer=_footer("base")
    )
    grade = tables.Column("等级", accessor="final_grade", order_by=("final_grade",))
    # the proposal follows the grade: sorting by it is sorting by the grade
    proposed = tables.Column("建议措施", accessor="final_grade", order_by=("final_grade",))
    proposed_cut = tables.Column(
        "建议核减（万元）", empty_values=(), orderable=False, attrs=NUM, footer=_footer("proposed")
    )
    decided = tables.Column(
        "财政决定", accessor="budget_decision__action", default=DASH, order_by=("budget_decision__action",)
    )
    applied_cut = tables.Column(
        "应用核减（万元）", empty_values=(), orderable=False, attrs=NUM, footer=_footer("applied")
    )

    class Meta:
        template_name = "projects/_table.html"
        attrs = {"class": "data-table list-table"}
        empty_text = "没有符合条件的项目（只列出已有最终等级的项目：自评已审核，或复核已完成）。"
        order_by = ("department", "name")
        sequence = (
            "name",
            "department",
            "unit",
            "budget",
            "base",
            "grade",
            "proposed",
            "proposed_cut",
            "decided",
            "applied_cut",
        )

    def __init__(self, *args, totals=None, rule=None, recheck_ids=(), **kwargs):
        self.totals = totals or {}
        self.rule: dict[str, Proposal] = rule or {}
        self.recheck_ids = recheck_ids
        super().__init__(*args, **kwargs)

    def proposal(self, record) -> Proposal | None:
        return proposal(self.rule, record.final_grade)

    def render_grade(self, value, record):
        source = "复核" if record.pk in self.recheck_ids else "自评"
        return format_html(
            '<span class="grade grade-{}">{}</span> <span class="muted">{}</span>', value, value, source
        )

    def render_proposed(self, value, record):
        p = self.proposal(record)
        return p.text if p else DASH

    def render_base(self, record):
        base, is_next = reduction_base(record.budget, record.next_budget)
        if is_next:
            return format_html('{} <span class="muted small">下年申报</span>', plain_number(base))
        return format_html(
            '{} <span class="warn-text small" title="{}">本年度</span>',
            plain_number(base),
            BASE_FALLBACK_NOTE,
        )

    def render_proposed_cut(self, record):
        p = self.proposal(record)
        base, _ = reduction_base(record.budget, record.next_budget)
        return plain_number(reduction(p.action, p.percent, base) if p else 0)

    def render_decided(self, value, record):
        decision = decision_of(record)
        if decision is None:
            return DASH
        text = action_text(decision.action, decision.reduction_percent)
        if differs(decision, record.final_grade, self.proposal(record)):
            return format_html(
                '{} <span class="warn-text" title="决定时：{}，{}">等级或建议已变</span>',
                text,
                decision.basis_grade or DASH,
                action_text(decision.basis_action, decision.basis_percent) or DASH,
            )
        return text

    def render_applied_cut(self, record):
        decision = decision_of(record)
        if decision is None:
            return self.render_proposed_cut(record)
        base, _ = reduction_base(record.budget, record.next_budget)
        return plain_number(reduction(decision.action, decision.reduction_percent, base))
