"""Scoring indicators and whole self-evaluations by a :class:`~perfgoals.engine.schemes.Scheme`.

:func:`score_indicator` scores one indicator; :func:`score_evaluation` scores a project-year
(budget execution + indicators, level-1 subtotals, total, grade, warnings). Both are pure functions
of their immutable inputs. Every score is a Decimal rounded half-up at the end; every explanation,
flag label and warning is Chinese.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, getcontext
from enum import StrEnum
from types import MappingProxyType

from .nature import direction_signal
from .schemes import Band, Scheme
from .units import CACHE_SIZE, _normalise, format_decimal, normalise_text, to_decimal
from .values import _ONE_NUMBER, _ZERO_DIGITS, _read, _shape, parse
from .valuetypes import _SYMBOL_OF_VALUE, Direction, Kind, Value, adopt_unit
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


# members bound to module names: reading ``Flag.CAPPED`` goes through the enum machinery each time
_DEVIATION_NOTE_REQUIRED = Flag.DEVIATION_NOTE_REQUIRED
_OVERSHOOT = Flag.OVERSHOOT
_UNIT_MISMATCH = Flag.UNIT_MISMATCH
_TARGET_UNREADABLE = Flag.TARGET_UNREADABLE
_ACTUAL_UNREADABLE = Flag.ACTUAL_UNREADABLE
_ACTUAL_MISSING = Flag.ACTUAL_MISSING
_BAND_REQUIRED = Flag.BAND_REQUIRED
_BAND_SCORE_OUT_OF_RANGE = Flag.BAND_SCORE_OUT_OF_RANGE
_DIRECTION_SUGGESTED = Flag.DIRECTION_SUGGESTED
_CAPPED = Flag.CAPPED
_REPORTED_SCORE_DIFFERS = Flag.REPORTED_SCORE_DIFFERS
_DEADLINE_LATE = Flag.DEADLINE_LATE
_NO_WEIGHT = Flag.NO_WEIGHT
_TARGET_ZERO = Flag.TARGET_ZERO
_QUANTITATIVE = Kind.QUANTITATIVE
_QUALITATIVE = Kind.QUALITATIVE
_DEADLINE = Kind.DEADLINE
_UNREADABLE = Kind.UNREADABLE
_EMPTY = Kind.EMPTY
_POSITIVE = Direction.POSITIVE
_NEGATIVE = Direction.NEGATIVE
_EQUAL = Direction.EQUAL

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


@dataclass(frozen=True, init=False)
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

    def __init__(
        self,
        name: str,
        target_text: str | None,
        actual_text: str | None = None,
        weight: Decimal | None = None,
        nature: str | None = None,
        unit: str | None = None,
        direction_override: Direction | None = None,
        band: str | None = None,
        band_score: Decimal | None = None,
        reported_score: Decimal | None = None,
        deviation_note: str = "",
        not_applicable: bool = False,
        level1: str | None = None,
        level2: str | None = None,
    ) -> None:
        # the instance dict is built at once (not one frozen object.__setattr__ a field), with the
        # conversions a generated __post_init__ would make: forms and JSON deliver loose types, never a float
        # (to_decimal keeps None and Decimals as they are: only other values are converted)
        if weight is not None and type(weight) is not Decimal:
            weight = to_decimal(weight)
        if band_score is not None and type(band_score) is not Decimal:
            band_score = to_decimal(band_score)
        if reported_score is not None and type(reported_score) is not Decimal:
            reported_score = to_decimal(reported_score)
        if direction_override is not None and not isinstance(direction_override, Direction):
            direction_override = Direction(direction_override)
        _set_object(
            self,
            "__dict__",
            {
                "name": "" if name is None else name,
                "target_text": target_text,
                "actual_text": actual_text,
                "weight": weight,
                "nature": nature,
                "unit": unit,
                "direction_override": direction_override,
                "band": band,
                "band_score": band_score,
                "reported_score": reported_score,
                "deviation_note": "" if deviation_note is None else deviation_note,
                "not_applicable": not_applicable,
                "level1": level1,
                "level2": level2,
            },
        )


_INPUT_FIELDS = (
    "name",
    "target_text",
    "actual_text",
    "weight",
    "nature",
    "unit",
    "direction_override",
    "band",
    "band_score",
    "reported_score",
    "deviation_note",
    "not_applicable",
    "level1",
    "level2",
)
if tuple(f.name for f in dataclasses.fields(IndicatorInput)) != _INPUT_FIELDS:  # pragma: no cover
    raise RuntimeError("IndicatorInput.__init__ must take the fields of IndicatorInput in order")


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


_RESULT_FIELDS = (
    "name",
    "level1",
    "level2",
    "weight",
    "score",
    "explanation",
    "flags",
    "direction",
    "direction_source",
    "target",
    "actual",
    "achieved",
    "ratio",
    "suggested_band",
    "band",
    "band_scale",
    "not_applicable",
    "reported_score",
)
if tuple(f.name for f in dataclasses.fields(IndicatorResult)) != _RESULT_FIELDS:  # pragma: no cover
    raise RuntimeError("score_indicator() must set the fields of IndicatorResult in order")
_new_object = object.__new__
_set_object = object.__setattr__


# --- helpers --------------------------------------------------------------------------------------


def _quantum(places: int) -> Decimal:
    quantum = _QUANTA.get(places)
    return Decimal(1).scaleb(-places) if quantum is None else quantum


_QUANTA: dict[int, Decimal] = {places: Decimal(1).scaleb(-places) for places in range(9)}
# rounding contexts by precision, built once: a Context is only read by quantize (its sticky flags
# never change a result), and Context(prec=…) takes every other setting from DefaultContext
_CONTEXTS: dict[int, Context] = {}
_CONTEXT_28 = Context(prec=28)


def _context(prec: int) -> Context:
    """A rounding context of ``prec`` digits (above 28)."""
    context = _CONTEXTS.get(prec)
    if context is None:
        context = Context(prec=prec)
        if len(_CONTEXTS) < 256:
            _CONTEXTS[prec] = context
    return context


def _round(value: Decimal, places: int = 2, rounding: str = ROUND_HALF_UP) -> Decimal:
    # enough precision for any finite value, so that quantize never signals InvalidOperation
    prec = value.adjusted() + places + 3
    context = _CONTEXT_28 if prec <= 28 else _context(prec)
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _quantum(places)
    return value.quantize(quantum, rounding, context)  # positional: keywords cost more than the rounding


def _full(weight: Decimal, places: int) -> Decimal:
    """The full weight as a score: rounded half-up, or down if that would exceed the weight
    (only possible for a weight with more decimal places than a score)."""
    rounded = _round(weight, places)
    return rounded if rounded <= weight else _round(weight, places, ROUND_DOWN)


_fmt = format_decimal


def _qty(operator: str, number: Decimal, unit: str | None) -> str:
    """ "≤60 分钟", "93%": a quantity for explanations (a space before a Chinese unit)."""
    text = f"{operator}{_fmt(number)}"
    if unit:
        text += unit if unit[0] in "%‰" else f" {unit}"
    return text


def _compact_for_compare(text: str | None) -> str:
    """Text without whitespace and punctuation, for "the actual restates the target"."""
    if type(text) is not str:
        return _NOT_KEPT_FOR_COMPARE.sub("", normalise_text(text))
    return _compact_shaped(text, _shape(text))


def _compact_shaped(text: str, key: bytes) -> str:
    """:func:`_compact_for_compare` of a str ``text`` given its shape."""
    # a cell with one number is compacted like the first cell of its shape (see values._parse_by_shape):
    # the words around the number compact alone, the number loses its "."; other texts are cached
    shape = _COMPACT_SHAPES.get(key, _UNKNOWN)
    if type(shape) is tuple:
        start, end, before, after = shape
        return before + text[start:end].replace(".", "") + after
    if shape is _UNKNOWN:
        return _learn_compact_shape(key, text)
    compact = _COMPACTS.get(text)
    if compact is None:
        compact = _compact_for_compare_uncached(text)
        if len(_COMPACTS) >= CACHE_SIZE:
            _COMPACTS.clear()
        _COMPACTS[text] = compact
    return compact


_COMPACTS: dict[str, str] = {}
_COMPACT_SHAPES: dict[bytes, tuple[int, int, str, str] | None] = {}
_UNKNOWN = object()


def _learn_compact_shape(key: bytes, text: str) -> str:
    """Compact a text of a shape not seen yet; remember the shape when its number can be swapped."""
    compact = _compact_for_compare_uncached(text)
    shape = None
    match = _ONE_NUMBER.fullmatch(text)
    if match is not None and unicodedata.is_normalized("NFKC", text):
        prefix, digits, suffix = match.groups()
        before = _compact_for_compare_uncached(prefix)
        after = _compact_for_compare_uncached(suffix)
        if before + digits.replace(".", "") + after == compact:
            shape = (len(prefix), len(text) - len(suffix), before, after)
    if len(_COMPACT_SHAPES) >= 4096:
        _COMPACT_SHAPES.clear()
    _COMPACT_SHAPES[key] = shape
    return compact


# the characters _compact_for_compare drops: for re (as for str), \w is isalnum() or "_"
_NOT_KEPT_FOR_COMPARE = re.compile(r"[^\w%‰≥≤<>=≈]|_")


def _compact_for_compare_uncached(text: str) -> str:
    # "".join(ch for ch in normalise_text(text) if ch.isalnum() or ch in "%‰≥≤<>=≈"), for str texts
    # (see _compact_for_compare), normalised without filling normalise_text's cache
    if not text:
        return ""
    normalised = _normalise(text)
    if normalised.isalnum():
        return normalised
    if normalised.isascii():  # drop the ASCII characters that are neither alphanumeric nor kept
        return normalised.encode("ascii").translate(None, _ASCII_NOT_KEPT).decode("ascii")
    return _NOT_KEPT_FOR_COMPARE.sub("", normalised)


_ASCII_NOT_KEPT = bytes(code for code in range(128) if not (chr(code).isalnum() or chr(code) in "%‰≥≤<>=≈"))


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
_NEGATION_CHARS = re.compile("[" + "".join(_NEGATIONS) + "]")  # the negations are single characters
_DONE_PHRASE = re.compile("|".join(re.escape(phrase) for phrase in _DONE_PHRASES))
if any(len(neg) != 1 for neg in _NEGATIONS):  # pragma: no cover
    raise RuntimeError("_NEGATION_CHARS expects single-character negations")


def _find_band(scheme: Scheme, label: str | None, scale: str | None) -> tuple[str, Band] | None:
    """``scheme.find_band(label, scale)``, remembered per scheme object (schemes and bands are immutable)."""
    if type(label) is not str or not (scale is None or type(scale) is str):
        return scheme.find_band(label, scale)
    key = (id(scheme), label, scale)
    known = _BANDS_FOUND.get(key)
    if known is not None and known[0] is scheme:
        return known[1]
    found = scheme.find_band(label, scale)
    if len(_BANDS_FOUND) >= 1024:
        _BANDS_FOUND.clear()
    _BANDS_FOUND[key] = (scheme, found)
    return found


_BANDS_FOUND: dict[tuple[int, str, str | None], tuple[Scheme, tuple[str, Band] | None]] = {}


def _suggest_band(target: Value, actual: Value, scheme: Scheme, scale: str) -> str | None:
    """A band to propose (never applied): the band an actual names on a printed scale ("良" against
    "优良中低差"), or the top band when the actual plainly reports the target as met; else None."""
    if actual.kind is _EMPTY or target.kind is _EMPTY:
        return None
    if target.scale is not None and actual.text:
        named = _find_band(scheme, normalise_text(actual.text).strip("。.;；"), target.scale)
        if named is not None and named[0] == target.scale:
            return named[1].short
    known = _TOP_BANDS.get((id(scheme), scale))  # _top_band(scheme, scale), inlined
    top = known[1] if known is not None and known[0] is scheme else _top_band(scheme, scale)
    if top is None:
        return None
    t = _compact_for_compare(target.text)
    a = _compact_for_compare(actual.text)
    if not a:
        return None
    if a == t:
        return top.short
    if a.isascii():  # no negation, no done phrase: they are Chinese
        return top.short if target.kind is _QUALITATIVE and 2 <= len(t) <= 10 and t in a else None
    negated = _NEGATION_CHARS.search(a) is not None and any(neg in a and neg not in t for neg in _NEGATIONS)
    if negated:
        return None
    if _DONE_PHRASE.search(a) is not None:  # any(phrase in a for phrase in _DONE_PHRASES)
        return top.short
    # "减轻" → "参保居民医疗负担减轻": the actual contains the (short, qualitative) target word for word
    if target.kind is _QUALITATIVE and 2 <= len(t) <= 10 and t in a:
        return top.short
    return None


def _top_band(scheme: Scheme, scale: str) -> Band | None:
    # schemes are immutable: remember the answer per scheme object (held, so that its id stays its own)
    key = (id(scheme), scale)
    known = _TOP_BANDS.get(key)
    if known is not None and known[0] is scheme:
        return known[1]
    bands = scheme.bands.get(scale) or scheme.bands.get(scheme.default_scale) or ()
    top = max(bands, key=lambda band: band.high_pct, default=None)
    if len(_TOP_BANDS) >= 256:
        _TOP_BANDS.clear()
    _TOP_BANDS[key] = (scheme, top)
    return top


_TOP_BANDS: dict[tuple[int, str], tuple[Scheme, Band | None]] = {}


def _scale_for(target: Value, scheme: Scheme) -> str:
    return target.scale if target.scale in scheme.bands else scheme.default_scale


class _Work:
    """Mutable scratchpad of one score_indicator call (never leaves the function)."""

    __slots__ = ("achieved", "band", "band_scale", "flags", "parts", "ratio", "score")

    def __init__(self) -> None:
        self.flags: list[Flag] = []  # in order raised; a frozenset in the result
        self.parts: list[str] = []
        self.score: Decimal | None = None
        self.achieved: bool | None = None
        self.ratio: Decimal | None = None
        self.band: str | None = None
        self.band_scale: str | None = None


def _resolve_direction(inp: IndicatorInput, target: Value) -> tuple[Direction | None, str | None, str]:
    """Direction, its source, and a note for the explanation (empty unless it was guessed)."""
    if inp.direction_override is not None:
        return inp.direction_override, "user", ""
    if target.direction is not None:
        return target.direction, target.direction_source or "operator", ""
    if target.kind is not _QUANTITATIVE:
        return None, None, ""
    suggested, keyword = direction_signal(inp.name)
    if suggested is not None:
        kind = "反向" if suggested is _NEGATIVE else "正向"
        return suggested, "name", f"按指标名称“{keyword}”推测为{kind}指标，请确认"
    return _POSITIVE, "default", "未标明指标方向，按正向计，请确认"


def _score_by_band(
    inp: IndicatorInput, scheme: Scheme, weight: Decimal, scale: str, prefix: str, work: _Work
) -> None:
    """Score inside the user's band, or flag BAND_REQUIRED."""
    found = _find_band(scheme, inp.band, scale)
    if found is None:
        work.flags.append(_BAND_REQUIRED)
        if inp.band:
            work.parts.append(f"{prefix}：档次“{inp.band}”无法识别，需评定档次")
        else:
            work.parts.append(f"{prefix}，需评定档次")
        return
    scale_used, band = found
    places = scheme.score_places
    low, top, weight_down, label = _band_numbers(band, weight, places)
    if inp.band_score is not None:
        given = _round(inp.band_score, places)
        if band.contains(inp.band_score, weight) and band.contains(given, weight):
            score = given
            work.parts.append(f"{prefix}：{label}，评分 {score!s}")
        else:
            # out of range: clamp to the nearest edge of the band the user chose (the band is the
            # judgement, the number a slip); the flag makes sure someone looks at it
            score = low if inp.band_score < low else top
            work.flags.append(_BAND_SCORE_OUT_OF_RANGE)
            work.parts.append(
                f"{prefix}：{label}，自评 {_fmt(inp.band_score)} 分超出该档范围，按 {score!s} 计"
            )
    else:
        score = top
        work.parts.append(f"{prefix}：{label}，按该档上限评分 {score!s}")
    # a band narrower than one cent (odd weights with more places) cannot hold a rounded score:
    # never go above the band's rounded-down top, nor above the weight itself
    work.score = min(score, top, weight_down)
    work.band = band.short
    work.band_scale = scale_used
    work.achieved = band.high_inclusive


