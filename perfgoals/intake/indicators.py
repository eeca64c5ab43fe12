"""One indicator row of a file as it will be written: what the engine reads in its target and actual,
its score, its warnings, and the problems of its 档次内得分.

A goals row becomes a new indicator (:func:`planned_indicator`); a results row is matched to a stored
indicator and carries the file's actual, weight, score, band and note onto it (:func:`planned_result`).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from perfgoals import scoring
from perfgoals.engine import (
    Direction,
    IndicatorInput,
    Kind,
    adopt_unit,
    compatible,
    parse,
    score_indicator,
    suggest_direction,
)
from perfgoals.engine.values import format_decimal
from perfgoals.models import STANDARD_101_FIELDS, Indicator
from perfgoals.project_years import IndicatorData
from perfgoals.workflow import band_range

from .reader import FIELD_TITLES, IndicatorRow, Problem


@dataclass
class PlannedIndicator:
    """One indicator row as it will be written, with what the engine read in it."""

    row: IndicatorRow
    data: IndicatorData
    target: Any
    actual: Any | None
    match: Indicator | None = None
    score: Decimal | None = None
    warnings: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=65536)
def squash(text: str) -> str:
    """A name as compared (units, projects, indicators): NFKC, no whitespace at all (remembered: a
    province's names repeat from project to project)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _target_warnings(row: IndicatorRow, target) -> list[str]:
    warnings = list(row.notes)
    if target.kind is Kind.EMPTY:
        warnings.append("指标值为空，需补充。")
    elif target.kind is Kind.UNREADABLE:
        warnings.append(f"指标值「{row.target}」无法识别，评分时需人工设定指标性质。")
    for note in target.recognised:
        if note.startswith(("性质列无法识别", "文字运算符与性质列不一致", "方向矛盾")) or (
            note.startswith("单位列") and "不一致" in note
        ):
            warnings.append(note)
    if target.kind is Kind.QUANTITATIVE and target.direction is None:
        guess = suggest_direction(row.name)
        if guess is not None and guess is not Direction.POSITIVE:
            warnings.append(f"指标值没有写方向，按指标名称推测为{guess.label}，请确认。")
    return warnings


def planned_indicator(row: IndicatorRow, scheme, year: int) -> PlannedIndicator:
    data = IndicatorData(
        level1=row.level1,
        level2=row.level2,
        level1_printed=row.level1_printed,
        level2_printed=row.level2_printed,
        name=row.name,
        nature_printed=row.nature,
        unit_printed=row.measure,
        target_text=row.target,
        actual_text=row.actual or "",
        weight=row.weight,
        reported_score=row.score,
        band=row.band or "",
        band_score=row.band_score,
        deviation_note=row.deviation or "",
        direction_override=row.direction_override or "",
        not_applicable=bool(row.not_applicable),
        explanation=row.explanation or "",
        scoring_standard=row.scoring_standard or "",
        data_source=row.data_source or "",
        basis=row.basis or "",
    )
    target = parse(row.target, nature=row.nature or None, unit=row.measure or None)
    item = PlannedIndicator(
        row=row, data=data, target=target, actual=None, warnings=_target_warnings(row, target)
    )
    if row.actual:
        _read_actual(item, scheme, year)
    return item


def planned_result(row: IndicatorRow, match: Indicator, scheme, year: int) -> PlannedIndicator:
    """A results row: the stored indicator with the file's actual (and weight, score, band, note)."""
    data = IndicatorData(
        level1=match.level1,
        level2=match.level2,
        level1_printed=match.level1_printed,
        level2_printed=match.level2_printed,
        name=match.name,
        nature_printed=match.nature_printed,
        unit_printed=match.unit_printed,
        target_text=match.target_text,
        actual_text=row.actual if row.actual else match.actual_text,
        weight=row.weight if row.weight is not None else match.weight,
        reported_score=row.score if row.score is not None else match.reported_score,
        band=row.band if row.band else match.band,
        band_score=_result_band_score(row, match),
        deviation_note=row.deviation if row.deviation else match.deviation_note,
        direction_override=match.direction_override,
        not_applicable=match.not_applicable,
        **{name: getattr(match, name) for name in (*STANDARD_101_FIELDS, "library_key")},
    )
    target = parse(match.target_text, nature=match.nature_printed or None, unit=match.unit_printed or None)
    item = PlannedIndicator(
        row=row, data=data, target=target, actual=None, match=match, warnings=list(row.notes)
    )
    if row.target and squash(row.target) != squash(match.target_text):
        item.warnings.append(
            f"文件中的指标值「{row.target}」与系统中的「{match.target_text}」不同；目标值不会被修改。"
        )
    # 指标方向 and 不适用 belong to the targets: a results import does not change them (as the target text)
    if row.direction_override is not None and row.direction_override != match.direction_override:
        shown = Direction(row.direction_override).label if row.direction_override else "空"
        item.warnings.append(
            f"文件中的{FIELD_TITLES['direction_override']}「{shown}」与系统中的不同；"
            f"导入完成情况时不修改目标，已忽略。"
        )
    if row.not_applicable is not None and row.not_applicable != match.not_applicable:
        item.warnings.append(
            f"文件中的「不适用」为「{'是' if row.not_applicable else '否'}」，与系统中的不同；"
            f"导入完成情况时不修改目标，已忽略。"
        )
    if row.actual is None or not row.actual:
        item.warnings.append("实际完成值为空，保持原值。" if match.actual_text else "实际完成值为空。")
    _read_actual(item, scheme, year)
    return item


def _result_band_score(row: IndicatorRow, match: Indicator) -> Decimal | None:
    """The file's 档次内得分, else the stored one; but a band changed by the file without a score of its
    own drops the stored score (it was given inside the old band)."""
    if row.band_score is not None:
        return row.band_score
    if row.band and row.band != match.band:
        return None
    return match.band_score


def value_problems(item: PlannedIndicator) -> list[Problem]:
    """A target or actual whose number is too large for its column (a 19-digit target would pass
    the preview and overflow at the confirmation): an error at its cell. A results row's target is
    the stored one and is not checked again."""
    problems = []
    checks = [("actual_value", item.actual, item.data.actual_text, "actual", "实际完成值")]
    if item.match is None:
        checks.insert(0, ("target_value", item.target, item.data.target_text, "target", "指标值"))
    for column, value, text, field_code, title in checks:
        base = getattr(value, "base", None)
        if base is None:
            continue
        if not scoring.fits(Indicator, column, base):
            digits, _places = scoring.column_shape(Indicator, column)
            problems.append(
                item.row.problem(
                    f"{title}「{text[:60]}」的数值过大：换算后超过 {digits} 位整数，无法保存。"
                    "请检查是否多输了数字，或数字与单位（万、亿）是否重复。",
                    field_code,
                )
            )
    return problems


def band_score_problems(item: PlannedIndicator, scheme) -> list[Problem]:
    """档次内得分 needs a band and a weight, and must lie inside the band (as the entry page checks)."""
    data = item.data
    band_score = data.band_score
    if band_score is None:
        return []
    row = item.row
    shown = format_decimal(band_score)
    if not data.band:
        return [
            row.problem(
                f"填写了档次内得分「{shown}」，但没有填写评定档次："
                "请先填写评定档次（如 完成、部分完成、未完成）。",
                "band_score",
            )
        ]
    if data.weight is None:
        return [row.problem(f"填写了档次内得分「{shown}」，但没有分值：请先填写分值。", "band_score")]
    if band_score > data.weight:
        return [
            row.problem(f"档次内得分「{shown}」超过了分值「{format_decimal(data.weight)}」。", "band_score")
        ]
    scale = item.target.scale if item.target.scale in scheme.bands else scheme.default_scale
    found = scheme.find_band(data.band, scale)
    if found is not None and not found[1].contains(band_score, data.weight):
        band = found[1]
        low, high = band_range(band, data.weight)
        return [
            row.problem(
                f"档次内得分「{shown}」不在“{band.short}”档的范围内："
                f"应在 {format_decimal(low)} 至 {format_decimal(high)} 之间"
                f"（分值 {format_decimal(data.weight)} 的 {band.range_display()}）。",
                "band_score",
            )
        ]
    return []


def _read_actual(item: PlannedIndicator, scheme, year: int) -> None:
    data = item.data
    if not data.actual_text:
        return
    actual = parse(data.actual_text)
    item.actual = actual
    if actual.kind is Kind.UNREADABLE:
        item.warnings.append(f"实际完成值「{data.actual_text}」无法识别。")
    elif actual.is_quantitative and item.target.is_quantitative:
        adopted = adopt_unit(actual, item.target)
        if not compatible(adopted, item.target):
            item.warnings.append(
                f"实际完成值的单位「{actual.unit}」与指标值的单位「{item.target.unit}」不一致。"
            )
    result = score_indicator(
        IndicatorInput(
            name=data.name,
            target_text=data.target_text,
            actual_text=data.actual_text,
            weight=data.weight,
            nature=data.nature_printed or None,
            unit=data.unit_printed or None,
            direction_override=Direction(data.direction_override) if data.direction_override else None,
            band=data.band or None,
            band_score=data.band_score,
            reported_score=data.reported_score,
            deviation_note=data.deviation_note,
            level1=data.level1,
            level2=data.level2,
            not_applicable=data.not_applicable,
        ),
        scheme,
        year=year,
    )
    item.score = result.score
    if result.flags:
        labels = [label for label in result.flag_labels if label not in ("已封顶",)]
        if labels:
            item.warnings.append("评分提示：" + "、".join(labels))
