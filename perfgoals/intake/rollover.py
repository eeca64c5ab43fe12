"""The year rollover: last year's projects started again as drafts of the new year, with last
year's targets and actuals linked (``CarriedIndicator``), and the targets relative to last year
("不低于上年") offered as the number they mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from perfgoals import scoring as perf_services
from perfgoals.choices import Status
from perfgoals.engine import Direction, adopt_unit, parse
from perfgoals.engine.values import format_decimal
from perfgoals.models import STANDARD_101_FIELDS, Indicator
from perfgoals.project_years import (
    PROJECT_FIELDS,
    BudgetLineData,
    IndicatorData,
    ProjectYearData,
    create_project_year,
)
from perfgoals.workflow.versions import bump_evaluation, lock_evaluation
from projects.models import Project

from .actors import Actor, history_user
from .models import CarriedIndicator


@dataclass
class RolloverReport:
    created: list[Project] = field(default_factory=list)
    skipped: list[tuple[Project, str]] = field(default_factory=list)


def rollover_sources(actor: Actor, from_year: int) -> QuerySet[Project]:
    """Last year's projects the actor may carry forward."""
    return (
        actor.projects()
        .filter(year=from_year)
        .select_related("unit__department", "evaluation")
        .order_by("unit__name", "name")
    )


def _carried_data(source: Project, to_year: int) -> ProjectYearData:
    """Last year's project as a draft of the new year: trees and targets kept, results cleared."""
    evaluation = source.evaluation
    return ProjectYearData(
        name=source.name,
        year=to_year,
        **{name: getattr(source, name) for name in PROJECT_FIELDS if name != "goal_result_text"},
        goal_result_text="",
        empty_level2=[list(pair) for pair in source.empty_level2 or []],
        source=f"由 {source.year} 年项目结转",
        budget_lines=[
            BudgetLineData(line.source, line.initial, line.annual, None) for line in source.budget_lines.all()
        ],
        indicators=[
            IndicatorData(
                level1=ind.level1,
                level2=ind.level2,
                level1_printed=ind.level1_printed,
                level2_printed=ind.level2_printed,
                name=ind.name,
                nature_printed=ind.nature_printed,
                unit_printed=ind.unit_printed,
                target_text=ind.target_text,
                weight=ind.weight,
                direction_override=ind.direction_override,
                # 财预〔2021〕101号 and the library link: what the indicator means does not change with the year
                **{name: getattr(ind, name) for name in (*STANDARD_101_FIELDS, "library_key")},
            )
            for ind in source.indicators.all()
        ],
        status=Status.DRAFT,
        declared_level1_weights=dict(evaluation.declared_level1_weights or {}),
    )


def rollover(actor: Actor, project_ids: Iterable[int], to_year: int) -> RolloverReport:
    """Start ``to_year`` from the given projects: copies as drafts, with last year's values linked.

    All or nothing (one transaction); a project whose copy already exists is skipped, so running it
    twice creates nothing new.
    """
    report = RolloverReport()
    sources = list(
        actor.projects()
        .filter(pk__in=list(project_ids))
        .select_related("unit__department__region", "evaluation")
        .prefetch_related("indicators", "budget_lines")
        .order_by("unit__name", "name")
    )
    with history_user(actor.user), transaction.atomic():
        for source in sources:
            if source.year >= to_year:
                report.skipped.append((source, f"项目年度 {source.year} 不早于 {to_year}"))
                continue
            if Project.objects.filter(unit=source.unit, year=to_year, name=source.name).exists():
                report.skipped.append((source, f"{to_year} 年已有同名项目"))
                continue
            project = create_project_year(source.unit, _carried_data(source, to_year))
            new_indicators = list(project.indicators.order_by("order"))
            CarriedIndicator.objects.bulk_create(
                CarriedIndicator(
                    indicator=new,
                    previous=old,
                    previous_year=source.year,
                    previous_target_text=old.target_text,
                    previous_actual_text=old.actual_text,
                    previous_actual_value=old.actual_value,
                    previous_actual_unit=old.actual_unit,
                    previous_score=old.score,
                    previous_weight=old.weight,
                    created_by=actor.user,
                )
                for new, old in zip(new_indicators, source.indicators.all(), strict=True)
            )
            report.created.append(project)
    return report


@dataclass
class ComparedIndicator:
    """A new indicator beside what it was last year (for the rollover page)."""

    indicator: Indicator
    carried: CarriedIndicator | None
    suggestion: str = ""


def relative_suggestion(indicator: Indicator, carried: CarriedIndicator | None) -> str:
    """For a target such as "不低于上年", the number it means given last year's actual ("≥400.3万人")."""
    if carried is None or not carried.previous_actual_text:
        return ""
    target = parse(
        indicator.target_text, nature=indicator.nature_printed or None, unit=indicator.unit_printed or None
    )
    if target.relative != "上年" or target.direction is None:
        return ""
    previous_target = parse(carried.previous_target_text)
    actual = adopt_unit(parse(carried.previous_actual_text), previous_target)
    if not actual.is_quantitative or actual.number is None:
        return ""
    symbol = {Direction.POSITIVE: "≥", Direction.NEGATIVE: "≤", Direction.EQUAL: "=", Direction.APPROX: "≈"}[
        target.direction
    ]
    if target.strict:
        symbol = {"≥": ">", "≤": "<"}.get(symbol, symbol)
    return f"{symbol}{format_decimal(actual.number)}{actual.printed_unit or ''}"


def compare_with_last_year(project: Project) -> list[ComparedIndicator]:
    """Each indicator of a project with last year's target and actual beside it."""
    indicators = list(project.indicators.order_by("order"))
    carried = {c.indicator_id: c for c in CarriedIndicator.objects.filter(indicator__in=indicators)}
    rows = []
    for indicator in indicators:
        link = carried.get(indicator.pk)
        rows.append(ComparedIndicator(indicator, link, relative_suggestion(indicator, link)))
    return rows


def apply_suggestion(actor: Actor, indicator_id: int) -> Indicator | None:
    """Replace a relative target ("不低于上年") by the number it means; drafts only. None when not allowed.

    A change of the targets like any other: under the evaluation's lock, the indicator's and the
    evaluation's versions moved on with a history reason, so a page loaded before it is refused
    (``VersionConflict``) when it submits."""
    indicator = (
        Indicator.objects.filter(pk=indicator_id, project__in=actor.projects())
        .select_related("project")
        .first()
    )
    if indicator is None:
        return None
    with history_user(actor.user), transaction.atomic():
        evaluation = lock_evaluation(indicator.project)
        if evaluation.status != Status.DRAFT:
            return None
        indicator = Indicator.objects.select_for_update().select_related("project").get(pk=indicator.pk)
        carried = CarriedIndicator.objects.filter(indicator=indicator).first()
        suggestion = relative_suggestion(indicator, carried)
        if not suggestion:
            return None
        before = indicator.target_text
        indicator.target_text = suggestion
        indicator.version += 1
        indicator._change_reason = f"按上年实际值设定指标值：{before} → {suggestion}"[:100]
        indicator.save(update_fields=["target_text", "version"])
        bump_evaluation(evaluation, f"指标“{indicator.name}”的指标值按上年实际值设为“{suggestion}”")
        perf_services.recompute(indicator.project)
    return indicator
