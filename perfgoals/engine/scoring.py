"""Scoring indicators and whole self-evaluations by a :class:`~perfgoals.engine.schemes.Scheme`.

:func:`score_indicator` scores one indicator; :func:`score_evaluation` scores a project-year
(budget execution + indicators, level-1 subtotals, total, grade, warnings). Both are pure functions
of their immutable inputs. Every score is a Decimal rounded half-up at the end; every explanation,
flag label and warning is Chinese.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal
from enum import StrEnum
from types import MappingProxyType

from .nature import direction_signal
from .schemes import Band, Scheme
from .values import (
    Direction,
    Kind,
    Value,
    adopt_unit,
    compatible,
    format_decimal,
    normalise_text,
    parse,
    to_decimal,
)
from .vocabulary import LEVEL1, level1_of, normalise_level1, normalise_level2

__all__ = [
    "EvaluationInput",
    "EvaluationResult",
    "EvaluationWarning",
    "Flag",
    "IndicatorInput",
    "IndicatorResult",
    "Subtotal",
    "UNCLASSIFIED",
    "score_evaluation",
    "score_indicator",
]

#: subtotal key of indicators whose level 1 is unknown
UNCLASSIFIED = "unclassified"


class Flag(StrEnum):
    """Something about an indicator a person should look at; ``.label`` is the Chinese text."""

    DEVIATION_NOTE_REQUIRED = "deviation_note_required"
    OVERSHOOT = "overshoot"
    UNIT_MISMATCH = "unit_mismatch"
    TARGET_UNREADABLE = "target_unreadable"
    ACTUAL_UNREADABLE = "actual_unreadable"
    ACTUAL_MISSING = "actual_missing"
    BAND_REQUIRED = "band_required"
    BAND_SCORE_OUT_OF_RANGE = "band_score_out_of_range"
    DIRECTION_SUGGESTED = "direction_suggested"
    CAPPED = "capped"
    REPORTED_SCORE_DIFFERS = "reported_score_differs"
    DEADLINE_LATE = "deadline_late"
    NO_WEIGHT = "no_weight"
    TARGET_ZERO = "target_zero"

    @property
    def label(self) -> str:
        """The Chinese label shown to users."""
        return _FLAG_LABELS[self]


_FLAG_LABELS = MappingProxyType(
    {
        Flag.DEVIATION_NOTE_REQUIRED: "需说明偏差原因",
        Flag.OVERSHOOT: "超额过多需说明",
        Flag.UNIT_MISMATCH: "单位不一致",
        Flag.TARGET_UNREADABLE: "目标值无法识别",
        Flag.ACTUAL_UNREADABLE: "实际值无法识别",
        Flag.ACTUAL_MISSING: "未填实际值",
        Flag.BAND_REQUIRED: "需评定档次",
        Flag.BAND_SCORE_OUT_OF_RANGE: "得分超出档次范围",
        Flag.DIRECTION_SUGGESTED: "指标方向为推测需确认",
        Flag.CAPPED: "已封顶",
        Flag.REPORTED_SCORE_DIFFERS: "自报得分与计算不符",
        Flag.DEADLINE_LATE: "逾期完成",
        Flag.NO_WEIGHT: "未设分值",
        Flag.TARGET_ZERO: "目标值为零",
    }
)

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


# --- inputs and results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    """One level-3 indicator as printed or entered.

    ``weight``, ``band_score`` and ``reported_score`` accept Decimal, int or str (never float).
    ``direction_override`` is the user's explicit choice and always wins; ``band`` names a band of the
    scale in use ("完成", "部分完成", "优" …), ``band_score`` the score the user gives inside it.
    """

    name: str
    target_text: str | None
    actual_text: str | None = None
    weight: Decimal | None = None
    nature: str | None = None
    unit: str | None = None
    direction_override: Direction | None = None
    band: str | None = None
    band_score: Decimal | None = None
    reported_score: Decimal | None = None
    deviation_note: str = ""
    not_applicable: bool = False
    level1: str | None = None
    level2: str | None = None

    def __post_init__(self) -> None:
        # accept the loose types forms and JSON deliver, but never a float
        for key in ("weight", "band_score", "reported_score"):
            object.__setattr__(self, key, to_decimal(getattr(self, key)))
        if self.direction_override is not None and not isinstance(self.direction_override, Direction):
            object.__setattr__(self, "direction_override", Direction(self.direction_override))
        if self.deviation_note is None:
            object.__setattr__(self, "deviation_note", "")
        if self.name is None:
            object.__setattr__(self, "name", "")


@dataclass(frozen=True)
class IndicatorResult:
    """What scoring made of one indicator.

    ``score`` is None when it cannot be computed (see ``flags``); ``weight`` is the weight used (after
    rescaling, when the scheme drops not-applicable indicators); ``direction_source`` is one of
    "user", "column", "operator", "word", "name", "default" (None for non-quantitative targets
    without a direction); ``ratio`` is the achievement ratio (B/A, or A/B for negative targets).
    """

    name: str
    level1: str | None
    level2: str | None
    weight: Decimal | None
    score: Decimal | None
    explanation: str
    flags: frozenset[Flag]
    direction: Direction | None
    direction_source: str | None
    target: Value
    actual: Value
    achieved: bool | None = None
    ratio: Decimal | None = None
    suggested_band: str | None = None
    band: str | None = None
    band_scale: str | None = None
    not_applicable: bool = False
    reported_score: Decimal | None = None

    @property
    def flag_labels(self) -> tuple[str, ...]:
        """The Chinese labels of the flags, in a stable order."""
        return tuple(flag.label for flag in Flag if flag in self.flags)


@dataclass(frozen=True)
class EvaluationInput:
    """A project-year's self-evaluation input.

    ``budget_annual`` is 全年预算数 (A), ``budget_executed`` 全年执行数 (B);
    ``declared_level1_weights`` the level-1 weights printed in the table headers (level-1 code or
    printed name → weight; may be empty). ``reported_execution_score`` / ``reported_total`` are what
    the unit printed, compared with the computed values when given.
    """

    budget_annual: Decimal | None = None
    budget_executed: Decimal | None = None
    indicators: Sequence[IndicatorInput] = ()
    declared_level1_weights: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    year: int | None = None
    reported_execution_score: Decimal | None = None
    reported_total: Decimal | None = None

    def __post_init__(self) -> None:
        for key in ("budget_annual", "budget_executed", "reported_execution_score", "reported_total"):
            object.__setattr__(self, key, to_decimal(getattr(self, key)))
        object.__setattr__(self, "indicators", tuple(self.indicators))
        declared: dict[str, Decimal] = {}
        for key, weight in dict(self.declared_level1_weights or {}).items():
            code = normalise_level1(key) or key
            value = to_decimal(weight)
            if value is not None:
                declared[code] = value
        object.__setattr__(self, "declared_level1_weights", MappingProxyType(declared))


@dataclass(frozen=True)
class Subtotal:
    """One level-1 block: the indicators' weights and scores, and what the block contributes.

    ``capped_score`` is ``score_sum`` capped at ``declared_weight`` when the scheme caps level-1
    subtotals and a header weight was printed; otherwise equal to ``score_sum``.
    """

    level1: str
    name: str
    weight_sum: Decimal
    declared_weight: Decimal | None
    score_sum: Decimal
    capped_score: Decimal
    indicator_count: int
    scored_count: int


@dataclass(frozen=True)
class EvaluationWarning:
    """A problem of the whole evaluation: a stable ``code`` and a Chinese ``message``."""

    code: str
    message: str


@dataclass(frozen=True)
class EvaluationResult:
    """The scored self-evaluation of a project-year.

    ``execution_rate`` is B/A unrounded (``execution_rate_display`` the percentage at 2 places);
    ``subtotals`` is keyed by level-1 code in print order; ``total`` never exceeds the scheme total.
    """

    scheme_code: str
    execution_rate: Decimal | None
    execution_rate_display: str
    execution_score: Decimal | None
    execution_explanation: str
    subtotals: Mapping[str, Subtotal]
    indicators: tuple[IndicatorResult, ...]
    total: Decimal
    grade: str | None
    low_score_explanation_required: bool
    complete: bool
    warnings: tuple[EvaluationWarning, ...]

    @property
    def warning_messages(self) -> tuple[str, ...]:
        """The warnings' Chinese messages."""
        return tuple(w.message for w in self.warnings)


