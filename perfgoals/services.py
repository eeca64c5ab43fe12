"""Workflows on performance goals: choosing a scheme, (re)scoring a project-year.

Views and tasks call these; they call the pure engine and write its results back.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projects.models import Project

from .engine import DEFAULT_SCHEME_CODE, SCHEMES, Direction, EvaluationInput, IndicatorInput, score_evaluation
from .engine.scoring import EvaluationResult, IndicatorResult
from .models import Evaluation, Indicator, RegionScheme, ScoringScheme

#: indicator fields that recompute rewrites
_SCORED_FIELDS = [
    "target_kind", "direction", "direction_source", "target_value", "target_unit",
    "actual_kind", "actual_value", "actual_unit", "score", "score_explanation", "flags",
]


def ensure_builtin_schemes() -> None:
    """Create or refresh the schemes the engine ships; the engine's default becomes the default."""
    for code, scheme in SCHEMES.items():
        ScoringScheme.objects.update_or_create(
            code=code,
            defaults={
                "name": scheme.name,
                "description": scheme.description,
                "params": scheme.to_dict(),
                "built_in": True,
            },
        )
    if not ScoringScheme.objects.filter(is_default=True).exists():
        ScoringScheme.objects.filter(code=DEFAULT_SCHEME_CODE).update(is_default=True)


def scheme_for(project: Project) -> ScoringScheme:
    """The scheme a project-year is scored by: the region's for that year, the region's general one,
    or the system default."""
    region_id = project.unit.department.region_id
    choice = (
        RegionScheme.objects.filter(region_id=region_id, year=project.year).select_related("scheme").first()
        or RegionScheme.objects.filter(region_id=region_id, year__isnull=True).select_related("scheme").first()
    )
    if choice:
        return choice.scheme
    default = ScoringScheme.objects.filter(is_default=True).first()
    if default is None:
        ensure_builtin_schemes()
        default = ScoringScheme.objects.get(is_default=True)
    return default


def indicator_input(indicator: Indicator) -> IndicatorInput:
    """The engine's view of one stored indicator."""
    return IndicatorInput(
        name=indicator.name,
        target_text=indicator.target_text,
        actual_text=indicator.actual_text or None,
        weight=indicator.weight,
        nature=indicator.nature_printed or None,
        unit=indicator.unit_printed or None,
        direction_override=Direction(indicator.direction_override) if indicator.direction_override else None,
        band=indicator.band or None,
        band_score=indicator.band_score,
        reported_score=indicator.reported_score,
        deviation_note=indicator.deviation_note,
        not_applicable=indicator.not_applicable,
        level1=indicator.level1,
        level2=indicator.level2,
    )


def store_indicator_result(indicator: Indicator, result: IndicatorResult) -> None:
    """Copy what the engine made of one indicator onto the (possibly unsaved) model instance."""
    target, actual = result.target, result.actual
    indicator.target_kind = target.kind.value
    indicator.direction = result.direction.value if result.direction else ""
    indicator.direction_source = result.direction_source or ""
    indicator.target_value = target.base
    indicator.target_unit = target.unit or ""
    indicator.actual_kind = actual.kind.value
    indicator.actual_value = actual.base
    indicator.actual_unit = actual.unit or ""
    indicator.score = result.score
    indicator.score_explanation = (result.explanation or "")[:300]
    indicator.flags = sorted(flag.value for flag in result.flags)


def evaluation_input(project: Project, indicators: list[Indicator]) -> EvaluationInput:
    totals = project.budget_totals()
    evaluation = project.evaluation
    return EvaluationInput(
        budget_annual=totals["annual"],
        budget_executed=totals["executed"],
        indicators=tuple(indicator_input(ind) for ind in indicators),
        declared_level1_weights={k: Decimal(str(v)) for k, v in (evaluation.declared_level1_weights or {}).items()},
        year=project.year,
    )


@transaction.atomic
def recompute(project: Project) -> EvaluationResult:
    """Score every indicator of a project-year and its total, and store the results."""
    evaluation = Evaluation.objects.select_related("scheme").select_for_update(of=("self",)).get(project=project)
    project.evaluation = evaluation
    indicators = list(project.indicators.order_by("order"))
    result = score_evaluation(evaluation_input(project, indicators), evaluation.scheme.engine_scheme())
    for indicator, ind_result in zip(indicators, result.indicators, strict=True):
        before = {name: getattr(indicator, name) for name in _SCORED_FIELDS}
        store_indicator_result(indicator, ind_result)
        changed = [name for name in _SCORED_FIELDS if getattr(indicator, name) != before[name]]
        if changed:
            # one save per changed row, so the history records every score that moved
            indicator.save(update_fields=changed)
    store_evaluation_result(evaluation, result)
    evaluation.save(update_fields=[*_EVALUATION_FIELDS, "updated_at"])
    return result


#: evaluation fields that store_evaluation_result writes
_EVALUATION_FIELDS = ["execution_rate", "execution_score", "total_score", "grade", "complete", "warnings", "computed_at"]


def store_evaluation_result(evaluation: Evaluation, result: EvaluationResult) -> None:
    """Copy the engine's totals onto the (possibly unsaved) evaluation."""
    evaluation.execution_rate = result.execution_rate
    evaluation.execution_score = result.execution_score
    evaluation.total_score = result.total
    evaluation.grade = result.grade or ""
    evaluation.complete = result.complete
    evaluation.warnings = [{"code": w.code, "message": w.message} for w in result.warnings]
    evaluation.computed_at = timezone.now()