def _band_numbers(band: Band, weight: Decimal, places: int) -> tuple[Decimal, Decimal, Decimal, str]:
    """A band's lowest and highest score for a weight (rounded up / down at ``places``), the weight
    rounded down, and the band's label; remembered per band object, weight and places. All three
    numbers are rounded at ``places``, so they depend on the weight's value (and the sign of a zero)
    only, not on how it is printed: 5 and 5.0 give the same."""
    key = (id(band), weight, weight.is_signed(), places)
    known = _BAND_NUMBERS.get(key)
    if known is not None and known[0] is band:
        return known[1]
    numbers = (
        _round(band.low_score(weight), places, ROUND_UP),
        _round(band.top_score(weight, places), places, ROUND_DOWN),
        _round(weight, places, ROUND_DOWN),
        f"{band.short}（{band.range_display()}）",
    )
    if len(_BAND_NUMBERS) >= 4096:
        _BAND_NUMBERS.clear()
    _BAND_NUMBERS[key] = (band, numbers)
    return numbers


_BAND_NUMBERS: dict[tuple[int, Decimal, bool, int], tuple[Band, tuple[Decimal, Decimal, Decimal, str]]] = {}


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
    magnitude = target.magnitude
    if (actual.magnitude is magnitude or actual.magnitude == magnitude) and actual.number is not None:
        shown_b = actual.number
        b_unit = target.printed_unit or actual.printed_unit
    else:
        shown_b = b / magnitude
        b_unit = target.printed_unit or actual.unit
    a_number = target.number if target.number is not None else a
    a_txt, b_txt = _fmt(a_number), _fmt(shown_b)
    # as _qty('', shown_b, b_unit) and _qty(operator, a_number, unit), without formatting twice
    a_unit = target.printed_unit or b_unit
    b_unit = "" if not b_unit else b_unit if b_unit[0] in "%‰" else f" {b_unit}"
    a_unit = "" if not a_unit else a_unit if a_unit[0] in "%‰" else f" {a_unit}"
    head = f"实际 {b_txt}{b_unit}，目标 {target.operator_symbol()}{a_txt}{a_unit}"
    strict = target.strict and target.direction is direction

    if direction is _POSITIVE:
        mode = "positive"
    elif direction is _NEGATIVE:
        mode = "negative"
    elif direction is _EQUAL:
        mode = scheme.equal_as
    else:
        mode = scheme.approx_as

    if a < _ZERO:
        work.parts.append(f"{head}：目标值为负数，无法按比例计分")
        return False

    if a == _ZERO:
        work.flags.append(_TARGET_ZERO)
        # with a zero target a ratio is meaningless: "=0" / "≤0" are met only by 0, "≥0" by anything ≥ 0
        if direction in (_EQUAL, _NEGATIVE):
            met = b <= 0
            rule = "实际不超过 0"
        else:
            met = b >= 0
            rule = "实际不低于 0"
        work.achieved = met
        work.score = _full(weight, places) if met else _round(_ZERO, places)
        verdict = f"{rule}，得满分 {work.score!s}" if met else f"未达到，得 {work.score!s}"
        work.parts.append(f"{head}：目标值为 0，{verdict}")
        return True

    ratio: Decimal | None
    if mode == "positive":
        achieved = b > a if (strict and direction is _POSITIVE) else b >= a
        ratio = b / a
    elif mode == "negative":
        achieved = b < a if strict else b <= a
        ratio = a / b if b > _ZERO else None
    else:  # two_sided
        achieved = b == a
        ratio = b / a
    work.achieved = achieved
    work.ratio = ratio

    if achieved and scheme.full_when_met:
        work.score = _full(weight, places)
        work.parts.append(f"{head}：已达成，得满分 {work.score!s}")
        return True

    if mode == "positive":
        raw = ratio * weight  # type: ignore[operator]  # b / a, computed above
        formula = f"{b_txt} ÷ {a_txt} × {_fmt(weight)}"
    elif mode == "negative" and scheme.negative_formula == "inverse_ratio":
        if b <= _ZERO:
            work.score = _full(weight, places)
            work.parts.append(f"{head}：实际为 {b_txt}，得满分 {work.score!s}")
            return True
        raw = ratio * weight  # type: ignore[operator]  # a / b, computed above
        formula = f"{a_txt} ÷ {b_txt} × {_fmt(weight)}"
    elif mode == "negative":  # linear_excess
        if b <= a:
            work.score = _full(weight, places)
            work.parts.append(f"{head}：未超过目标，得满分 {work.score!s}")
            return True
        if b >= 2 * a:
            work.score = _round(_ZERO, places)
            work.parts.append(f"{head}：达到目标的 2 倍及以上，得 {work.score!s}")
            return True
        raw = (1 - (b - a) / a) * weight
        formula = f"(1 − ({b_txt} − {a_txt}) ÷ {a_txt}) × {_fmt(weight)}"
    else:  # two_sided
        if b <= 0:
            raw = _ZERO
            formula = f"{b_txt} ≤ 0"
        else:
            raw = min(a / b, b / a) * weight
            formula = f"min({a_txt} ÷ {b_txt}, {b_txt} ÷ {a_txt}) × {_fmt(weight)}"

    # the score is the value rounded: the formula's result (shown rounded too), 0, or the capped weight
    score = _round(raw, places)
    text = f"{head}：{formula} = {score!s}"
    value = raw
    if value < _ZERO:
        value = _ZERO
        text += "，按 0 计"
        score = _round(value, places)
    cap = scheme.cap_at_weight
    if cap and value > weight:
        value = weight
        work.flags.append(_CAPPED)
        score = _round(weight, places)
        text += f"，封顶 {score!s}"
    if cap and score > weight:
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
        work.flags.append(_TARGET_UNREADABLE)
        work.parts.append("期限无法换算为日期，需评定档次")
        _score_by_band(inp, scheme, weight, scheme.default_scale, "期限", work)
        return
    if done <= due:
        work.achieved = True
        work.score = _full(weight, scheme.score_places)
        work.parts.append(f"按期完成（期限 {due.isoformat()}），得满分 {work.score!s}")
        return
    work.achieved = False
    work.flags.append(_DEADLINE_LATE)
    late = f"逾期完成（期限 {due.isoformat()}，完成 {done.isoformat()}）"
    if scheme.deadline_late == "zero":
        work.score = _round(_ZERO, scheme.score_places)
        work.parts.append(f"{late}，得 {work.score!s}")
        return
    _score_by_band(inp, scheme, weight, scheme.default_scale, late, work)