# --- helpers --------------------------------------------------------------------------------------


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _round(value: Decimal, places: int = 2, rounding: str = ROUND_HALF_UP) -> Decimal:
    # enough precision for any finite value, so that quantize never signals InvalidOperation
    context = Context(prec=max(28, value.adjusted() + places + 3))
    return value.quantize(_quantum(places), rounding=rounding, context=context)


def _full(weight: Decimal, places: int) -> Decimal:
    """The full weight as a score: rounded half-up, or down if that would exceed the weight
    (only possible for a weight with more decimal places than a score)."""
    rounded = _round(weight, places)
    return rounded if rounded <= weight else _round(weight, places, ROUND_DOWN)


def _fmt(value: Decimal) -> str:
    return format_decimal(value)


def _qty(operator: str, number: Decimal, unit: str | None) -> str:
    """ "≤60 分钟", "93%": a quantity for explanations (a space before a Chinese unit)."""
    text = f"{operator}{_fmt(number)}"
    if unit:
        text += unit if unit[0] in "%‰" else f" {unit}"
    return text


def _compact_for_compare(text: str | None) -> str:
    """Text without whitespace and punctuation, for "the actual restates the target"."""
    return "".join(ch for ch in normalise_text(text) if ch.isalnum() or ch in "%‰≥≤<>=≈")


