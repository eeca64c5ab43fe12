"""The engine adapter: choosing a project-year's scoring scheme, turning stored rows into the engine's
inputs, and writing the engine's results back onto the models.

`recompute` scores one project-year interactively (one save per changed row, so the history records
each). The bulk path (`perfgoals.rescore`) and the in-memory scoring of new project-years
(`perfgoals.project_years`) use the same inputs and write the same fields through the helpers here
(`indicator_input_from_row`, `indicator_values`, `evaluation_values`), so every path stores the same
values.

Decimal columns: `column_shape` says how many digits and places a column holds, `stored_decimal` rounds
a value half-up to its places before it is stored (on every database, as PostgreSQL rounds a numeric),
and `unstorable_values` names the engine's readings of an indicator too large for their column, for the
workflow to refuse before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projects.models import Project

from .engine import (
    DEFAULT_SCHEME_CODE,
    SCHEMES,
    Direction,
    EvaluationInput,
    EvaluationResult,
    IndicatorInput,
    IndicatorResult,
    Kind,
    Scheme,
    score_evaluation,
    score_indicator,
)
from .engine.units import fits_column, round_half_up
from .models import Evaluation, Indicator, RegionScheme, ScoringScheme

#: indicator fields that recompute rewrites
SCORED_FIELDS = [
    "target_kind",
    "direction",
    "direction_source",
    "target_value",
    "target_unit",
    "actual_kind",
    "actual_value",
    "actual_unit",
    "score",
    "score_explanation",
    "flags",
]

#: the indicator fields the engine reads
INPUT_FIELDS = [
    "id",
    "project_id",
    "name",
    "target_text",
    "actual_text",
    "weight",
    "nature_printed",
    "unit_printed",
    "direction_override",
    "band",
    "band_score",
    "reported_score",
    "deviation_note",
    "not_applicable",
    "level1",
    "level2",
]
#: evaluation fields whose change is recorded in the history (computed_at alone is not a change)
EVALUATION_RESULT_FIELDS = [
    "execution_rate",
    "execution_score",
    "total_score",
    "grade",
    "complete",
    "warnings",
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
        # saved, not update()d: a scheme's change goes through the audit log (accounts.audit)
        default = ScoringScheme.objects.filter(code=DEFAULT_SCHEME_CODE).first()
        if default is not None:
            default.is_default = True
            default.save(update_fields=["is_default"])


def scheme_for(project: Project) -> ScoringScheme:
    """The scheme a project-year is scored by: the region's for that year, the region's general one,
    or the system default."""
    region_id = project.unit.department.region_id
    choice = (
        RegionScheme.objects.filter(region_id=region_id, year=project.year).select_related("scheme").first()
        or RegionScheme.objects.filter(region_id=region_id, year__isnull=True)
        .select_related("scheme")
        .first()
    )
    if choice:
        return choice.scheme
    default = ScoringScheme.objects.filter(is_default=True).first()
    if default is None:
        ensure_builtin_schemes()
        default = ScoringScheme.objects.get(is_default=True)
    return default


def indicator_input(indicator: Indicator) -> IndicatorInput:
    """The engine's view of one stored indicator (as the bulk path reads it from a values_list row)."""
    return indicator_input_from_row(tuple(getattr(indicator, name) for name in INPUT_FIELDS))


def store_indicator_result(indicator: Indicator, result: IndicatorResult) -> None:
    """Copy what the engine made of one indicator onto the (possibly unsaved) model instance."""
    for name, value in zip(SCORED_FIELDS, indicator_values(result), strict=True):
        setattr(indicator, name, value)


def evaluation_input(project: Project, indicators: list[Indicator]) -> EvaluationInput:
    totals = project.budget_totals()
    evaluation = project.evaluation
    return EvaluationInput(
        budget_annual=totals["annual"],
        budget_executed=totals["executed"],
        indicators=tuple(indicator_input(ind) for ind in indicators),
        declared_level1_weights=_declared(evaluation.declared_level1_weights),
        year=project.year,
    )


def _declared(weights: Mapping | None) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in (weights or {}).items()}


def evaluation_input_from_rows(
    rows: Sequence[tuple],
    budget_annual: Decimal | None,
    budget_executed: Decimal | None,
    declared_level1_weights: Mapping | None,
    year: int | None,
) -> EvaluationInput:
    """The engine's input of a project-year from plain values: its indicators as `INPUT_FIELDS`
    tuples (the bulk rescoring's values_list rows, or an import's rows not yet stored), its budget
    sums and declared level-1 weights — the same input `evaluation_input` makes from models."""
    return EvaluationInput(
        budget_annual=budget_annual,
        budget_executed=budget_executed,
        indicators=tuple(map(indicator_input_from_row, rows)),
        declared_level1_weights=_declared(declared_level1_weights),
        year=year,
    )


@transaction.atomic
def recompute(project: Project) -> EvaluationResult:
    """Score every indicator of a project-year and its total, and store the results."""
    evaluation = (
        Evaluation.objects.select_related("scheme").select_for_update(of=("self",)).get(project=project)
    )
    project.evaluation = evaluation
    indicators = list(project.indicators.order_by("order"))
    result = score_evaluation(evaluation_input(project, indicators), evaluation.scheme.engine_scheme())
    for indicator, ind_result in zip(indicators, result.indicators, strict=True):
        before = {name: getattr(indicator, name) for name in SCORED_FIELDS}
        store_indicator_result(indicator, ind_result)
        changed = [name for name in SCORED_FIELDS if getattr(indicator, name) != before[name]]
        if changed:
            # one save per changed row, so the history records every score that moved
            indicator.save(update_fields=changed)
    store_evaluation_result(evaluation, result)
    evaluation.save(update_fields=[*_EVALUATION_FIELDS, "updated_at"])
    return result