# --- indicator ------------------------------------------------------------------------------------


def score_indicator(inp: IndicatorInput, scheme: Scheme, *, year: int | None = None) -> IndicatorResult:
    """Score one indicator by ``scheme``; ``year`` is the fiscal year (fills years missing from deadlines).

    See the package docstring for the rules; the result's ``explanation`` shows the arithmetic.
    Results are immutable; those of rows whose target is not a quantity (qualitative, deadline, blank:
    the same few texts again and again) are cached by the exact input (:data:`ROW_CACHE_SIZE` rows).
    """
    text, nature, unit = inp.target_text, inp.nature, inp.unit
    target: Value | None = None
    if type(text) is str and nature is None and unit is None and text in _NOT_QUANTITIES:
        pass  # a target read before as no quantity: the row may be cached, read it only if not
    elif (
        type(text) is str and (nature is None or type(nature) is str) and (unit is None or type(unit) is str)
    ):
        target_shape = text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)  # _shape(text)
        target = _read(text, target_shape, nature, unit)  # parse(text, nature=nature, unit=unit)
        if target.kind is _QUANTITATIVE:
            text = inp.actual_text
            if type(text) is not str:
                return _score_indicator(inp, scheme, year, target, None)
            actual_shape = text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)
            actual = _read(text, actual_shape, None, unit)  # parse(text, unit=unit)
            if actual.unit is None:  # adopt_unit returns any other actual as it is
                actual = adopt_unit(actual, target)
            if actual.kind is _QUANTITATIVE:
                scored = _score_quantities(inp, scheme, target, actual, target_shape, actual_shape)
                if scored is not None:
                    return scored
            return _score_indicator(inp, scheme, year, target, actual)
        if nature is None and unit is None:
            if len(_NOT_QUANTITIES) >= ROW_CACHE_SIZE:
                _NOT_QUANTITIES.clear()
            _NOT_QUANTITIES.add(text)
    else:
        target = parse(text, nature=nature, unit=unit)
        if target.kind is _QUANTITATIVE:
            return _score_indicator(inp, scheme, year, target, None)
    key = _row_key(inp, scheme, year)
    if key is not None:
        known = _ROWS.get(key)
        if known is not None and known[0] is scheme:
            return known[1]
    if target is None:
        target = parse(text)
    scored = _score_indicator(inp, scheme, year, target, None)
    if key is not None:
        if len(_ROWS) >= ROW_CACHE_SIZE:
            _ROWS.clear()
        _ROWS[key] = (scheme, scored)
    return scored


