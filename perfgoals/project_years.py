"""Creating and rewriting a project-year as a whole: the project, its fund lines, its indicator tree
and its evaluation.

The demo loader (`perfgoals.demo`), the Excel importer and the year rollover (`perfgoals.intake`) all
build project-years; they describe what they want as a :class:`ProjectYearData` and call
:func:`create_project_year` or :func:`replace_project_year`, so there is one way to do it.
Callers run these inside their own transaction (the importer puts a whole file in one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter

from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from projects.models import BudgetLine, Project, Unit, organisation_of

from . import bulk, collector, scoring
from .choices import Status
from .engine import score_evaluation
from .models import Evaluation, Indicator, ScoringScheme

#: Project fields a ProjectYearData carries, in model order (empty_level2 and source apart)
PROJECT_FIELDS = (
    "fund_user",
    "summary_name",
    "project_type",
    "contact_phone",
    "long_term_goal",
    "goal_text",
    "goal_result_text",
    "start_date",
    "end_date",
    "legal_basis",
    "government_procurement",
    "procurement_amount",
    "total_budget",
)

#: Evaluation fields a ProjectYearData carries (what the unit printed or declared, not what is computed)
EVALUATION_FIELDS = (
    "declared_level1_weights",
    "printed_execution_rate",
    "printed_execution_score",
    "printed_total",
    "printed_grade",
    "low_score_explanation",
)


@dataclass
class IndicatorData:
    """One level-3 indicator to store; level codes are already normalised (see the engine's vocabulary)."""

    level1: str
    level2: str
    name: str
    target_text: str = ""
    level1_printed: str = ""
    level2_printed: str = ""
    nature_printed: str = ""
    unit_printed: str = ""
    actual_text: str = ""
    weight: Decimal | None = None
    reported_score: Decimal | None = None
    band: str = ""
    band_score: Decimal | None = None
    deviation_note: str = ""
    direction_override: str = ""
    not_applicable: bool = False
    # 财预〔2021〕101号
    explanation: str = ""
    scoring_standard: str = ""
    data_source: str = ""
    basis: str = ""
    #: the library entry the indicator was chosen from (its name key)
    library_key: str = ""


@dataclass
class BudgetLineData:
    """One fund source (当年财政拨款 / 上年结转 / 其他资金) in 万元."""

    source: str
    initial: Decimal | None = None
    annual: Decimal | None = None
    executed: Decimal | None = None


@dataclass
class ProjectYearData:
    """Everything a project-year is made of, as plain values."""

    name: str
    year: int
    fund_user: str = ""
    summary_name: str = ""
    project_type: str = ""
    contact_phone: str = ""
    long_term_goal: str = ""
    goal_text: str = ""
    goal_result_text: str = ""
    start_date: date | None = None
    end_date: date | None = None
    legal_basis: str = ""
    government_procurement: bool | None = None
    procurement_amount: Decimal | None = None
    total_budget: Decimal | None = None
    empty_level2: list[list[str]] = field(default_factory=list)
    source: str = ""
    budget_lines: list[BudgetLineData] = field(default_factory=list)
    indicators: list[IndicatorData] = field(default_factory=list)
    # the evaluation
    status: str = Status.DRAFT
    declared_level1_weights: dict[str, str] = field(default_factory=dict)
    printed_execution_rate: Decimal | None = None
    printed_execution_score: Decimal | None = None
    printed_total: Decimal | None = None
    printed_grade: str = ""
    low_score_explanation: str = ""


def _indicator_objects(project: Project, indicators: list[IndicatorData]) -> list[Indicator]:
    return [
        Indicator(
            project=project,
            order=order,
            level1=ind.level1,
            level2=ind.level2,
            level1_printed=ind.level1_printed,
            level2_printed=ind.level2_printed,
            name=ind.name,
            nature_printed=ind.nature_printed,
            unit_printed=ind.unit_printed,
            target_text=ind.target_text,
            actual_text=ind.actual_text,
            weight=ind.weight,
            reported_score=ind.reported_score,
            band=ind.band,
            band_score=ind.band_score,
            deviation_note=ind.deviation_note,
            direction_override=ind.direction_override,
            not_applicable=ind.not_applicable,
            explanation=ind.explanation,
            scoring_standard=ind.scoring_standard,
            data_source=ind.data_source,
            basis=ind.basis,
            library_key=ind.library_key,
        )
        for order, ind in enumerate(indicators, start=1)
    ]


def _budget_line_objects(project: Project, lines: list[BudgetLineData]) -> list[BudgetLine]:
    return [
        BudgetLine(
            project=project,
            source=line.source,
            initial=line.initial,
            annual=line.annual,
            executed=line.executed,
        )
        for line in lines
    ]


def _history_user():
    """The user simple_history would record for a change made now (from the request, if any)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _scored(
    project: Project, evaluation: Evaluation, lines: list[BudgetLine], indicators: list[Indicator], scheme
):
    """Score a project-year held in memory, exactly as ``perfgoals.scoring.recompute`` would once it
    is stored: the same engine input (``evaluation_input``), the same fields written."""
    project.evaluation = evaluation
    # evaluation_input reads the fund lines through the related manager: hand it the unsaved list
    project._prefetched_objects_cache = {"budget_lines": lines}
    try:
        result = score_evaluation(scoring.evaluation_input(project, indicators), scheme)
    finally:
        del project._prefetched_objects_cache
    for indicator, scored in zip(indicators, result.indicators, strict=True):
        scoring.store_indicator_result(indicator, scored)
    scoring.store_evaluation_result(evaluation, result)


#: the indicator columns a new project-year's rows give, in the order of `_indicator_row`
_INDICATOR_COLUMNS = (
    "project_id",
    "order",
    *(name for name in IndicatorData.__dataclass_fields__),
    *scoring.SCORED_FIELDS,
)
#: the evaluation columns a new project-year's row gives (the rest take their defaults)
_EVALUATION_COLUMNS = (
    "project_id",
    "scheme_id",
    "status",
    *EVALUATION_FIELDS,
    *scoring.EVALUATION_RESULT_FIELDS,
    "computed_at",
)


def _budget_sums(lines: list[BudgetLineData]) -> tuple[Decimal | None, Decimal | None]:
    """(annual, executed) of the fund lines, summed as ``Project.budget_totals`` does (None when no
    line gives the figure)."""
    annual = [line.annual for line in lines if line.annual is not None]
    executed = [line.executed for line in lines if line.executed is not None]
    return (
        sum(annual, Decimal(0)) if annual else None,
        sum(executed, Decimal(0)) if executed else None,
    )


def create_project_years(
    items: list[tuple[Unit, ProjectYearData]], *, reason: str | None = None
) -> list[Project]:
    """Create many project-years, each with its fund lines, indicators and evaluation, scored.

    Everything is scored in memory from plain tuples (the engine's inputs, as the bulk rescoring
    reads them: ``scoring.indicator_input_from_row``) and inserted set-based as plain rows
    (``perfgoals.bulk.insert_rows``: COPY on PostgreSQL) — projects first, their keys then read back
    by their unique (unit, year, name), then fund lines, evaluations and indicators — with one history
    row each for projects, evaluations and indicators ("+", the user of the request or task,
    ``reason``), copied by the database. A file of hundreds of projects costs a handful of statements
    a table. The projects must not exist yet (the unique constraint says so).
    """
    if not items:
        return []
    user = _history_user()
    user_id = user.pk if user is not None else None
    organisation = organisation_of(unit.pk for unit, _ in items)
    project_of = attrgetter(*PROJECT_FIELDS)
    bulk.insert_rows(
        Project,
        ("unit_id", "department_id", "region_id", "year", "name", "empty_level2", "source", *PROJECT_FIELDS),
        [
            (
                unit.pk,
                *organisation[unit.pk],
                data.year,
                data.name,
                [list(pair) for pair in data.empty_level2],
                data.source,
                *project_of(data),
            )
            for unit, data in items
        ],
    )
    # the new rows' keys, by their unique (unit, year, name)
    keys = {
        (unit_id, year, name): pk
        for pk, unit_id, year, name in Project.objects.filter(
            unit_id__in={unit.pk for unit, _ in items},
            year__in={data.year for _, data in items},
            name__in={data.name for _, data in items},
        ).values_list("pk", "unit_id", "year", "name")
    }
    project_ids = [keys[(unit.pk, data.year, data.name)] for unit, data in items]
    now = timezone.now()
    bulk.insert_history(Project, "id", project_ids, when=now, reason=reason, user_id=user_id)
    bulk.insert_rows(
        BudgetLine,
        ("project_id", "source", "initial", "annual", "executed"),
        [
            (pk, line.source, line.initial, line.annual, line.executed)
            for pk, (_, data) in zip(project_ids, items, strict=True)
            for line in data.budget_lines
        ],
    )
    projects = Project.objects.in_bulk(project_ids)
    schemes: dict[tuple[int, int], tuple[ScoringScheme, object]] = {}
    evaluation_rows: list[tuple] = []
    indicator_rows: list[tuple] = []
    # the engine's input row (`scoring.INPUT_FIELDS`: id and project_id first, not known yet) and the
    # stored columns of each IndicatorData, read by one C call each
    assert scoring.INPUT_FIELDS[:2] == ["id", "project_id"]
    input_of = attrgetter(*scoring.INPUT_FIELDS[2:])
    values_of = attrgetter(*IndicatorData.__dataclass_fields__)
    with collector.paused():
        for pk, (unit, data) in zip(project_ids, items, strict=True):
            project = projects[pk]
            key = (unit.department.region_id, data.year)
            if key not in schemes:
                scheme = scoring.scheme_for(project)
                schemes[key] = (scheme, scheme.engine_scheme())
            scheme, engine_scheme = schemes[key]
            annual, executed = _budget_sums(data.budget_lines)
            inputs = [(None, None, *input_of(ind)) for ind in data.indicators]
            result = score_evaluation(
                scoring.evaluation_input_from_rows(
                    inputs, annual, executed, data.declared_level1_weights, data.year
                ),
                engine_scheme,
            )
            for order, (ind, scored) in enumerate(zip(data.indicators, result.indicators, strict=True), 1):
                indicator_rows.append(
                    (
                        pk,
                        order,
                        *values_of(ind),
                        *scoring.indicator_values(scored),
                    )
                )
            evaluation_rows.append(
                (
                    pk,
                    scheme.pk,
                    data.status,
                    *(getattr(data, name) for name in EVALUATION_FIELDS),
                    *scoring.evaluation_values(result),
                    now,
                )
            )
    bulk.insert_rows(Evaluation, _EVALUATION_COLUMNS, evaluation_rows)
    bulk.insert_history(Evaluation, "project_id", project_ids, when=now, reason=reason, user_id=user_id)
    bulk.insert_rows(Indicator, _INDICATOR_COLUMNS, indicator_rows)
    bulk.insert_history(Indicator, "project_id", project_ids, when=now, reason=reason, user_id=user_id)
    return [projects[pk] for pk in project_ids]


def create_project_year(unit: Unit, data: ProjectYearData) -> Project:
    """Create one project-year with its fund lines, indicators and evaluation, scored."""
    return create_project_years([(unit, data)])[0]


def replace_project_year(project: Project, data: ProjectYearData, *, budget: bool = True) -> Project:
    """Rewrite an existing project-year from ``data``: its fields, its fund lines (unless ``budget`` is
    False) and its whole indicator tree; then score it again. The evaluation's status is kept.

    Indicators are deleted one by one so that the history records each removal.
    """
    for name in PROJECT_FIELDS:
        setattr(project, name, getattr(data, name))
    project.empty_level2 = [list(pair) for pair in data.empty_level2]
    if data.source:
        project.source = data.source
    project.save(update_fields=[*PROJECT_FIELDS, "empty_level2", "source", "updated_at"])
    if budget:
        for line in project.budget_lines.all():
            line.delete()
        BudgetLine.objects.bulk_create(_budget_line_objects(project, data.budget_lines))
    for indicator in project.indicators.all():
        indicator.delete()
    evaluation = Evaluation.objects.select_related("scheme").get(project=project)
    for name in EVALUATION_FIELDS:
        setattr(evaluation, name, getattr(data, name))
    evaluation.save(update_fields=[*EVALUATION_FIELDS, "updated_at"])
    objects = _indicator_objects(project, data.indicators)
    _scored(project, evaluation, list(project.budget_lines.all()), objects, evaluation.scheme.engine_scheme())
    bulk_create_with_history(objects, Indicator, batch_size=1000, default_user=_history_user())
    # the stored rows decide: recompute writes the evaluation's totals (and nothing else changes)
    scoring.recompute(project)
    return project