#: evaluation fields that store_evaluation_result writes
_EVALUATION_FIELDS = [*EVALUATION_RESULT_FIELDS, "computed_at"]


def store_evaluation_result(evaluation: Evaluation, result: EvaluationResult) -> None:
    """Copy the engine's totals onto the (possibly unsaved) evaluation."""
    for name, value in zip(EVALUATION_RESULT_FIELDS, evaluation_values(result), strict=True):
        setattr(evaluation, name, value)
    evaluation.computed_at = timezone.now()


def indicator_input_from_row(row: tuple) -> IndicatorInput:
    """The engine's view of one indicator from its `INPUT_FIELDS` (a values_list row, or an instance's);
    fields the row carries after them (the bulk rescoring's stored score) are not the engine's."""
    (
        _id,
        _project,
        name,
        target_text,
        actual_text,
        weight,
        nature,
        unit,
        direction_override,
        band,
        band_score,
        reported_score,
        deviation_note,
        not_applicable,
        level1,
        level2,
        *_after,
    ) = row
    # positional, in the order of IndicatorInput's fields (which types._INPUT_FIELDS checks): matching
    # 14 keywords took a third of the call, once per indicator of a bulk rescoring
    return IndicatorInput(
        name,
        target_text,
        actual_text or None,
        weight,
        nature or None,
        unit or None,
        Direction(direction_override) if direction_override else None,
        band or None,
        band_score,
        reported_score,
        deviation_note,
        not_applicable,
        level1,
        level2,
    )


#: flags → the sorted list of their plain texts, as stored (a handful of distinct sets recur)
_FLAG_LISTS: dict[frozenset, list[str]] = {}


def _flag_list(flags: frozenset) -> list[str]:
    texts = _FLAG_LISTS.get(flags)
    if texts is None:
        texts = sorted(flag.value for flag in flags)
        if len(_FLAG_LISTS) < 4096:
            _FLAG_LISTS[flags] = texts
    return list(texts)


#: (model, column) → its shape, read once
_SHAPES: dict[tuple[type, str], tuple[int, int]] = {}


def column_shape(model, name: str) -> tuple[int, int]:
    """(digits before the point, decimal places) of a model's decimal column."""
    shape = _SHAPES.get((model, name))
    if shape is None:
        field = model._meta.get_field(name)
        shape = _SHAPES[(model, name)] = (field.max_digits - field.decimal_places, field.decimal_places)
    return shape


def fits(model, name: str, value: Decimal | None) -> bool:
    """Whether ``value`` can be stored in the column (None always can)."""
    return value is None or fits_column(value, *column_shape(model, name))


#: (model, column) → {value: value as stored}: a province's readings repeat (100, 95, 1 …), and the
#: check and rounding of each were a tenth of a bulk rescoring's Python time (issue #18)
_STORED: dict[tuple[type, str], dict[Decimal, Decimal]] = {}


def stored_decimal(model, name: str, value: Decimal | None) -> Decimal | None:
    """``value`` as the column stores it: rounded half-up to its places (one that does not fit is
    returned as it is, for the caller's check to refuse)."""
    if value is None or not value.is_finite():
        return value
    known = _STORED.get((model, name))
    if known is None:
        known = _STORED[(model, name)] = {}
    # equal decimals (1.0, 1.00) round to the same stored value — but for zero's sign (-0 == 0)
    stored = known.get(value) if value else None
    if stored is None:
        if not fits(model, name, value):
            return value
        stored = round_half_up(value, column_shape(model, name)[1])
        if value:
            if len(known) >= 65536:
                known.clear()
            known[value] = stored
    return stored


#: the engine's readings stored in a column, and the input they are read from
READING_COLUMNS = {"target_value": "target_text", "actual_value": "actual_text"}


def unstorable_values(indicator: Indicator, scheme: Scheme, year: int | None) -> dict[str, Decimal]:
    """The engine's readings of a (possibly unsaved, changed) indicator that no column can hold:
    column name → the number read (a 19-digit actual, 10^15 万人 …). Empty when all fit."""
    result = score_indicator(indicator_input(indicator), scheme, year=year)
    found = {}
    for column, value in (("target_value", result.target.base), ("actual_value", result.actual.base)):
        if not fits(Indicator, column, value):
            found[column] = value
    return found


#: the texts stored for the engine's kinds and directions: an enum member's ``.value`` goes through the
#: enum machinery (a Python-level descriptor) each time, a lookup by the member (a str) does not
_KIND_TEXTS = {kind: kind.value for kind in Kind}
_DIRECTION_TEXTS: dict[Direction | None, str] = {None: "", **{d: d.value for d in Direction}}


def indicator_values(result: IndicatorResult) -> tuple:
    """What `store_indicator_result` writes, in `SCORED_FIELDS` order (readings rounded half-up to
    their columns)."""
    target, actual = result.target, result.actual
    explanation = result.explanation
    return (
        _KIND_TEXTS[target.kind],
        _DIRECTION_TEXTS[result.direction],
        result.direction_source or "",
        stored_decimal(Indicator, "target_value", target.base),
        target.unit or "",
        _KIND_TEXTS[actual.kind],
        stored_decimal(Indicator, "actual_value", actual.base),
        actual.unit or "",
        result.score,
        explanation[:300] if explanation else "",
        _flag_list(result.flags),
    )


def evaluation_values(result: EvaluationResult) -> tuple:
    """What `store_evaluation_result` writes (computed_at aside), in `EVALUATION_RESULT_FIELDS` order."""
    return (
        stored_decimal(Evaluation, "execution_rate", result.execution_rate),
        result.execution_score,
        result.total,
        result.grade or "",
        result.complete,
        [{"code": w.code, "message": w.message} for w in result.warnings],
    )