#: how many scored rows (with a target that is not a quantity) :func:`score_indicator` remembers
ROW_CACHE_SIZE = 4096
_ROWS: dict[tuple[object, ...], tuple[Scheme, IndicatorResult]] = {}
_NOT_QUANTITIES: set[str] = set()  # target texts read (without nature or unit column) as no quantity


def _row_key(inp: IndicatorInput, scheme: Scheme, year: int | None) -> tuple[object, ...] | None:
    """The cache key of one row: every input exactly (texts of type str, Decimals also by their printed
    form, which tells 5 from 5.0), the scheme object and the year; None when the row cannot be keyed so."""
    if type(inp) is not IndicatorInput or not (year is None or type(year) is int):
        return None
    context = getcontext()
    if context.prec != 28 or context.rounding != ROUND_HALF_EVEN:
        return None  # cached results were computed in the default decimal context
    fields = tuple(inp.__dict__.values())  # the fields, in order
    types = tuple(map(type, fields))
    keyable = _KEYABLE.get(types)
    if keyable is None:
        keyable = _keyable(types)
    if not keyable:
        return None
    weight, band_score, reported = fields[3], fields[8], fields[9]
    return (
        id(scheme),
        year,
        fields,
        None if weight is None else str(weight),
        None if band_score is None else str(band_score),
        None if reported is None else str(reported),
    )