_DONE_PHRASES = (
    "达成预期指标",
    "达到预期目标",
    "达到预期",
    "已完成",
    "按期完成",
    "按时完成",
    "如期完成",
    "全部完成",
    "已达成",
)
_NEGATIONS = ("未", "没", "尚", "不", "无", "差")


def _suggest_band(target: Value, actual: Value, scheme: Scheme, scale: str) -> str | None:
    """A band to propose (never applied): the band an actual names on a printed scale ("良" against
    "优良中低差"), or the top band when the actual plainly reports the target as met; else None."""
    if actual.kind is Kind.EMPTY or target.kind is Kind.EMPTY:
        return None
    if target.scale is not None and actual.text:
        named = scheme.find_band(normalise_text(actual.text).strip("。.;；"), target.scale)
        if named is not None and named[0] == target.scale:
            return named[1].short
    top = _top_band(scheme, scale)
    if top is None:
        return None
    t = _compact_for_compare(target.text)
    a = _compact_for_compare(actual.text)
    if not a:
        return None
    if a == t:
        return top.short
    negated = any(neg in a and neg not in t for neg in _NEGATIONS)
    if negated:
        return None
    if any(phrase in a for phrase in _DONE_PHRASES):
        return top.short
    # "减轻" → "参保居民医疗负担减轻": the actual contains the (short, qualitative) target word for word
    if target.kind is Kind.QUALITATIVE and 2 <= len(t) <= 10 and t in a:
        return top.short
    return None


def _top_band(scheme: Scheme, scale: str) -> Band | None:
    bands = scheme.bands.get(scale) or scheme.bands.get(scheme.default_scale) or ()
    return max(bands, key=lambda band: band.high_pct, default=None)


def _scale_for(target: Value, scheme: Scheme) -> str:
    return target.scale if target.scale in scheme.bands else scheme.default_scale


@dataclass
class _Work:
    """Mutable scratchpad of one score_indicator call (never leaves the function)."""

    flags: set[Flag] = field(default_factory=set)
    parts: list[str] = field(default_factory=list)
    score: Decimal | None = None
    achieved: bool | None = None
    ratio: Decimal | None = None
    band: str | None = None
    band_scale: str | None = None


def _resolve_direction(inp: IndicatorInput, target: Value) -> tuple[Direction | None, str | None, str]:
    """Direction, its source, and a note for the explanation (empty unless it was guessed)."""
    if inp.direction_override is not None:
        return inp.direction_override, "user", ""
    if target.direction is not None:
        return target.direction, target.direction_source or "operator", ""
    if target.kind is not Kind.QUANTITATIVE:
        return None, None, ""
    suggested, keyword = direction_signal(inp.name)
    if suggested is not None:
        kind = "反向" if suggested is Direction.NEGATIVE else "正向"
        return suggested, "name", f"按指标名称“{keyword}”推测为{kind}指标，请确认"
    return Direction.POSITIVE, "default", "未标明指标方向，按正向计，请确认"


