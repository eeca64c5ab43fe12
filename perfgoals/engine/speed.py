"""Scoring one indicator fast: :func:`score_indicator`, the rules of :mod:`.rules` with caches and
a hand-written path for the common row.

* Row caches: the result of a row whose target is not a quantity (qualitative, deadline, blank: the
  same few texts again and again) is remembered by the exact input.
* Remembered lookups: what the rules look up of a scheme (bands found by name, top bands, band
  limits) per scheme or band object, passed to the rules as their :class:`~.rules.Lookups`.
* Compact-shape cache: the compact form of a cell with one number is built from the first cell of
  the same shape (see :func:`_compact_shaped`).
* Fast path: :func:`_score_quantities` scores a quantity target above 0 against a quantity actual in
  one pass — the steps of the rules inlined, in the same order. It declines (returns None, and the
  rules score the row) whatever it was not written for, including any scheme option value it does
  not list in :data:`_HANDLED_CHOICES`: an option added to a scheme is scored by the rules until
  this path learns it.

``tests/engine/test_fast_path.py`` keeps this module in step with the rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, getcontext
from types import MappingProxyType

from . import rules
from .rules import (
    _CONTEXT_28,
    _DONE_PHRASE,
    _EQUAL,
    _HUNDRED,
    _NEGATION_CHARS,
    _NEGATIONS,
    _NEGATIVE,
    _POSITIVE,
    _QUANTA,
    _QUANTITATIVE,
    _ZERO,
    MISSED_BUT_FULL,
    Lookups,
    _compact_for_compare,
    _context,
    _deduct,
    _fmt,
    _full,
    _quantum,
    _resolve_direction,
    _round,
    _score_indicator,
    implausible_note,
)
from .rules import (
    MAGNITUDE_IMPLAUSIBLE_RATIO as _IMPLAUSIBLE,
)
from .schemes import Band, Scheme
from .types import (
    _CAPPED,
    _DEVIATION_NOTE_REQUIRED,
    _DIRECTION_SUGGESTED,
    _INPUT_FIELDS,
    _MAGNITUDE_IMPLAUSIBLE,
    _OVERSHOOT,
    _OVERSHOOT_DEDUCTED,
    _REPORTED_SCORE_DIFFERS,
    Flag,
    IndicatorInput,
    IndicatorResult,
    _new_object,
    _set_object,
)
from .units import _ONE as _DECIMAL_ONE
from .units import CACHE_SIZE
from .values import _ONE_NUMBER, _ZERO_DIGITS, _read, parse
from .valuetypes import _SYMBOL_OF_VALUE, Direction, Value, adopt_unit

__all__ = ["ROW_CACHE_SIZE", "score_indicator"]


# --- one indicator: row caches, then the fast path, then the rules ---------------------------------


def score_indicator(inp: IndicatorInput, scheme: Scheme, *, year: int | None = None) -> IndicatorResult:
    """Score one indicator by ``scheme``; ``year`` is the fiscal year (fills years missing from deadlines).

    The rules are those of :mod:`.rules` (summed up in the package docstring); the result's
    ``explanation`` shows the arithmetic. Results are immutable; those of rows whose target is not a
    quantity (qualitative, deadline, blank: the same few texts again and again) are cached by the exact
    input (:data:`ROW_CACHE_SIZE` rows).
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
                return _score_indicator(inp, scheme, year, target, None, _REMEMBERED)
            actual_shape = text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)
            actual = _read(text, actual_shape, None, unit)  # parse(text, unit=unit)
            if actual.unit is None:  # adopt_unit returns any other actual as it is
                actual = adopt_unit(actual, target)
            elif target.unit is not None and actual.unit != target.unit:
                # another unit that may convert into the target's (90 分钟 against 2 小时): the rules
                return _score_indicator(inp, scheme, year, target, adopt_unit(actual, target), _REMEMBERED)
            if actual.kind is _QUANTITATIVE:
                scored = _score_quantities(inp, scheme, target, actual, target_shape, actual_shape)
                if scored is not None:
                    return scored
            return _score_indicator(inp, scheme, year, target, actual, _REMEMBERED)
        if nature is None and unit is None:
            if len(_NOT_QUANTITIES) >= ROW_CACHE_SIZE:
                _NOT_QUANTITIES.clear()
            _NOT_QUANTITIES.add(text)
    else:
        target = parse(text, nature=nature, unit=unit)
        if target.kind is _QUANTITATIVE:
            return _score_indicator(inp, scheme, year, target, None, _REMEMBERED)
    key = _row_key(inp, scheme, year)
    if key is not None:
        known = _ROWS.get(key)
        if known is not None and known[0] is scheme:
            return known[1]
    if target is None:
        target = parse(text)
    scored = _score_indicator(inp, scheme, year, target, None, _REMEMBERED)
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