_KEYABLE: dict[tuple[type, ...], bool] = {}
_NONE = type(None)


def _keyable(types: tuple[type, ...]) -> bool:
    """Whether fields of these types key a row exactly: texts str or None, numbers Decimal or None,
    the direction a Direction or None, not_applicable a bool."""
    texts = (0, 1, 2, 4, 5, 7, 10, 12, 13)
    keyable = (
        len(types) == len(_INPUT_FIELDS)
        and all(types[i] in (str, _NONE) for i in texts)
        and all(types[i] in (Decimal, _NONE) for i in (3, 8, 9))
        and types[6] in (Direction, _NONE)
        and types[11] is bool
    )
    if len(_KEYABLE) < 1024:
        _KEYABLE[types] = keyable
    return keyable


def _score_indicator(
    inp: IndicatorInput, scheme: Scheme, year: int | None, target: Value, actual: Value | None
) -> IndicatorResult:
    """Score one row, the target read (and the actual, adopted, when given)."""
    if actual is None:
        actual = adopt_unit(parse(inp.actual_text, unit=inp.unit), target)
    scale = target.scale if target.scale in scheme.bands else scheme.default_scale  # _scale_for
    work = _Work()
    direction, source, direction_note = _resolve_direction(inp, target)
    suggested = _suggest_band(target, actual, scheme, scale)
    weight = inp.weight

    if inp.not_applicable:
        work.parts.append("不适用，不计分")
        return _result(inp, weight, work, direction, source, target, actual, suggested)
    if weight is None or weight < _ZERO:
        work.flags.append(_NO_WEIGHT)
        work.parts.append("未设分值，无法计分" if weight is None else "分值为负数，无法计分")
        return _result(inp, weight, work, direction, source, target, actual, suggested)

    target_kind = target.kind
    actual_kind = actual.kind
    if target_kind is _EMPTY or target_kind is _UNREADABLE:
        work.flags.append(_TARGET_UNREADABLE)
    if actual_kind is _UNREADABLE:
        work.flags.append(_ACTUAL_UNREADABLE)

    if actual_kind is _EMPTY:
        work.flags.append(_ACTUAL_MISSING)
        work.parts.append("未填实际值")
    elif target_kind is _QUANTITATIVE and direction is not None:
        actual_quantitative = (
            actual_kind is _QUANTITATIVE and actual.base is not None
        )  # actual.is_quantitative
        # compatible(target, actual), the target being of kind QUANTITATIVE
        if (
            actual_quantitative
            and target.base is not None
            and (target.unit is None or actual.unit is None or target.unit == actual.unit)
        ):
            if not _formula(target, actual, direction, weight, scheme, work):
                _score_by_band(inp, scheme, weight, scale, "按定性评判", work)
        elif actual_quantitative:
            work.flags.append(_UNIT_MISMATCH)
            prefix = f"单位不一致（目标 {target.unit}，实际 {actual.unit}），按定性评判"
            if inp.band:
                _score_by_band(inp, scheme, weight, scale, prefix, work)
            else:
                work.parts.append(f"单位不一致（目标 {target.unit}，实际 {actual.unit}），无法按公式计分")
        else:
            _score_by_band(inp, scheme, weight, scale, "实际值为文字描述，按定性评判", work)
        if direction_note and work.score is not None and work.band is None:
            # only a formula depends on the direction; a band score does not need it confirmed
            work.flags.append(_DIRECTION_SUGGESTED)
            work.parts.append(direction_note)
    elif target_kind is _DEADLINE:
        if actual_kind is _DEADLINE:
            _deadline(inp, target, actual, weight, scheme, year, work)
        else:
            _score_by_band(inp, scheme, weight, scale, "实际值不是日期，按定性评判", work)
    else:
        if target_kind is _EMPTY:
            prefix = "未填目标值，按定性评判"
        elif target_kind is _UNREADABLE:
            prefix = "目标值无法识别，按定性评判"
        else:
            prefix = "定性"
        _score_by_band(inp, scheme, weight, scale, prefix, work)

    if suggested and _BAND_REQUIRED in work.flags:
        work.parts.append(f"建议档次：{suggested}")

    score = work.score
    if score is not None:
        if score < weight and not (inp.deviation_note or "").strip():
            work.flags.append(_DEVIATION_NOTE_REQUIRED)
        threshold = scheme.overshoot_threshold
        if threshold is not None and work.ratio is not None and work.ratio >= 1 + threshold:
            work.flags.append(_OVERSHOOT)
            work.parts.append(
                f"实际超出目标 {_fmt(_round((work.ratio - 1) * _HUNDRED, 0))}%，须说明目标设定是否偏低"
            )
        if inp.reported_score is not None and inp.reported_score != score:
            work.flags.append(_REPORTED_SCORE_DIFFERS)
            work.parts.append(f"自报得分 {_fmt(inp.reported_score)}，与计算 {score!s} 不符")
    return _result(inp, weight, work, direction, source, target, actual, suggested)