def _score_by_band(
    inp: IndicatorInput, scheme: Scheme, weight: Decimal, scale: str, prefix: str, work: _Work
) -> None:
    """Score inside the user's band, or flag BAND_REQUIRED."""
    found = scheme.find_band(inp.band, scale)
    if found is None:
        work.flags.add(Flag.BAND_REQUIRED)
        if inp.band:
            work.parts.append(f"{prefix}：档次“{inp.band}”无法识别，需评定档次")
        else:
            work.parts.append(f"{prefix}，需评定档次")
        return
    scale_used, band = found
    places = scheme.score_places
    low = _round(band.low_score(weight), places, ROUND_UP)
    top = _round(band.top_score(weight, places), places, ROUND_DOWN)
    label = f"{band.short}（{band.range_display()}）"
    if inp.band_score is not None:
        given = _round(inp.band_score, places)
        if band.contains(inp.band_score, weight) and band.contains(given, weight):
            score = given
            work.parts.append(f"{prefix}：{label}，评分 {score}")
        else:
            # out of range: clamp to the nearest edge of the band the user chose (the band is the
            # judgement, the number a slip); the flag makes sure someone looks at it
            score = low if inp.band_score < low else top
            work.flags.add(Flag.BAND_SCORE_OUT_OF_RANGE)
            work.parts.append(f"{prefix}：{label}，自评 {_fmt(inp.band_score)} 分超出该档范围，按 {score} 计")
    else:
        score = top
        work.parts.append(f"{prefix}：{label}，按该档上限评分 {score}")
    # a band narrower than one cent (odd weights with more places) cannot hold a rounded score:
    # never go above the band's rounded-down top, nor above the weight itself
    work.score = min(score, top, _round(weight, places, ROUND_DOWN))
    work.band = band.short
    work.band_scale = scale_used
    work.achieved = band.high_inclusive


def _formula(
    target: Value,
    actual: Value,
    direction: Direction,
    weight: Decimal,
    scheme: Scheme,
    work: _Work,
) -> bool:
    """Score a quantitative target against a quantitative actual. False when no formula applies."""
    a = target.base
    b = actual.base
    assert a is not None and b is not None  # guaranteed by the caller (both quantitative)
    places = scheme.score_places
    # both sides are shown in the target's terms ("232.28 万人" against "230 万人")
    if actual.magnitude == target.magnitude and actual.number is not None:
        shown_b = actual.number
        b_unit = target.printed_unit or actual.printed_unit
    else:
        shown_b = b / target.magnitude
        b_unit = target.printed_unit or actual.unit
    a_number = target.number if target.number is not None else a
    a_txt, b_txt, w_txt = _fmt(a_number), _fmt(shown_b), _fmt(weight)
    head = (
        f"实际 {_qty('', shown_b, b_unit)}，"
        f"目标 {_qty(target.operator_symbol(), a_number, target.printed_unit or b_unit)}"
    )
    strict = target.strict and target.direction is direction

    if direction is Direction.POSITIVE:
        mode = "positive"
    elif direction is Direction.NEGATIVE:
        mode = "negative"
    elif direction is Direction.EQUAL:
        mode = scheme.equal_as
    else:
        mode = scheme.approx_as

    if a < 0:
        work.parts.append(f"{head}：目标值为负数，无法按比例计分")
        return False

    if a == 0:
        work.flags.add(Flag.TARGET_ZERO)
        # with a zero target a ratio is meaningless: "=0" / "≤0" are met only by 0, "≥0" by anything ≥ 0
        if direction in (Direction.EQUAL, Direction.NEGATIVE):
            met = b <= 0
            rule = "实际不超过 0"
        else:
            met = b >= 0
            rule = "实际不低于 0"
        work.achieved = met
        work.score = _full(weight, places) if met else _round(_ZERO, places)
        verdict = f"{rule}，得满分 {work.score}" if met else f"未达到，得 {work.score}"
        work.parts.append(f"{head}：目标值为 0，{verdict}")
        return True

    if mode == "positive":
        work.achieved = b > a if (strict and direction is Direction.POSITIVE) else b >= a
        work.ratio = b / a
    elif mode == "negative":
        work.achieved = b < a if strict else b <= a
        work.ratio = a / b if b > 0 else None
    else:  # two_sided
        work.achieved = b == a
        work.ratio = b / a

    if scheme.full_when_met and work.achieved:
        work.score = _full(weight, places)
        work.parts.append(f"{head}：已达成，得满分 {work.score}")
        return True

    if mode == "positive":
        raw = b / a * weight
        formula = f"{b_txt} ÷ {a_txt} × {w_txt}"
    elif mode == "negative" and scheme.negative_formula == "inverse_ratio":
        if b <= 0:
            work.score = _full(weight, places)
            work.parts.append(f"{head}：实际为 {_fmt(shown_b)}，得满分 {work.score}")
            return True
        raw = a / b * weight
        formula = f"{a_txt} ÷ {b_txt} × {w_txt}"
    elif mode == "negative":  # linear_excess
        if b <= a:
            work.score = _full(weight, places)
            work.parts.append(f"{head}：未超过目标，得满分 {work.score}")
            return True
        if b >= 2 * a:
            work.score = _round(_ZERO, places)
            work.parts.append(f"{head}：达到目标的 2 倍及以上，得 {work.score}")
            return True
        raw = (1 - (b - a) / a) * weight
        formula = f"(1 − ({b_txt} − {a_txt}) ÷ {a_txt}) × {w_txt}"
    else:  # two_sided
        if b <= 0:
            raw = _ZERO
            formula = f"{b_txt} ≤ 0"
        else:
            raw = min(a / b, b / a) * weight
            formula = f"min({a_txt} ÷ {b_txt}, {b_txt} ÷ {a_txt}) × {w_txt}"

    text = f"{head}：{formula} = {_round(raw, places)}"
    value = raw
    if value < 0:
        value = _ZERO
        text += "，按 0 计"
    if scheme.cap_at_weight and value > weight:
        value = weight
        work.flags.add(Flag.CAPPED)
        text += f"，封顶 {_round(weight, places)}"
    score = _round(value, places)
    if scheme.cap_at_weight and score > weight:
        # only reachable with a weight of more decimal places than the score: stay under it
        score = _round(weight, places, ROUND_DOWN)
    work.score = score
    work.parts.append(text)
    return True