# --- what the rules look up, remembered -----------------------------------------------------------


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


def _top_band(scheme: Scheme, scale: str) -> Band | None:
    """The rules' ``_top_band``, remembered per scheme object (held, so that its id stays its own)."""
    key = (id(scheme), scale)
    known = _TOP_BANDS.get(key)
    if known is not None and known[0] is scheme:
        return known[1]
    top = rules._top_band(scheme, scale)
    if len(_TOP_BANDS) >= 256:
        _TOP_BANDS.clear()
    _TOP_BANDS[key] = (scheme, top)
    return top


_TOP_BANDS: dict[tuple[int, str], tuple[Scheme, Band | None]] = {}


def _band_numbers(band: Band, weight: Decimal, places: int) -> tuple[Decimal, Decimal, Decimal, str]:
    """The rules' ``_band_numbers``, remembered per band object, weight and places. All three numbers
    are rounded at ``places``, so they depend on the weight's value (and the sign of a zero) only, not
    on how it is printed: 5 and 5.0 give the same."""
    key = (id(band), weight, weight.is_signed(), places)
    known = _BAND_NUMBERS.get(key)
    if known is not None and known[0] is band:
        return known[1]
    numbers = rules._band_numbers(band, weight, places)
    if len(_BAND_NUMBERS) >= 4096:
        _BAND_NUMBERS.clear()
    _BAND_NUMBERS[key] = (band, numbers)
    return numbers


_BAND_NUMBERS: dict[tuple[int, Decimal, bool, int], tuple[Band, tuple[Decimal, Decimal, Decimal, str]]] = {}


def _compact(text: str | None) -> str:
    """The rules' ``_compact_for_compare``, by the compact-shape cache for a str text."""
    if type(text) is not str:
        return _compact_for_compare(text)
    return _compact_shaped(text, text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS))


# --- the compact-shape cache ----------------------------------------------------------------------


def _compact_shaped(text: str, key: bytes) -> str:
    """:func:`~perfgoals.engine.rules._compact_for_compare` of a str ``text`` given its shape."""
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
        compact = _compact_for_compare(text)
        if len(_COMPACTS) >= CACHE_SIZE:
            _COMPACTS.clear()
        _COMPACTS[text] = compact
    return compact


_COMPACTS: dict[str, str] = {}
_COMPACT_SHAPES: dict[bytes, tuple[int, int, str, str] | None] = {}
_UNKNOWN = object()


def _learn_compact_shape(key: bytes, text: str) -> str:
    """Compact a text of a shape not seen yet; remember the shape when its number can be swapped."""
    compact = _compact_for_compare(text)
    shape = None
    match = _ONE_NUMBER.fullmatch(text)
    if match is not None and unicodedata.is_normalized("NFKC", text):
        prefix, digits, suffix = match.groups()
        before = _compact_for_compare(prefix)
        after = _compact_for_compare(suffix)
        if before + digits.replace(".", "") + after == compact:
            shape = (len(prefix), len(text) - len(suffix), before, after)
    if len(_COMPACT_SHAPES) >= 4096:
        _COMPACT_SHAPES.clear()
    _COMPACT_SHAPES[key] = shape
    return compact