def _score_quantities(
    inp: IndicatorInput,
    scheme: Scheme,
    target: Value,
    actual: Value,
    target_shape: bytes,
    actual_shape: bytes,
) -> IndicatorResult | None:
    """The common case of :func:`_score_indicator` in one piece: a quantity target above 0 against a
    quantity actual in a compatible unit, scored "≥" or "≤" by formula (the steps of _suggest_band,
    _formula and _result inlined, in the same order). None, having changed nothing, in any other case.
    """
    weight = inp.weight
    a = target.base
    b = actual.base
    if (
        inp.not_applicable
        or type(weight) is not Decimal
        or not weight.is_finite()
        or weight < _ZERO
        or a is None
        or b is None
        or target.scale is not None
        or not (target.unit is None or actual.unit is None or target.unit == actual.unit)
        or a <= _ZERO
    ):
        return None
    facts = _SCHEME_FACTS.get(id(scheme))
    if facts is None or facts[0] is not scheme:
        facts = _scheme_facts(scheme)
    _, top, places, cap, full_when_met, inverse_ratio, equal_positive, approx_positive, threshold = facts
    direction = target.direction
    if inp.direction_override is None and direction is not None:  # _resolve_direction, inlined
        source = target.direction_source or "operator"
        direction_note = ""
    else:
        direction, source, direction_note = _resolve_direction(inp, target)
    if direction is _POSITIVE:
        negative = False
    elif direction is _NEGATIVE:
        negative = True
    elif not (equal_positive if direction is _EQUAL else approx_positive):
        return None
    else:
        negative = False

    # _suggest_band (a quantity has no scale, and is neither blank nor qualitative)
    suggested = None
    if top is not None:
        pair = _SUGGEST_PAIRS.get((target_shape, actual_shape))
        if pair is None:
            pair = _learn_suggest_pair(target, actual, target_shape, actual_shape)
        if pair is _NO_PAIR:
            t = _compact_shaped(target.text, target_shape)  # type: ignore[arg-type]  # _compact_for_compare
            c = _compact_shaped(actual.text, actual_shape)  # type: ignore[arg-type]
            if c:
                if c == t:
                    suggested = top.short
                elif not c.isascii():
                    negated = _NEGATION_CHARS.search(c) is not None and any(
                        neg in c and neg not in t for neg in _NEGATIONS
                    )
                    if not negated and _DONE_PHRASE.search(c) is not None:
                        suggested = top.short
        elif pair[0]:  # a done phrase, not negated: whatever the numbers
            suggested = top.short
        elif pair[1]:  # the same words around the numbers: the actual restates the target if they agree
            target_text, actual_text = target.text, actual.text
            if (
                target_text[pair[2] : pair[3]].replace(".", "")  # type: ignore[index]
                == actual_text[pair[4] : pair[5]].replace(".", "")  # type: ignore[index]
            ):
                suggested = top.short

    # _formula
    flags = 0  # a bit per flag raised (see _FLAG_SETS)
    magnitude = target.magnitude
    if (actual.magnitude is magnitude or actual.magnitude == magnitude) and actual.number is not None:
        shown_b = actual.number
        b_unit = target.printed_unit or actual.printed_unit
    else:
        shown_b = b / magnitude
        b_unit = target.printed_unit or actual.unit
    a_number = target.number if target.number is not None else a
    # _fmt(a_number), _fmt(shown_b), inlined
    a_txt = str(a_number)
    if "E" in a_txt or "e" in a_txt:
        a_txt = _fmt(a_number)
    else:
        if "." in a_txt:
            a_txt = a_txt.rstrip("0").rstrip(".")
        if a_txt == "-0" or not a_txt:
            a_txt = "0"
    b_txt = str(shown_b)
    if "E" in b_txt or "e" in b_txt:
        b_txt = _fmt(shown_b)
    else:
        if "." in b_txt:
            b_txt = b_txt.rstrip("0").rstrip(".")
        if b_txt == "-0" or not b_txt:
            b_txt = "0"
    a_unit = target.printed_unit or b_unit
    # as _qty appends a unit ("%" and "‰" directly, any other after a space), remembered per unit
    suffix = _UNIT_SUFFIXES.get(b_unit)
    if suffix is None:
        suffix = _unit_suffix_of(b_unit)
    b_unit, a_unit = suffix, _UNIT_SUFFIXES.get(a_unit) or _unit_suffix_of(a_unit)
    strict = target.strict
    target_direction = target.direction
    if target_direction is None:  # target.operator_symbol(), inlined
        operator = ""
    elif strict and target_direction is _POSITIVE:
        operator = ">"
    elif strict and target_direction is _NEGATIVE:
        operator = "<"
    else:
        operator = _SYMBOL_OF_VALUE[target_direction._value_]
    head = f"实际 {b_txt}{b_unit}，目标 {operator}{a_txt}{a_unit}"
    strict = strict and target_direction is direction
    ratio: Decimal | None
    if negative:
        achieved = b < a if strict else b <= a
        ratio = a / b if b > _ZERO else None
    else:
        achieved = b > a if (strict and direction is _POSITIVE) else b >= a
        ratio = b / a
    raw: Decimal | None = None
    if achieved and full_when_met:
        score = _full(weight, places)
        text = f"{head}：已达成，得满分 {score!s}"
    elif not negative or (inverse_ratio and b > _ZERO):
        raw = ratio * weight  # type: ignore[operator]  # b / a, or a / b for a negative target
    elif inverse_ratio:  # b ≤ 0
        score = _full(weight, places)
        text = f"{head}：实际为 {b_txt}，得满分 {score!s}"
    elif b <= a:  # linear_excess
        score = _full(weight, places)
        text = f"{head}：未超过目标，得满分 {score!s}"
    elif b >= 2 * a:
        score = _round(_ZERO, places)
        text = f"{head}：达到目标的 2 倍及以上，得 {score!s}"
    else:
        raw = (1 - (b - a) / a) * weight
    if raw is not None:
        w_txt = str(weight)  # _fmt(weight), inlined
        if "E" in w_txt or "e" in w_txt:
            w_txt = _fmt(weight)
        else:
            if "." in w_txt:
                w_txt = w_txt.rstrip("0").rstrip(".")
            if w_txt == "-0" or not w_txt:
                w_txt = "0"
        if not negative:
            formula = f"{b_txt} ÷ {a_txt} × {w_txt}"
        elif inverse_ratio:
            formula = f"{a_txt} ÷ {b_txt} × {w_txt}"
        else:
            formula = f"(1 − ({b_txt} − {a_txt}) ÷ {a_txt}) × {w_txt}"
        # _round(raw, places), inlined
        quantum = _QUANTA.get(places)
        if quantum is None:
            quantum = _quantum(places)
        prec = raw.adjusted() + places + 3
        score = raw.quantize(quantum, ROUND_HALF_UP, _CONTEXT_28 if prec <= 28 else _context(prec))
        text = f"{head}：{formula} = {score!s}"
        value = raw
        if value < _ZERO:
            value = _ZERO
            text += "，按 0 计"
            score = _round(value, places)
        if cap and value > weight:
            value = weight
            flags |= 1  # CAPPED
            prec = weight.adjusted() + places + 3  # _round(weight, places), inlined
            score = weight.quantize(quantum, ROUND_HALF_UP, _CONTEXT_28 if prec <= 28 else _context(prec))
            text += f"，封顶 {score!s}"
        if cap and score > weight:
            score = _round(weight, places, ROUND_DOWN)
    parts = [text]

    # the rest of _score_indicator
    if direction_note:
        flags |= 2  # DIRECTION_SUGGESTED
        parts.append(direction_note)
    if score < weight and not (inp.deviation_note or "").strip():
        flags |= 4  # DEVIATION_NOTE_REQUIRED
    if threshold is not None and ratio is not None and ratio >= 1 + threshold:
        flags |= 8  # OVERSHOOT
        parts.append(f"实际超出目标 {_fmt(_round((ratio - 1) * _HUNDRED, 0))}%，须说明目标设定是否偏低")
    reported = inp.reported_score
    if reported is not None and reported != score:
        flags |= 16  # REPORTED_SCORE_DIFFERS
        parts.append(f"自报得分 {_fmt(reported)}，与计算 {score!s} 不符")

    scored = _new_object(IndicatorResult)
    _set_object(
        scored,
        "__dict__",
        {
            "name": inp.name,
            "level1": inp.level1,
            "level2": inp.level2,
            "weight": weight,
            "score": score,
            "explanation": "；".join(parts),  # (no part is empty here)
            "flags": _FLAG_SETS[flags],
            "direction": direction,
            "direction_source": source,
            "target": target,
            "actual": actual,
            "achieved": achieved,
            "ratio": ratio,
            "suggested_band": suggested,
            "band": None,
            "band_scale": None,
            "not_applicable": inp.not_applicable,
            "reported_score": reported,
        },
    )
    return scored


