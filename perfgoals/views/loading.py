"""What the pages load, and how: the project a user may see (404 otherwise), its indicators, its
history, last year's values. The presenters of :mod:`perfgoals.pages` take what these return."""

from __future__ import annotations

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
    the number of rows (the fifth: bulk rescorings' `ScoreChange` rows; a sixth for their indicators'
    names when there are any)."""

    def ordered(history) -> list:
        return list(history.select_related("history_user").order_by("id", "history_date", "history_id"))

    return HistoryRecords(
        indicators=ordered(Indicator.history.filter(project_id=project.pk)),
        evaluations=ordered(Evaluation.history.filter(project_id=project.pk)),
        budget_lines=ordered(BudgetLine.history.filter(project_id=project.pk)),
        projects=ordered(Project.history.filter(id=project.pk)),
        score_changes=_score_changes(project),
    )


def _score_changes(project: Project) -> list:
    """The indicators' score changes of bulk rescorings (`ScoreChange` rows, each listing several), each
    with its indicator's current name: one query, and one more for the names when there are any."""
    rows = list(ScoreChange.objects.filter(project_id=project.pk).order_by("changed_at", "pk"))
    if not rows:
        return []
    names = dict(Indicator.objects.filter(project_id=project.pk).values_list("pk", "name"))
    return [entry for row in rows for entry in row.entries(names)]