#: what the rules look up, remembered (passed to the rules by :func:`score_indicator`)
_REMEMBERED = Lookups(_find_band, _top_band, _band_numbers, _compact)


# --- the fast path --------------------------------------------------------------------------------


def _score_quantities(
    inp: IndicatorInput,
    scheme: Scheme,
    target: Value,
    actual: Value,
    target_shape: bytes,
    actual_shape: bytes,
) -> IndicatorResult | None:
    """The common case of the rules' ``_score_indicator`` in one piece: a quantity target above 0
    against a quantity actual in a compatible unit, scored "≥" or "≤" by formula (the steps of
    _suggest_band, _formula and _result inlined, in the same order). None, having changed nothing, in
    any other case — among them a scheme with an option value this path was not written for.
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
    # left to the rules: a chosen direction against the printed operator, a share typed as a decimal,
    # an actual in another magnitude ten times off (the flags of rules._check_actual)
    override = inp.direction_override
    magnitude = target.magnitude
    if (
        (override is not None and target.direction is not None and override is not target.direction)
        or target.high is not None  # a range: the rules pick its end
        or (b <= _DECIMAL_ONE and a > _DECIMAL_ONE and target.unit == "%")
    ):
        return None
    # an actual in another magnitude ten times off is flagged here as by the rules; a bare number read
    # in the target's magnitude (the rules look for the note of adopt_unit) is left to them
    implausible = False
    if (magnitude is not _DECIMAL_ONE or actual.magnitude is not magnitude) and (
        b >= a * _IMPLAUSIBLE or b * _IMPLAUSIBLE <= a
    ):
        if actual.magnitude == magnitude:
            if magnitude != _DECIMAL_ONE:
                return None
        else:
            implausible = b > _ZERO
    facts = _SCHEME_FACTS.get(id(scheme))
    if facts is None or facts[0] is not scheme:
        facts = _scheme_facts(scheme)
    (
        _,
        handled,
        top,
        places,
        cap,
        full_when_met,
        inverse_ratio,
        equal_positive,
        approx_positive,
        threshold,
        deducts,
    ) = facts
    if not handled:
        return None
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
    # as the rules append a unit ("%" and "‰" directly, any other after a space), remembered per unit
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
    if implausible:  # rules._check_actual
        flags |= 32  # MAGNITUDE_IMPLAUSIBLE
        parts.append(implausible_note(actual, a, b))

    # the rest of _score_indicator
    deducted = ""
    if deducts and direction is _POSITIVE and ratio >= 1 + threshold:  # type: ignore[operator]
        score, deducted = _deduct(score, weight, scheme)  # 指标偏离, by the rules' own helper
        flags |= 64  # OVERSHOOT_DEDUCTED
    if direction_note:
        flags |= 2  # DIRECTION_SUGGESTED
        parts.append(direction_note)
    if not achieved and score >= weight:
        parts.append(MISSED_BUT_FULL)
    if (score < weight or not achieved) and not (inp.deviation_note or "").strip():
        flags |= 4  # DEVIATION_NOTE_REQUIRED
    if threshold is not None and ratio is not None and ratio >= 1 + threshold:
        flags |= 8  # OVERSHOOT
        parts.append(f"实际超出目标 {_fmt(_round((ratio - 1) * _HUNDRED, 0))}%，须说明目标设定是否偏低")
        if deducted:
            parts.append(deducted)
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
# required, overshoot, reported score differs, magnitude implausible, overshoot deducted (frozensets
# are immutable: sharing them is safe)
_FLAG_SETS: tuple[frozenset[Flag], ...] = tuple(
    frozenset(
        flag
        for bit, flag in enumerate(
            (
                _CAPPED,
                _DIRECTION_SUGGESTED,
                _DEVIATION_NOTE_REQUIRED,
                _OVERSHOOT,
                _REPORTED_SCORE_DIFFERS,
                _MAGNITUDE_IMPLAUSIBLE,
                _OVERSHOOT_DEDUCTED,
            )
        )
        if mask >> bit & 1
    )
    for mask in range(128)
)
_UNIT_SUFFIXES: dict[str | None, str] = {}


def _unit_suffix_of(unit: str | None) -> str:
    suffix = "" if not unit else unit if unit[0] in "%‰" else f" {unit}"
    if len(_UNIT_SUFFIXES) < 4096:
        _UNIT_SUFFIXES[unit] = suffix
    return suffix


#: The scheme options _score_quantities reads that take one of a few values, each with the values it
#: was written for. A scheme with any other value (a choice added to schemes._CHOICES, or a value put
#: in without validation) is scored by the rules alone: this path never scores it by a neighbour's
#: formula. "two_sided" "=" / "≈" rows, and "tolerance" "≈" rows, are declined row by row.
_HANDLED_CHOICES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "positive_formula": frozenset({"ratio"}),
        "negative_formula": frozenset({"inverse_ratio", "linear_excess"}),
        "equal_as": frozenset({"positive", "two_sided"}),
        "approx_as": frozenset({"positive", "two_sided", "tolerance"}),
        "default_scale": frozenset({"three", "five", "hml"}),
        "overshoot_deduction_as": frozenset({"points", "share"}),
    }
)
#: the options it reads as True or False (anything else goes to the rules)
_HANDLED_FLAGS = ("cap_at_weight", "full_when_met")
#: the other options it reads: bands (any that validate: only their top band is looked up, by the
#: rules' own _top_band), score_places (any int: rounded by the rules' own helpers) and
#: overshoot_threshold (None or a Decimal) and overshoot_deduction (a Decimal: when not 0, a "≥" row at or
#: over the threshold loses it through the rules' own rules._deduct)
_HANDLED_OTHERS = ("bands", "score_places", "overshoot_threshold", "overshoot_deduction")


def _handles(scheme: Scheme) -> bool:
    """Whether _score_quantities was written for the value of every scheme option it reads."""
    for option, values in _HANDLED_CHOICES.items():
        value = getattr(scheme, option)
        if type(value) is not str or value not in values:
            return False
    if any(type(getattr(scheme, option)) is not bool for option in _HANDLED_FLAGS):
        return False
    threshold = scheme.overshoot_threshold
    return (
        type(scheme.score_places) is int
        and (threshold is None or type(threshold) is Decimal)
        and type(scheme.overshoot_deduction) is Decimal
    )


_SchemeFacts = tuple[Scheme, bool, Band | None, int, bool, bool, bool, bool, bool, Decimal | None, bool]
_SCHEME_FACTS: dict[int, _SchemeFacts] = {}


def _scheme_facts(scheme: Scheme) -> _SchemeFacts:
    """What _score_quantities reads of a scheme, remembered per scheme object (schemes are immutable;
    the object is held, so that its id stays its own): whether it handles the scheme at all (see
    :func:`_handles`), the top band for a target without a scale, score places, cap, full when met,
    inverse-ratio negatives (else linear excess), "=" and "≈" scored as "≥", overshoot, and whether
    an overshoot is deducted (指标偏离)."""
    if _handles(scheme):
        scale = None if None in scheme.bands else scheme.default_scale  # _scale_for a target without scale
        facts: _SchemeFacts = (
            scheme,
            True,
            _top_band(scheme, scale),  # type: ignore[arg-type]
            scheme.score_places,
            scheme.cap_at_weight,
            scheme.full_when_met,
            scheme.negative_formula == "inverse_ratio",
            scheme.equal_as == "positive",
            scheme.approx_as == "positive",
            scheme.overshoot_threshold,
            scheme.overshoot_threshold is not None and scheme.overshoot_deduction != 0,
        )
    else:
        facts = (scheme, False, None, 0, False, False, False, False, False, None, False)
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
