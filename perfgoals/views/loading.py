"""What the pages load, and how: the project a user may see (404 otherwise), its indicators, its
history, last year's values. The presenters of :mod:`perfgoals.pages` take what these return."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from projects.models import BudgetLine, Project
from projects.scoping import visible_projects

from .. import scoring
from ..engine import EvaluationResult, score_evaluation
from ..evidence.listing import with_evidence_count
from ..intake.models import CarriedIndicator
from ..models import Evaluation, Indicator, ScoreChange
from ..pages.history import HistoryRecords


def project_for(user, pk: int) -> Project:
    """The project if the user may see it; 404 otherwise (never a hint that it exists)."""
    queryset = visible_projects(user).select_related("unit__department__region", "evaluation__scheme")
    return get_object_or_404(queryset.prefetch_related("budget_lines"), pk=pk)


def indicators_of(project: Project) -> list[Indicator]:
    """The project's indicators in order, each with ``evidence_count`` (its evidence files not removed,
    which the review's "文字实际值" flag reads)."""
    indicators = list(with_evidence_count(project.indicators.order_by("order")))
    for indicator in indicators:
        indicator.project = project  # no query per row when something asks for it
    return indicators


def engine_result(project: Project, indicators: list[Indicator]) -> EvaluationResult:
    """The engine's view of the stored data (pure: no query), for subtotals and suggestions."""
    scheme = project.evaluation.scheme.engine_scheme()
    return score_evaluation(scoring.evaluation_input(project, indicators), scheme)


def carried_of(project: Project) -> dict:
    """Last year's values of a rolled-over project, by indicator (one query)."""
    return {c.indicator_id: c for c in CarriedIndicator.objects.filter(indicator__project_id=project.pk)}


def history_records(project: Project) -> HistoryRecords:
    """The history rows of the project-year for ``pages.history.project_history``: five queries, whatever
    the number of rows (the fifth: bulk rescorings' `ScoreChange` rows, with their indicator's name)."""

    def ordered(history) -> list:
        return list(history.select_related("history_user").order_by("id", "history_date", "history_id"))

    return HistoryRecords(
        indicators=ordered(Indicator.history.filter(project_id=project.pk)),
        evaluations=ordered(Evaluation.history.filter(project_id=project.pk)),
        budget_lines=ordered(BudgetLine.history.filter(project_id=project.pk)),
        projects=ordered(Project.history.filter(id=project.pk)),
        score_changes=list(
            ScoreChange.objects.filter(project_id=project.pk)
            .annotate(name=Subquery(Indicator.objects.filter(pk=OuterRef("indicator_id")).values("name")))
            .order_by("indicator_id", "changed_at", "pk")
        ),
    )