def _deadline(
    inp: IndicatorInput,
    target: Value,
    actual: Value,
    weight: Decimal,
    scheme: Scheme,
    year: int | None,
    work: _Work,
) -> None:
    """Compare a deadline target with the date an actual reports."""
    assert target.deadline is not None and actual.deadline is not None
    # a missing year comes from the evaluation year, else from the other side; 2000 keeps month/day order
    due_year = year or actual.deadline.year or 2000
    done_year = year or target.deadline.year or due_year
    try:
        due = target.deadline.resolve(due_year)
        done = actual.deadline.resolve(done_year)
    except ValueError:
        work.flags.add(Flag.TARGET_UNREADABLE)
        work.parts.append("期限无法换算为日期，需评定档次")
        _score_by_band(inp, scheme, weight, scheme.default_scale, "期限", work)
        return
    if done <= due:
        work.achieved = True
        work.score = _full(weight, scheme.score_places)
        work.parts.append(f"按期完成（期限 {due.isoformat()}），得满分 {work.score}")
        return
    work.achieved = False
    work.flags.add(Flag.DEADLINE_LATE)
    late = f"逾期完成（期限 {due.isoformat()}，完成 {done.isoformat()}）"
    if scheme.deadline_late == "zero":
        work.score = _round(_ZERO, scheme.score_places)
        work.parts.append(f"{late}，得 {work.score}")
        return
    _score_by_band(inp, scheme, weight, scheme.default_scale, late, work)


# --- indicator ------------------------------------------------------------------------------------