# the flag sets _score_quantities can raise, by bit: capped, direction suggested, deviation note
# required, overshoot, reported score differs (frozensets are immutable: sharing them is safe)
_FLAG_SETS: tuple[frozenset[Flag], ...] = tuple(
    frozenset(
        flag
        for bit, flag in enumerate(
            (_CAPPED, _DIRECTION_SUGGESTED, _DEVIATION_NOTE_REQUIRED, _OVERSHOOT, _REPORTED_SCORE_DIFFERS)
        )
        if mask >> bit & 1
    )
    for mask in range(32)
)
_UNIT_SUFFIXES: dict[str | None, str] = {}


def _unit_suffix_of(unit: str | None) -> str:
    suffix = "" if not unit else unit if unit[0] in "%‰" else f" {unit}"
    if len(_UNIT_SUFFIXES) < 4096:
        _UNIT_SUFFIXES[unit] = suffix
    return suffix


_SchemeFacts = tuple[Scheme, Band | None, int, bool, bool, bool, bool, bool, Decimal | None]
_SCHEME_FACTS: dict[int, _SchemeFacts] = {}


def _scheme_facts(scheme: Scheme) -> _SchemeFacts:
    """What _score_quantities reads of a scheme, remembered per scheme object (schemes are immutable;
    the object is held, so that its id stays its own): the top band for a target without a scale,
    score places, cap, full when met, inverse-ratio negatives, "=" and "≈" scored as "≥", overshoot."""
    scale = None if None in scheme.bands else scheme.default_scale  # _scale_for a target without scale
    facts = (
        scheme,
        _top_band(scheme, scale),  # type: ignore[arg-type]
        scheme.score_places,
        scheme.cap_at_weight,
        scheme.full_when_met,
        scheme.negative_formula == "inverse_ratio",
        scheme.equal_as == "positive",
        scheme.approx_as == "positive",
        scheme.overshoot_threshold,
    )
    if len(_SCHEME_FACTS) >= 256:
        _SCHEME_FACTS.clear()
    _SCHEME_FACTS[id(scheme)] = facts
    return facts


