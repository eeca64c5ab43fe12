"""The rows of a region-year's 结果应用 table as one annotated query, and its 合计.

Per project-year (one SQL row each, whatever the number of projects):

* ``final_grade``: the 复核等级 of its latest finished 复核 (``RecheckItem`` done), else the grade of
  its self-evaluation once approved (自评已审核 / 已公开); rows without either are not listed;
* ``grade_source``: "recheck" or "self";
* ``budget``: Σ of its budget lines' 全年预算数 (万元);
* ``proposed_action`` / ``proposed_percent``: the region's rule applied to the grade (a CASE on the
  four grades: the rule is read once per page);
* the decision, if any, by a LEFT JOIN (``budget_decision``); ``applied_action``: the decision's
  action, else the proposal's.

Subqueries are correlated on indexed columns (recheck item → evaluation, budget line → project); the
region-year is read from the index ``project_region_year``. A page costs a constant number of queries:
the count, the page's rows, the 合计 (one pass over the filtered rows' few columns), the rule and the
filter's departments.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from projects.models import MONEY, BudgetLine, Project

from ..choices import LOCKED_STATUSES
from ..recheck.models import ItemStatus, RecheckItem
from .models import PERCENT
from .rules import Proposal, reduction


def final_grade_expressions() -> dict:
    recheck = Subquery(
        RecheckItem.objects.filter(evaluation__project=OuterRef("pk"), status=ItemStatus.DONE)
        .exclude(recheck_grade="")
        .order_by("-finished_at", "-pk")
        .values("recheck_grade")[:1],
        output_field=CharField(),
    )
    own = Case(
        When(evaluation__status__in=list(LOCKED_STATUSES), then=NullIf(F("evaluation__grade"), Value(""))),
        default=Value(None),
        output_field=CharField(),
    )
    return {"recheck_grade": recheck, "final_grade": Coalesce(recheck, own, output_field=CharField())}


def budget_expression() -> Subquery:
    return Subquery(
        BudgetLine.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("annual"))
        .values("total")[:1],
        output_field=DecimalField(**MONEY),
    )


def graded(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The project-years among ``projects`` with a final grade, annotated with it and its source."""
    return (
        projects.annotate(**final_grade_expressions())
        .filter(final_grade__isnull=False)
        .annotate(
            grade_source=Case(
                When(recheck_grade__isnull=False, then=Value("recheck")),
                default=Value("self"),
                output_field=CharField(),
            )
        )
    )


def annotated(projects: QuerySet[Project], rule: dict[str, Proposal]) -> QuerySet[Project]:
    """``graded`` rows with the budget, the proposal by ``rule`` and the applied action."""
    proposed_action = Case(
        *(When(final_grade=grade, then=Value(p.action)) for grade, p in rule.items()),
        default=Value(""),
        output_field=CharField(),
    )
    proposed_percent = Case(
        *(
            When(final_grade=grade, then=Value(p.percent))
            for grade, p in rule.items()
            if p.percent is not None
        ),
        default=Value(None),
        output_field=DecimalField(**PERCENT),
    )
    return (
        graded(projects)
        .annotate(
            budget=budget_expression(),
            proposed_action=proposed_action,
            proposed_percent=proposed_percent,
        )
        .annotate(
            applied_action=Coalesce(
                F("budget_decision__action"), F("proposed_action"), output_field=CharField()
            )
        )
        .select_related("department", "unit", "budget_decision")
    )


def differs(decision, grade: str, proposal: Proposal | None) -> bool:
    """The decision was taken against another grade or another proposal than today's."""
    if decision is None:
        return False
    now = (grade, proposal.action if proposal else "", proposal.percent if proposal else None)
    then = (decision.basis_grade, decision.basis_action, decision.basis_percent)
    return now != then


def totals(rows: QuerySet[Project]) -> dict[str, Decimal | int]:
    """合计 of the filtered rows: their number, Σ 全年预算数, Σ proposed and Σ applied reduction (each row
    rounded as printed, then summed) — one query over five columns of the rows."""
    count = 0
    budget = proposed = applied = Decimal(0)
    values = rows.order_by().values_list(
        "budget",
        "proposed_action",
        "proposed_percent",
        "budget_decision__action",
        "budget_decision__reduction_percent",
    )
    for amount, p_action, p_percent, d_action, d_percent in values.iterator(chunk_size=5000):
        count += 1
        budget += amount or 0
        proposed_cut = reduction(p_action, p_percent, amount)
        proposed += proposed_cut
        applied += proposed_cut if d_action is None else reduction(d_action, d_percent, amount)
    return {"count": count, "budget": budget, "proposed": proposed, "applied": applied}