def score_indicator(inp: IndicatorInput, scheme: Scheme, *, year: int | None = None) -> IndicatorResult:
    """Score one indicator by ``scheme``; ``year`` is the fiscal year (fills years missing from deadlines).

    See the package docstring for the rules; the result's ``explanation`` shows the arithmetic.
    """
    target = parse(inp.target_text, nature=inp.nature, unit=inp.unit)
    actual = adopt_unit(parse(inp.actual_text, unit=inp.unit), target)
    scale = _scale_for(target, scheme)
    work = _Work()
    direction, source, direction_note = _resolve_direction(inp, target)
    suggested = _suggest_band(target, actual, scheme, scale)
    weight = inp.weight

    def result() -> IndicatorResult:
        return IndicatorResult(
            name=inp.name,
            level1=inp.level1,
            level2=inp.level2,
            weight=weight,
            score=work.score,
            explanation="；".join(part for part in work.parts if part),
            flags=frozenset(work.flags),
            direction=direction,
            direction_source=source,
            target=target,
            actual=actual,
            achieved=work.achieved,
            ratio=work.ratio,
            suggested_band=suggested,
            band=work.band,
            band_scale=work.band_scale,
            not_applicable=inp.not_applicable,
            reported_score=inp.reported_score,
        )

    if inp.not_applicable:
        work.parts.append("不适用，不计分")
        return result()
    if weight is None or weight < 0:
        work.flags.add(Flag.NO_WEIGHT)
        work.parts.append("未设分值，无法计分" if weight is None else "分值为负数，无法计分")
        return result()

    if target.kind in (Kind.EMPTY, Kind.UNREADABLE):
        work.flags.add(Flag.TARGET_UNREADABLE)
    if actual.kind is Kind.UNREADABLE:
        work.flags.add(Flag.ACTUAL_UNREADABLE)

    if actual.kind is Kind.EMPTY:
        work.flags.add(Flag.ACTUAL_MISSING)
        work.parts.append("未填实际值")
    elif target.kind is Kind.QUANTITATIVE and direction is not None:
        if actual.is_quantitative and compatible(target, actual):
            if not _formula(target, actual, direction, weight, scheme, work):
                _score_by_band(inp, scheme, weight, scale, "按定性评判", work)
        elif actual.is_quantitative:
            work.flags.add(Flag.UNIT_MISMATCH)
            prefix = f"单位不一致（目标 {target.unit}，实际 {actual.unit}），按定性评判"
            if inp.band:
                _score_by_band(inp, scheme, weight, scale, prefix, work)
            else:
                work.parts.append(f"单位不一致（目标 {target.unit}，实际 {actual.unit}），无法按公式计分")
        else:
            _score_by_band(inp, scheme, weight, scale, "实际值为文字描述，按定性评判", work)
        if direction_note and work.score is not None and work.band is None:
            # only a formula depends on the direction; a band score does not need it confirmed
            work.flags.add(Flag.DIRECTION_SUGGESTED)
            work.parts.append(direction_note)
    elif target.kind is Kind.DEADLINE:
        if actual.kind is Kind.DEADLINE:
            _deadline(inp, target, actual, weight, scheme, year, work)
        else:
            _score_by_band(inp, scheme, weight, scale, "实际值不是日期，按定性评判", work)
    else:
        if target.kind is Kind.EMPTY:
            prefix = "未填目标值，按定性评判"
        elif target.kind is Kind.UNREADABLE:
            prefix = "目标值无法识别，按定性评判"
        else:
            prefix = "定性"
        _score_by_band(inp, scheme, weight, scale, prefix, work)

    if Flag.BAND_REQUIRED in work.flags and suggested:
        work.parts.append(f"建议档次：{suggested}")

    score = work.score
    if score is not None:
        if score < weight and not (inp.deviation_note or "").strip():
            work.flags.add(Flag.DEVIATION_NOTE_REQUIRED)
        threshold = scheme.overshoot_threshold
        if threshold is not None and work.ratio is not None and work.ratio >= 1 + threshold:
            work.flags.add(Flag.OVERSHOOT)
            work.parts.append(
                f"实际超出目标 {_fmt(_round((work.ratio - 1) * _HUNDRED, 0))}%，须说明目标设定是否偏低"
            )
        if inp.reported_score is not None and inp.reported_score != score:
            work.flags.add(Flag.REPORTED_SCORE_DIFFERS)
            work.parts.append(f"自报得分 {_fmt(inp.reported_score)}，与计算 {score} 不符")
    return result()


# --- evaluation -----------------------------------------------------------------------------------


def _level1_code(ind: IndicatorInput) -> str | None:
    """The indicator's level-1 code: as given (code or printed name), else from its level 2."""
    code = normalise_level1(ind.level1)
    if code is None and ind.level2:
        level2 = normalise_level2(ind.level2)
        code = level1_of(level2) if level2 else None
    return code


def _distribute(weights: list[Decimal], target_sum: Decimal) -> list[Decimal]:
    """Scale weights proportionally to ``target_sum`` at 2 places; the last absorbs the rounding."""
    current = sum(weights, _ZERO)
    if current == 0 or not weights:
        return weights
    scaled = [_round(w * target_sum / current) for w in weights]
    scaled[-1] += target_sum - sum(scaled, _ZERO)
    return scaled


