"""The rows of a region-year's 结果应用 table as one annotated query, and its 合计.

Per project-year (one SQL row each, whatever the number of projects):

* ``final_grade``: the 复核等级 of its latest finished 复核 (``RecheckItem`` done; a correlated subquery on
  the indexed ``recheck_item.evaluation_id``), else the grade of its self-evaluation once approved
  (自评已审核 / 已公开); rows without either are not listed (``has_final_grade``: an EXISTS probe and the
  evaluation's columns, not the ordered subquery again);
* ``budget``: Σ of its budget lines' 全年预算数 (万元), a subquery on the indexed ``budget_line.project_id``;
* ``next_budget``: next year's proposal, the budget of its next project-year (``rules.reduction_base``):
  that project-year found by a correlated subquery (``next_project_id``: the rollover's link through
  ``Indicator.carried_from``, else the same unit and name a year later), its budget lines summed by
  another; NULL when there is none, and the reduction falls back on ``budget``;
* the decision, if any, by a LEFT JOIN (``budget_decision``).

The proposal is the region's rule applied to ``final_grade`` in Python (``proposal``): four grades, read
once per page, so the SQL carries the grade subquery once and not once per grade. A filter by applied
action is a condition on the grade and the decision (``applied_action_q``); where a grade came from
(复核 or 自评) is one query for the region-year (``recheck_graded``: a sample is small). A page costs a
constant number of queries: the count, the page's rows, the 合计 (one pass over four columns of the
filtered rows), the rule, the 复核-graded ids and the filter's departments.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from projects.models import MONEY, BudgetLine, Project

from ..choices import LOCKED_STATUSES
from ..continuation import next_project_expression
from ..recheck.models import ItemStatus, RecheckItem
from ..signals import generation
from .rules import Proposal, reduction, reduction_base


def _finished_rechecks():
    return RecheckItem.objects.filter(
        evaluation_id=OuterRef("evaluation__id"), status=ItemStatus.DONE
    ).exclude(recheck_grade="")


def final_grade_expression() -> Coalesce:
    recheck = Subquery(
        _finished_rechecks().order_by("-finished_at", "-pk").values("recheck_grade")[:1],
        output_field=CharField(),
    )
    own = Case(
        When(evaluation__status__in=list(LOCKED_STATUSES), then=NullIf(F("evaluation__grade"), Value(""))),
        default=Value(None),
        output_field=CharField(),
    )
    return Coalesce(recheck, own, output_field=CharField())


def has_final_grade() -> Q:
    """The same rows as ``final_grade IS NOT NULL``, as an index probe rather than the ordered subquery."""
    return Q(Exists(_finished_rechecks())) | (
        Q(evaluation__status__in=list(LOCKED_STATUSES)) & ~Q(evaluation__grade="")
    )


def recheck_graded(region, year: int, projects: QuerySet[Project] | None = None) -> set[int]:
    """The ids of the region-year's projects (of ``projects`` if given) whose final grade is a 复核's:
    one query on the region-year's samples (a sample is small; its evaluations are of that region-year)."""
    items = RecheckItem.objects.filter(
        sample__region=region, sample__year=year, status=ItemStatus.DONE
    ).exclude(recheck_grade="")
    if projects is not None:
        items = items.filter(evaluation__project__in=projects.values("pk"))
    return set(items.values_list("evaluation__project_id", flat=True))


def budget_expression() -> Subquery:
    return Subquery(
        BudgetLine.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("annual"))
        .values("total")[:1],
        output_field=DecimalField(**MONEY),
    )


def next_budget_expression() -> Subquery:
    """Σ of the next project-year's budget lines (全年预算数, else 年初预算数); NULL when none."""
    return Subquery(
        BudgetLine.objects.filter(project_id=OuterRef("next_project_id"))
        .order_by()
        .values("project")
        .annotate(total=Sum(Coalesce("annual", "initial")))
        .values("total")[:1],
        output_field=DecimalField(**MONEY),
    )


def graded(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The project-years among ``projects`` with a final grade, annotated with it."""
    return projects.filter(has_final_grade()).annotate(final_grade=final_grade_expression())


def annotated(projects: QuerySet[Project]) -> QuerySet[Project]:
    """``graded`` rows with the budget and the decision, for the table and the export."""
    return (
        graded(projects)
        .annotate(budget=budget_expression(), next_project_id=next_project_expression())
        .annotate(next_budget=next_budget_expression())
        .select_related("department", "unit", "budget_decision")
    )


def proposal(rule: dict[str, Proposal], grade: str | None) -> Proposal | None:
    return rule.get(grade) if grade else None


def applied_action_q(rule: dict[str, Proposal], action: str) -> Q:
    """Rows whose applied action (the decision's, else the proposal's) is ``action``."""
    grades = [grade for grade, p in rule.items() if p.action == action]
    return Q(budget_decision__action=action) | Q(budget_decision__isnull=True, final_grade__in=grades)


def differs(decision, grade: str, proposed: Proposal | None) -> bool:
    """The decision was taken against another grade or another proposal than today's."""
    if decision is None:
        return False
    now = (grade, proposed.action if proposed else "", proposed.percent if proposed else None)
    then = (decision.basis_grade, decision.basis_action, decision.basis_percent)
    return now != then


def cached_totals(rows: QuerySet[Project], rule: dict[str, Proposal]) -> dict[str, Decimal | int]:
    """``totals``, kept in the cache with the data generation (``perfgoals.signals``, moved by every save
    of an evaluation or project and, through ``ResultsConfig.ready``, of a rule line, a decision or a
    复核 record): a province's 合计 is one pass over 100,000 rows, a repeat of the same filter reads it."""
    try:
        sql = str(rows.order_by("pk").query)
    except EmptyResultSet:
        return {
            "count": 0,
            "budget": Decimal(0),
            "base": Decimal(0),
            "proposed": Decimal(0),
            "applied": Decimal(0),
            "fallback": 0,
        }
    key = "results:totals:" + hashlib.sha256(f"{sql}|{sorted(rule.items())}".encode()).hexdigest()[:32]
    current = generation()
    stored = cache.get(key)
    if stored is not None and stored[0] == current:
        return stored[1]
    figures = totals(rows, rule)
    cache.set(key, (current, figures), timeout=24 * 60 * 60)
    return figures


def totals(rows: QuerySet[Project], rule: dict[str, Proposal]) -> dict[str, Decimal | int]:
    """合计 of the filtered rows: their number, Σ 全年预算数, Σ reduction base (``rules.reduction_base``),
    Σ proposed and Σ applied reduction (each row rounded as printed, then summed), and how many rows fall
    back on this year's budget — one query over five columns of the rows."""
    count = fallback = 0
    budget = base_total = proposed = applied = Decimal(0)
    values = rows.order_by().values_list(
        "budget",
        "next_budget",
        "final_grade",
        "budget_decision__action",
        "budget_decision__reduction_percent",
    )
    for amount, next_amount, grade, d_action, d_percent in values.iterator(chunk_size=5000):
        count += 1
        if amount is not None:
            budget += amount
        base, is_next = reduction_base(amount, next_amount)
        fallback += not is_next
        if base is None:
            continue
        base_total += base
        p = rule.get(grade)
        proposed_cut = reduction(p.action, p.percent, base) if p else Decimal("0.00")
        proposed += proposed_cut
        applied += proposed_cut if d_action is None else reduction(d_action, d_percent, base)
    return {
        "count": count,
        "budget": budget,
        "base": base_total,
        "proposed": proposed,
        "applied": applied,
        "fallback": fallback,
    }
