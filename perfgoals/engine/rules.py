"""One indicator by the rules of a :class:`~perfgoals.engine.schemes.Scheme`: the general path of
:func:`~perfgoals.engine.speed.score_indicator`, and the only place a formula is written.

Plain code, no caches: this module is the reference that :mod:`.speed` must agree with (see
``tests/engine/test_fast_path.py``). What it looks up of schemes, bands and texts goes through a
:class:`Lookups` parameter, computed anew here (:data:`PLAIN`) and remembered by :mod:`.speed`.
Every score is a Decimal rounded half-up at the end; every explanation and flag label is Chinese.
A scheme option value without a rule here raises NotImplementedError: a scheme is never scored
silently by another rule than its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal
from types import MappingProxyType
from typing import NamedTuple

from .nature import read_name
from .schemes import APPROX_TOLERANCE, Band, Scheme
from .types import (
    _ACTUAL_MISSING,
    _ACTUAL_UNREADABLE,
    _BAND_REQUIRED,
    _BAND_SCORE_OUT_OF_RANGE,
    _CAPPED,
    _DEADLINE_LATE,
    _DECIMAL_SHARE,
    _DEVIATION_NOTE_REQUIRED,
    _DIRECTION_CONTRADICTS_TARGET,
    _DIRECTION_SUGGESTED,
    _MAGNITUDE_IMPLAUSIBLE,
    _NO_WEIGHT,
    _OVERSHOOT,
    _OVERSHOOT_DEDUCTED,
    _REPORTED_SCORE_DIFFERS,
    _TARGET_UNREADABLE,
    _TARGET_ZERO,
    _UNIT_MISMATCH,
    Flag,
    IndicatorInput,
    IndicatorResult,
    _new_object,
    _set_object,
)
from .units import _normalise, format_decimal, normalise_text
from .values import parse
from .valuetypes import NOTE_CONVERTED, Direction, Kind, Value, adopt_unit
from .valuetypes import _replace as _replace_value

__all__ = ["MISSED_BUT_FULL", "PLAIN", "Lookups", "score_by_rules"]

#: the note of a missed target whose score rounds to the full weight (it still needs its deviation note)
MISSED_BUT_FULL = "未达成目标（得分四舍五入后为满分），仍需说明偏差原因"

# members bound to module names: reading ``Kind.EMPTY`` goes through the enum machinery each time
_QUANTITATIVE = Kind.QUANTITATIVE
_QUALITATIVE = Kind.QUALITATIVE
_DEADLINE = Kind.DEADLINE
_UNREADABLE = Kind.UNREADABLE
_EMPTY = Kind.EMPTY
_POSITIVE = Direction.POSITIVE
_NEGATIVE = Direction.NEGATIVE
_EQUAL = Direction.EQUAL
_APPROX = Direction.APPROX

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


# --- helpers --------------------------------------------------------------------------------------


def _quantum(places: int) -> Decimal:
    quantum = _QUANTA.get(places)
    return Decimal(1).scaleb(-places) if quantum is None else quantum


# the quanta of the places a score can have: a table built once, not a cache (it never grows); a plain
# dict, read on every rounding (a MappingProxyType costs more per read)
_QUANTA: dict[int, Decimal] = {places: Decimal(1).scaleb(-places) for places in range(9)}
# the rounding context of any value below 10**25: a Context is only read by quantize (its sticky
# flags never change a result), and Context(prec=…) takes every other setting from DefaultContext
_CONTEXT_28 = Context(prec=28)


def _context(prec: int) -> Context:
    """A rounding context of ``prec`` digits (above 28: a value too large for :data:`_CONTEXT_28`)."""
    return Context(prec=prec)


def _round(value: Decimal, places: int = 2, rounding: str = ROUND_HALF_UP) -> Decimal:
    # enough precision for any finite value, so that quantize never signals InvalidOperation
    prec = value.adjusted() + places + 3
    context = _CONTEXT_28 if prec <= 28 else _context(prec)
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _quantum(places)
    return value.quantize(quantum, rounding, context)  # positional: keywords cost more than the rounding


def _no_rule(option: str, value: object) -> NotImplementedError:
    """The error for a scheme option value that :mod:`.schemes` may accept but no rule here handles
    (a choice added to ``schemes._CHOICES`` before its rule was written): never score by another rule."""
    return NotImplementedError(f"scheme option {option} = {value!r} has no rule in perfgoals.engine.rules")


def _full(weight: Decimal, places: int) -> Decimal:
    """The full weight as a score: rounded half-up, or down if that would exceed the weight
    (only possible for a weight with more decimal places than a score)."""
    rounded = _round(weight, places)
    return rounded if rounded <= weight else _round(weight, places, ROUND_DOWN)


_fmt = format_decimal


# the characters _compact_for_compare drops: for re (as for str), \w is isalnum() or "_"
_NOT_KEPT_FOR_COMPARE = re.compile(r"[^\w%‰≥≤<>=≈]|_")


def _compact_for_compare(text: str | None) -> str:
    """Text without whitespace and punctuation, for "the actual restates the target".

    ``"".join(ch for ch in normalise_text(text) if ch.isalnum() or ch in "%‰≥≤<>=≈")``, faster
    (and normalised without filling normalise_text's cache: :mod:`.speed` keeps its own).
    """
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


#: an actual that reports a deadline met in words ("按期完成", "已按时完成", "如期办结"), compacted
_ON_TIME = re.compile(
    "(?:已经|均已|全部|已|均)?(?:按期|按时|如期|准时)(?:完成|办结|实施|到位|上线|拨付|发放|交付|验收)?(?:任务)?"
)


def _suggest_band(target: Value, actual: Value, scheme: Scheme, scale: str, lookups: Lookups) -> str | None:
    """A band to propose (never applied): the band an actual names on a printed scale ("良" against
    "优良中低差"), or the top band when the actual plainly reports the target as met; else None."""
    if actual.kind is _EMPTY or target.kind is _EMPTY:
        return None
    if target.scale is not None and actual.text:
        named = lookups.find_band(scheme, normalise_text(actual.text).strip("。.;；"), target.scale)
        if named is not None and named[0] == target.scale:
            return named[1].short
    top = lookups.top_band(scheme, scale)
    if top is None:
        return None
    t = lookups.compact(target.text)
    a = lookups.compact(actual.text)
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
    """The band a suggestion proposes: the highest of the scale (of the default scale if unknown)."""
    bands = scheme.bands.get(scale) or scheme.bands.get(scheme.default_scale) or ()
    return max(bands, key=lambda band: band.high_pct, default=None)


def _scale_for(target: Value, scheme: Scheme) -> str:
    """The scale a target is judged on: its own printed scale when the scheme has it, else the default."""
    return target.scale if target.scale in scheme.bands else scheme.default_scale


class _Work:
    """Mutable scratchpad of one row scored by the rules (never leaves _score_indicator)."""

    __slots__ = ("achieved", "band", "band_scale", "flags", "parts", "positive", "ratio", "score")

    def __init__(self) -> None:
        self.flags: list[Flag] = []  # in order raised; a frozenset in the result
        self.parts: list[str] = []
        self.score: Decimal | None = None
        self.achieved: bool | None = None
        self.ratio: Decimal | None = None
        self.positive = False  # scored by the positive formula, the direction being "≥" (指标偏离)
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
    signal = read_name(inp.name)
    suggested, keyword = signal.direction, signal.keyword
    if suggested is not None:
        kind = "反向" if suggested is _NEGATIVE else "正向"
        return suggested, "name", f"按指标名称“{keyword}”推测为{kind}指标（{signal.reason}），请确认"
    if keyword is not None:
        # a word that points both ways: still a guess from the name, which the unit must confirm
        return _POSITIVE, "name", f"指标名称“{keyword}”方向不明（{signal.reason}），暂按正向计，请确认"
    return _POSITIVE, "default", "未标明指标方向，按正向计，请确认"


def _score_by_band(
    inp: IndicatorInput,
    scheme: Scheme,
    weight: Decimal,
    scale: str,
    prefix: str,
    work: _Work,
    lookups: Lookups,
) -> None:
    """Score inside the user's band, or flag BAND_REQUIRED."""
    found = lookups.find_band(scheme, inp.band, scale)
    if found is None:
        work.flags.append(_BAND_REQUIRED)
        if inp.band:
            work.parts.append(f"{prefix}：档次“{inp.band}”无法识别，需评定档次")
        else:
            work.parts.append(f"{prefix}，需评定档次")
        return
    scale_used, band = found
    places = scheme.score_places
    low, top, weight_down, label = lookups.band_numbers(band, weight, places)
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
    rounded down, and the band's label."""
    return (
        _round(band.low_score(weight), places, ROUND_UP),
        _round(band.top_score(weight, places), places, ROUND_DOWN),
        _round(weight, places, ROUND_DOWN),
        f"{band.short}（{band.range_display()}）",
    )


def _find_band(scheme: Scheme, label: str | None, scale: str | None) -> tuple[str, Band] | None:
    """The (scale, band) a label names (see :meth:`Scheme.find_band`)."""
    return scheme.find_band(label, scale)


class Lookups(NamedTuple):
    """What the rules look up: pure functions of immutable arguments (schemes, bands, texts).

    The rules take them as a parameter so that :mod:`.speed` can pass remembered ones: a plain
    computation here, and the caches where the caches are. :data:`PLAIN` computes each anew;
    ``tests/engine/test_fast_path.py`` compares the two.
    """

    find_band: Callable[[Scheme, str | None, str | None], tuple[str, Band] | None]
    top_band: Callable[[Scheme, str], Band | None]
    band_numbers: Callable[[Band, Decimal, int], tuple[Decimal, Decimal, Decimal, str]]
    compact: Callable[[str | None], str]


#: the lookups computed anew each time
PLAIN = Lookups(_find_band, _top_band, _band_numbers, _compact_for_compare)


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
    # a quantity in an explanation: "93%", "≤60 分钟" ("%" and "‰" follow the number, any other unit
    # after a space)
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
    elif mode == "two_sided":
        achieved = b == a
        ratio = b / a
    elif mode == "tolerance" and direction is _APPROX:
        low_edge, high_edge = a * (1 - APPROX_TOLERANCE), a * (1 + APPROX_TOLERANCE)
        achieved = low_edge <= b <= high_edge
        ratio = b / a
    else:
        raise _no_rule("equal_as" if direction is _EQUAL else "approx_as", mode)
    work.achieved = achieved
    work.ratio = ratio
    work.positive = mode == "positive" and direction is _POSITIVE

    if mode == "tolerance":
        band = f"±{_fmt(APPROX_TOLERANCE * _HUNDRED)}% 容差（{_fmt(low_edge)}–{_fmt(high_edge)}）"
        if achieved:
            work.score = _full(weight, places)
            work.parts.append(f"{head}：在{band}内，得满分 {work.score!s}")
            return True
        if b < low_edge:
            raw = b / low_edge * weight
            formula = f"低于{band}：{b_txt} ÷ {_fmt(low_edge)} × {_fmt(weight)}"
        else:
            raw = high_edge / b * weight
            formula = f"高于{band}：{_fmt(high_edge)} ÷ {b_txt} × {_fmt(weight)}"
        work.score = _round(raw, places)
        work.parts.append(f"{head}：{formula} = {work.score!s}")
        return True

    if achieved and scheme.full_when_met:
        work.score = _full(weight, places)
        work.parts.append(f"{head}：已达成，得满分 {work.score!s}")
        return True

    if mode == "positive":
        if scheme.positive_formula != "ratio":
            raise _no_rule("positive_formula", scheme.positive_formula)
        raw = ratio * weight  # type: ignore[operator]  # b / a, computed above
        formula = f"{b_txt} ÷ {a_txt} × {_fmt(weight)}"
    elif mode == "negative":
        negative_formula = scheme.negative_formula
        if negative_formula == "inverse_ratio":
            if b <= _ZERO:
                work.score = _full(weight, places)
                work.parts.append(f"{head}：实际为 {b_txt}，得满分 {work.score!s}")
                return True
            raw = ratio * weight  # type: ignore[operator]  # a / b, computed above
            formula = f"{a_txt} ÷ {b_txt} × {_fmt(weight)}"
        elif negative_formula == "linear_excess":
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
        else:
            raise _no_rule("negative_formula", negative_formula)
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


def _range_end(target: Value, actual: Value, direction: Direction, work: _Work) -> tuple[Value, Direction]:
    """The end of a range target ("90%-95%", "3-5天") an actual is scored against, as a target of its
    own, and the direction to score it by: the lower end for a positive target ("≥ 90%"), the upper
    for a negative one ("≤ 5天"); for "=" / "≈" the end the actual is past (inside: the lower end, met)."""
    low, high = target.low, target.high
    assert low is not None and high is not None and actual.base is not None
    if direction is _NEGATIVE or (direction not in (_POSITIVE, _NEGATIVE) and actual.base > high):
        end, used, which = high, _NEGATIVE, "上限"
    else:
        end, used, which = low, _POSITIVE, "下限"
    magnitude = target.magnitude
    unit = target.printed_unit or ""
    work.parts.append(
        f"目标区间 {_fmt(low / magnitude)}{unit}–{_fmt(high / magnitude)}{unit}，按{which}"
        f" {'≤' if used is _NEGATIVE else '≥'}{_fmt(end / magnitude)}{unit} 计"
    )
    compared = _replace_value(target, direction=used, strict=False, number=end / magnitude, base=end)
    return compared, used


_NOTE_ADOPTED = "沿用目标单位"
#: the direction opposite to a printed ≥ or ≤
_OPPOSITE: Mapping[Direction, Direction] = MappingProxyType({_POSITIVE: _NEGATIVE, _NEGATIVE: _POSITIVE})
#: an actual this many times the target (or this share of it), in another magnitude, is implausible
MAGNITUDE_IMPLAUSIBLE_RATIO = Decimal(10)
_ONE = Decimal(1)


def _check_actual(target: Value, actual: Value, work: _Work) -> None:
    """Flag an actual that is probably mistyped (never changed): a share typed as a decimal ("0.92"
    against "≥90%"), or a magnitude that cannot be right ("3.9 亿人" against "400 万人以上")."""
    a, b = target.base, actual.base
    number = actual.number
    if (
        target.unit == "%"
        and actual.unit == "%"
        and number is not None
        and actual.magnitude == _ONE
        and _ZERO < number <= _ONE
        and target.number is not None
        and target.number > _ONE
        and "%" not in normalise_text(actual.text)
    ):
        work.flags.append(_DECIMAL_SHARE)
        work.parts.append(
            f"实际值 {_fmt(number)} 疑似以小数填写百分比，是否应为 {_fmt(number * _HUNDRED)}%？"
            "请核实（未自动换算）"
        )
    if a is None or b is None or a <= _ZERO or b <= _ZERO:
        return
    # another magnitude printed ("3.9 亿人" against "400 万人"), or a bare number read in the target's
    # magnitude ("12000000" against "1200 万元" is read as 12000000 万元)
    adopted = target.magnitude != _ONE and any(note.startswith(_NOTE_ADOPTED) for note in actual.recognised)
    if actual.magnitude == target.magnitude and not adopted:
        return
    limit = MAGNITUDE_IMPLAUSIBLE_RATIO
    if b >= a * limit or b * limit <= a:
        work.flags.append(_MAGNITUDE_IMPLAUSIBLE)
        work.parts.append(implausible_note(actual, a, b))


def implausible_note(actual: Value, a: Decimal, b: Decimal) -> str:
    """The explanation of MAGNITUDE_IMPLAUSIBLE: how far the actual (base ``b``) is from the target
    (base ``a``), in times or as a share (shared with the fast path of :mod:`.speed`)."""
    number = actual.number
    if b >= a:
        relation, share = "是目标的", f"{_fmt(_round(b / a, 1))} 倍"
    else:
        relation, share = "仅为目标的", f"{_fmt(_round(b / a * _HUNDRED, 2))}%"
    return (
        f"实际 {_fmt(number if number is not None else b)}{actual.printed_unit or ''} {relation} {share}，"
        "数量级可疑，请核实万、亿等单位"
    )


def _deadline(
    inp: IndicatorInput,
    target: Value,
    actual: Value,
    weight: Decimal,
    scheme: Scheme,
    year: int | None,
    work: _Work,
    lookups: Lookups,
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
        _score_by_band(inp, scheme, weight, scheme.default_scale, "期限", work, lookups)
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
    if scheme.deadline_late != "band":
        raise _no_rule("deadline_late", scheme.deadline_late)
    _score_by_band(inp, scheme, weight, scheme.default_scale, late, work, lookups)


# --- indicator ------------------------------------------------------------------------------------


def _deduct(score: Decimal, weight: Decimal, scheme: Scheme) -> tuple[Decimal, str]:
    """指标偏离: the score less the scheme's overshoot deduction (points, or a share of the weight),
    never below 0, rounded half-up; and the arithmetic in words."""
    places = scheme.score_places
    deduction = scheme.overshoot_deduction
    if scheme.overshoot_deduction_as == "share":
        amount = weight * deduction
        what = f"分值的 {_fmt(deduction * _HUNDRED)}%（{_fmt(amount)} 分）"
    elif scheme.overshoot_deduction_as == "points":
        amount = deduction
        what = f"{_fmt(amount)} 分"
    else:
        raise _no_rule("overshoot_deduction_as", scheme.overshoot_deduction_as)
    left = score - amount
    result = _round(max(left, _ZERO), places)
    arithmetic = f"{score!s} − {_fmt(amount)} = {result!s}" if left >= _ZERO else f"按 0 计，得 {result!s}"
    share = _fmt(scheme.overshoot_threshold * _HUNDRED)  # type: ignore[operator]
    return result, f"超出目标 {share}% 以上，按指标偏离扣 {what}：{arithmetic}"


def score_by_rules(inp: IndicatorInput, scheme: Scheme, *, year: int | None = None) -> IndicatorResult:
    """Score one indicator by the rules alone: what :func:`~perfgoals.engine.speed.score_indicator`
    gives, without its caches and fast path (the reference the tests compare it with)."""
    return _score_indicator(inp, scheme, year, parse(inp.target_text, nature=inp.nature, unit=inp.unit), None)


def _score_indicator(
    inp: IndicatorInput,
    scheme: Scheme,
    year: int | None,
    target: Value,
    actual: Value | None,
    lookups: Lookups = PLAIN,
) -> IndicatorResult:
    """Score one row, the target read (and the actual, adopted, when given); ``lookups`` as in
    :class:`Lookups`."""
    if actual is None:
        actual = adopt_unit(parse(inp.actual_text, unit=inp.unit), target)
    scale = _scale_for(target, scheme)
    work = _Work()
    direction, source, direction_note = _resolve_direction(inp, target)
    suggested = _suggest_band(target, actual, scheme, scale, lookups)
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
            compared, used = target, direction
            if target.high is not None:
                compared, used = _range_end(target, actual, direction, work)
            if not _formula(compared, actual, used, weight, scheme, work):
                _score_by_band(inp, scheme, weight, scale, "按定性评判", work, lookups)
            else:
                if actual.recognised and actual.recognised[-1].startswith(NOTE_CONVERTED):
                    work.parts.append(actual.recognised[-1])
                _check_actual(target, actual, work)
        elif actual_quantitative:
            work.flags.append(_UNIT_MISMATCH)
            prefix = f"单位不一致（目标 {target.unit}，实际 {actual.unit}），按定性评判"
            if inp.band:
                _score_by_band(inp, scheme, weight, scale, prefix, work, lookups)
            else:
                work.parts.append(f"单位不一致（目标 {target.unit}，实际 {actual.unit}），无法按公式计分")
        else:
            _score_by_band(inp, scheme, weight, scale, "实际值为文字描述，按定性评判", work, lookups)
        if source == "user" and target.direction in _OPPOSITE and _OPPOSITE[target.direction] is direction:
            # "≥ 90%" printed, ≤ chosen: the choice wins, and nobody is left guessing which was used
            work.flags.append(_DIRECTION_CONTRADICTS_TARGET)
            work.parts.append(
                f"目标值写明 {target.operator_symbol()}，但指标方向设为{direction.label}，按{direction.label}计分"
            )
        if direction_note and work.score is not None and work.band is None:
            # only a formula depends on the direction; a band score does not need it confirmed
            work.flags.append(_DIRECTION_SUGGESTED)
            work.parts.append(direction_note)
    elif target_kind is _DEADLINE:
        if actual_kind is _DEADLINE:
            _deadline(inp, target, actual, weight, scheme, year, work, lookups)
        elif actual_kind is _QUALITATIVE and _ON_TIME.fullmatch(lookups.compact(actual.text)) is not None:
            # "按期完成" against "12月底前": the deadline is reported met in words
            work.achieved = True
            work.score = _full(weight, scheme.score_places)
            work.parts.append(
                f"实际“{normalise_text(actual.text)}”，期限 {target.deadline.display()}：按期完成，"  # type: ignore[union-attr]
                f"得满分 {work.score!s}"
            )
        else:
            _score_by_band(inp, scheme, weight, scale, "实际值不是日期，按定性评判", work, lookups)
    else:
        if target_kind is _EMPTY:
            prefix = "未填目标值，按定性评判"
        elif target_kind is _UNREADABLE:
            prefix = "目标值无法识别，按定性评判"
        else:
            prefix = "定性"
        _score_by_band(inp, scheme, weight, scale, prefix, work, lookups)

    if suggested and _BAND_REQUIRED in work.flags:
        work.parts.append(f"建议档次：{suggested}")

    score = work.score
    if score is not None:
        threshold = scheme.overshoot_threshold
        overshoot = threshold is not None and work.ratio is not None and work.ratio >= 1 + threshold
        deducted = ""
        if overshoot and work.positive and scheme.overshoot_deduction:
            score, deducted = _deduct(score, weight, scheme)  # type: ignore[arg-type]
            work.score = score
            work.flags.append(_OVERSHOOT_DEDUCTED)
        missed = work.achieved is False
        if missed and score >= weight:
            # 59.99% against "60%以上": the formula rounds to the full weight, the target is still missed
            work.parts.append(MISSED_BUT_FULL)
        if (score < weight or missed) and not (inp.deviation_note or "").strip():
            work.flags.append(_DEVIATION_NOTE_REQUIRED)
        if overshoot:
            work.flags.append(_OVERSHOOT)
            work.parts.append(
                f"实际超出目标 {_fmt(_round((work.ratio - 1) * _HUNDRED, 0))}%，须说明目标设定是否偏低"  # type: ignore[operator]
            )
            if deducted:
                work.parts.append(deducted)
        if inp.reported_score is not None and inp.reported_score != score:
            work.flags.append(_REPORTED_SCORE_DIFFERS)
            work.parts.append(f"自报得分 {_fmt(inp.reported_score)}，与计算 {score!s} 不符")
    return _result(inp, weight, work, direction, source, target, actual, suggested)


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