def _effective_weights(
    inp: EvaluationInput, codes: list[str], scheme: Scheme, warnings: list[EvaluationWarning]
) -> tuple[list[Decimal | None], Decimal]:
    """The weights indicators are scored with, and the factor applied to declared level-1 caps."""
    weights: list[Decimal | None] = [ind.weight for ind in inp.indicators]
    dropped = [i for i, ind in enumerate(inp.indicators) if ind.not_applicable]
    if not dropped:
        return weights, Decimal(1)
    names = "、".join(f"“{inp.indicators[i].name}”" for i in dropped)
    if not scheme.drop_not_applicable:
        lost = sum((inp.indicators[i].weight or _ZERO for i in dropped), _ZERO)
        warnings.append(
            EvaluationWarning(
                "not_applicable_excluded", f"指标{names}不适用，未计分（分值 {_fmt(lost)} 未分配）"
            )
        )
        return weights, Decimal(1)
    # first within each level 1, so that the printed level-1 weights still hold
    lost_total = _ZERO
    for code in dict.fromkeys(codes):
        members = [i for i, c in enumerate(codes) if c == code and weights[i] is not None]
        original = sum((weights[i] or _ZERO for i in members), _ZERO)
        keep = [i for i in members if not inp.indicators[i].not_applicable]
        if not keep:
            lost_total += original
            continue
        for i, w in zip(keep, _distribute([weights[i] or _ZERO for i in keep], original), strict=True):
            weights[i] = w
    factor = Decimal(1)
    if lost_total > 0:
        # a whole level 1 is not applicable: its weight goes to every remaining indicator
        keep = [i for i, w in enumerate(weights) if w is not None and not inp.indicators[i].not_applicable]
        remaining = sum((weights[i] or _ZERO for i in keep), _ZERO)
        if remaining > 0:
            factor = (remaining + lost_total) / remaining
            for i, w in zip(
                keep, _distribute([weights[i] or _ZERO for i in keep], remaining + lost_total), strict=True
            ):
                weights[i] = w
    warnings.append(
        EvaluationWarning("not_applicable_rescaled", f"指标{names}不适用，已剔除，其余指标分值按比例调整")
    )
    return weights, factor


def _execution(
    inp: EvaluationInput, scheme: Scheme, warnings: list[EvaluationWarning]
) -> tuple[Decimal | None, str, Decimal | None, str]:
    a, b = inp.budget_annual, inp.budget_executed
    weight = scheme.execution_weight
    if a is None:
        warnings.append(EvaluationWarning("execution_missing", "未填全年预算数（A），无法计算预算执行率"))
        return None, "", None, "未填全年预算数，无法计算"
    if a == 0:
        warnings.append(EvaluationWarning("execution_missing", "全年预算数（A）为 0，无法计算预算执行率"))
        return None, "", None, "全年预算数为 0，无法计算"
    if b is None:
        warnings.append(EvaluationWarning("execution_missing", "未填全年执行数（B），无法计算预算执行率"))
        return None, "", None, "未填全年执行数，无法计算"
    rate = b / a
    rate_display = f"{_round(rate * _HUNDRED)}%"
    raw = rate * weight
    value = max(min(raw, weight), _ZERO)
    if scheme.execution_rounding == "integer":
        score = _round(value, 0)
    else:
        score = _round(value)
    text = f"{_fmt(b)} ÷ {_fmt(a)} × {_fmt(weight)} = {_round(raw)}"
    if raw > weight:
        text += f"，封顶 {_round(weight)}"
    if scheme.execution_rounding == "integer":
        text += f"，取整 {score}"
    if b > a:
        warnings.append(
            EvaluationWarning("execution_over_budget", f"执行数超过预算数（执行率 {rate_display}）")
        )
    if inp.reported_execution_score is not None and inp.reported_execution_score != score:
        warnings.append(
            EvaluationWarning(
                "reported_execution_differs",
                f"自报预算执行得分 {_fmt(inp.reported_execution_score)}，与计算 {score} 不符",
            )
        )
    return rate, rate_display, score, text