# What _suggest_band makes of a quantity target and a quantity actual, both cells with one number
# whose shapes compact alike (see _compact_shaped): each compacts to (words) + (digits) + (words), and
# the words hold no ASCII digit, so the compacts are equal exactly when the words before and after are
# the same and so are the digits; negations and done phrases are Chinese, in the words only.
# Per pair of shapes: (done phrase and no new negation, same words, digit spans of target and actual).
_SuggestPair = tuple[bool, bool, int, int, int, int]
_SUGGEST_PAIRS: dict[tuple[bytes, bytes], _SuggestPair] = {}
_NO_PAIR: _SuggestPair = (False, False, 0, 0, 0, 0)  # (a pair not of that kind: compacted in full)
_ASCII_DIGIT = re.compile("[0-9]")


def _learn_suggest_pair(
    target: Value, actual: Value, target_shape: bytes, actual_shape: bytes
) -> _SuggestPair:
    _compact_shaped(target.text, target_shape)  # type: ignore[arg-type]  # (learns the shapes)
    _compact_shaped(actual.text, actual_shape)  # type: ignore[arg-type]
    target_pieces = _COMPACT_SHAPES.get(target_shape)
    actual_pieces = _COMPACT_SHAPES.get(actual_shape)
    pair = _NO_PAIR
    if type(target_pieces) is tuple and type(actual_pieces) is tuple:
        t_start, t_end, t_before, t_after = target_pieces
        a_start, a_end, a_before, a_after = actual_pieces
        if not _ASCII_DIGIT.search(t_before + t_after + a_before + a_after):
            # the words alone decide negations and done phrases (the digits between are neither)
            t = t_before + "0" + t_after
            c = a_before + "0" + a_after
            done = (
                not c.isascii()
                and not (
                    _NEGATION_CHARS.search(c) is not None
                    and any(neg in c and neg not in t for neg in _NEGATIONS)
                )
                and _DONE_PHRASE.search(c) is not None
            )
            same = a_before == t_before and a_after == t_after
            pair = (done, same, t_start, t_end, a_start, a_end)
    if len(_SUGGEST_PAIRS) >= 4096:
        _SUGGEST_PAIRS.clear()
    _SUGGEST_PAIRS[(target_shape, actual_shape)] = pair
    return pair


def _result(
    inp: IndicatorInput,
    weight: Decimal | None,
    work: _Work,
    direction: Direction | None,
    source: str | None,
    target: Value,
    actual: Value,
    suggested: str | None,
) -> IndicatorResult:
    """IndicatorResult(...) without the frozen dataclass's per-field object.__setattr__."""
    flags = work.flags
    scored = _new_object(IndicatorResult)
    _set_object(
        scored,
        "__dict__",
        {
            "name": inp.name,
            "level1": inp.level1,
            "level2": inp.level2,
            "weight": weight,
            "score": work.score,
            "explanation": "；".join(filter(None, work.parts)),
            "flags": (_ONE_FLAG[flags[0]._value_] if len(flags) == 1 else frozenset(flags))
            if flags
            else _NO_FLAGS,
            "direction": direction,
            "direction_source": source,
            "target": target,
            "actual": actual,
            "achieved": work.achieved,
            "ratio": work.ratio,
            "suggested_band": suggested,
            "band": work.band,
            "band_scale": work.band_scale,
            "not_applicable": inp.not_applicable,
            "reported_score": inp.reported_score,
        },
    )
    return scored


# the flag sets of most results, built once (frozensets are immutable: sharing them is safe)
_NO_FLAGS: frozenset[Flag] = frozenset()
_ONE_FLAG: Mapping[str, frozenset[Flag]] = MappingProxyType({flag.value: frozenset((flag,)) for flag in Flag})


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
    rate_display = f"{_round(rate * _HUNDRED)!s}%"
    raw = rate * weight
    value = max(min(raw, weight), _ZERO)
    if scheme.execution_rounding == "integer":
        score = _round(value, 0)
    else:
        score = _round(value)
    text = f"{_fmt(b)} ÷ {_fmt(a)} × {_fmt(weight)} = {_round(raw)!s}"
    if raw > weight:
        text += f"，封顶 {_round(weight)!s}"
    if scheme.execution_rounding == "integer":
        text += f"，取整 {score!s}"
    if b > a:
        warnings.append(
            EvaluationWarning("execution_over_budget", f"执行数超过预算数（执行率 {rate_display}）")
        )
    if inp.reported_execution_score is not None and inp.reported_execution_score != score:
        warnings.append(
            EvaluationWarning(
                "reported_execution_differs",
                f"自报预算执行得分 {_fmt(inp.reported_execution_score)}，与计算 {score!s} 不符",
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
        if weight is not ind.weight or code != ind.level1:  # rescaled, or level 1 normalised
            ind = dataclasses.replace(ind, weight=weight, level1=code)
        results.append(score_indicator(ind, scheme, year=inp.year))

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
                    f"{name}小计 {_round(score_sum)!s} 超过表头 {_fmt(cap)} 分，按 {_fmt(cap)} 分计",
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
    differing = [r for r in applicable if _REPORTED_SCORE_DIFFERS in r.flags]
    if differing:
        warnings.append(
            EvaluationWarning("reported_scores_differ", f"{len(differing)} 项指标自报得分与计算不符")
        )

    total = (execution_score or _ZERO) + sum((s.capped_score for s in subtotals.values()), _ZERO)
    total = _round(total)
    if total > scheme.total:
        warnings.append(
            EvaluationWarning(
                "total_capped", f"合计 {total!s} 超过总分 {_fmt(scheme.total)}，按 {_fmt(scheme.total)} 计"
            )
        )
        total = _round(scheme.total)
    if inp.reported_total is not None and inp.reported_total != total:
        warnings.append(
            EvaluationWarning(
                "reported_total_differs", f"自报总分 {_fmt(inp.reported_total)}，与计算 {total!s} 不符"
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