def score_evaluation(inp: EvaluationInput, scheme: Scheme) -> EvaluationResult:
    """Score a whole self-evaluation: budget execution, every indicator, level-1 subtotals, total, grade.

    The total is execution + each level-1 subtotal (capped at its printed header weight when the
    scheme says so), never above the scheme total. Inconsistencies of the print are reported as
    warnings, not corrected silently.
    """
    warnings: list[EvaluationWarning] = []
    rate, rate_display, execution_score, execution_text = _execution(inp, scheme, warnings)

    codes: list[str] = []
    for ind in inp.indicators:
        code = _level1_code(ind)
        if code is None:
            warnings.append(EvaluationWarning("level1_missing", f"指标“{ind.name}”未指定一级指标"))
            code = UNCLASSIFIED
        codes.append(code)
    weights, cap_factor = _effective_weights(inp, codes, scheme, warnings)

    results: list[IndicatorResult] = []
    for ind, code, weight in zip(inp.indicators, codes, weights, strict=True):
        scored = score_indicator(dataclasses.replace(ind, weight=weight, level1=code), scheme, year=inp.year)
        results.append(scored)

    # level-1 blocks in vocabulary order, then any others (declared but unknown, unclassified)
    order = [code for code in LEVEL1 if code in codes or code in inp.declared_level1_weights]
    order += [code for code in dict.fromkeys([*codes, *inp.declared_level1_weights]) if code not in order]
    subtotals: dict[str, Subtotal] = {}
    for code in order:
        members = [r for r, c in zip(results, codes, strict=True) if c == code and not r.not_applicable]
        weight_sum = sum((r.weight for r in members if r.weight is not None), _ZERO)
        score_sum = sum((r.score for r in members if r.score is not None), _ZERO)
        declared = inp.declared_level1_weights.get(code)
        cap = declared * cap_factor if declared is not None else None
        capped = score_sum
        name = LEVEL1.get(code, "未分类指标" if code == UNCLASSIFIED else code)
        if scheme.level1_cap and cap is not None and score_sum > cap:
            capped = cap
            warnings.append(
                EvaluationWarning(
                    "level1_capped",
                    f"{name}小计 {_round(score_sum)} 超过表头 {_fmt(cap)} 分，按 {_fmt(cap)} 分计",
                )
            )
        if cap is not None and weight_sum != cap:
            warnings.append(
                EvaluationWarning(
                    "level1_weight_mismatch",
                    f"{name}各项分值合计 {_fmt(weight_sum)}，与表头 {_fmt(cap)} 分不符",
                )
            )
        subtotals[code] = Subtotal(
            level1=code,
            name=name,
            weight_sum=weight_sum,
            declared_weight=declared,
            score_sum=score_sum,
            capped_score=capped,
            indicator_count=len(members),
            scored_count=sum(1 for r in members if r.score is not None),
        )

    for code, default in scheme.level1_weights.items():
        sub = subtotals.get(code)
        actual_weight = (
            sub.declared_weight
            if sub and sub.declared_weight is not None
            else (sub.weight_sum if sub else _ZERO)
        )
        if actual_weight != default:
            warnings.append(
                EvaluationWarning(
                    "level1_weight_nondefault",
                    f"{LEVEL1[code]}分值 {_fmt(actual_weight)}，与本方案默认 {_fmt(default)} 分不同",
                )
            )

    applicable = [r for r in results if not r.not_applicable]
    weight_total = scheme.execution_weight + sum(
        (r.weight for r in applicable if r.weight is not None), _ZERO
    )
    if weight_total != scheme.total:
        warnings.append(
            EvaluationWarning(
                "weight_total_mismatch", f"分值合计 {_fmt(weight_total)}，应为 {_fmt(scheme.total)}"
            )
        )

    missing = [r for r in applicable if r.score is None]
    if missing:
        names = "、".join(f"“{r.name}”" for r in missing[:5]) + ("等" if len(missing) > 5 else "")
        warnings.append(EvaluationWarning("missing_scores", f"{len(missing)} 项指标尚未得分：{names}"))
    differing = [r for r in applicable if Flag.REPORTED_SCORE_DIFFERS in r.flags]
    if differing:
        warnings.append(
            EvaluationWarning("reported_scores_differ", f"{len(differing)} 项指标自报得分与计算不符")
        )

    total = (execution_score or _ZERO) + sum((s.capped_score for s in subtotals.values()), _ZERO)
    total = _round(total)
    if total > scheme.total:
        warnings.append(
            EvaluationWarning(
                "total_capped", f"合计 {total} 超过总分 {_fmt(scheme.total)}，按 {_fmt(scheme.total)} 计"
            )
        )
        total = _round(scheme.total)
    if inp.reported_total is not None and inp.reported_total != total:
        warnings.append(
            EvaluationWarning(
                "reported_total_differs", f"自报总分 {_fmt(inp.reported_total)}，与计算 {total} 不符"
            )
        )

    return EvaluationResult(
        scheme_code=scheme.code,
        execution_rate=rate,
        execution_rate_display=rate_display,
        execution_score=execution_score,
        execution_explanation=execution_text,
        subtotals=MappingProxyType(subtotals),
        indicators=tuple(results),
        total=total,
        grade=scheme.grade_for(total),
        low_score_explanation_required=total < scheme.low_score_threshold,
        complete=execution_score is not None and not missing,
        warnings=tuple(warnings),
    )
