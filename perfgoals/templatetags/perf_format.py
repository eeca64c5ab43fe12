"""Numbers as the officials print them, for templates and tables.

* 万元 amounts: no float artefacts and no padding zeros — 5515, 1807.5, 0 (``wan``);
* scores: always two places, rounded half-up — 2.00, 93.50 (``score``);
* rates: a percentage at two places — 100.00% (``pct``);
* weights and other plain numbers: as few digits as needed — 5, 2.5 (``plain``).

Missing values print as an em dash, the way the forms leave a cell blank but visible.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from perfgoals.engine.values import format_decimal

register = template.Library()

DASH = "—"
_CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)  # never carry a binary fraction into a printed figure
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def plain_number(value) -> str:
    """A number with as few digits as needed: 5515.0000 → "5515", 1807.5000 → "1807.5"."""
    number = _decimal(value)
    return DASH if number is None else format_decimal(number)


def score_text(value) -> str:
    """A score at two places: 2 → "2.00", 93.456 → "93.46"."""
    number = _decimal(value)
    return DASH if number is None else str(number.quantize(_CENT, rounding=ROUND_HALF_UP))


def percent_text(value) -> str:
    """A rate as a percentage at two places: 1 → "100.00%", 0.98765 → "98.77%"."""
    number = _decimal(value)
    return DASH if number is None else f"{(number * 100).quantize(_CENT, rounding=ROUND_HALF_UP)}%"


@register.filter
def wan(value) -> str:
    """A 万元 amount as printed: 5515, 1807.5."""
    return plain_number(value)


@register.filter
def plain(value) -> str:
    return plain_number(value)


@register.filter
def score(value) -> str:
    return score_text(value)


@register.filter
def pct(value) -> str:
    return percent_text(value)


@register.filter
def input_number(value) -> str:
    """A number for an <input> value: plain digits, empty when missing."""
    number = _decimal(value)
    return "" if number is None else format_decimal(number)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def line_rate(line) -> str:
    """执行率 of one budget line (B/A) as a percentage; a dash when A is missing or 0."""
    if line is None or not getattr(line, "annual", None) or line.executed is None:
        return DASH
    return percent_text(Decimal(line.executed) / Decimal(line.annual))


@register.filter
def flag_level(flags, code) -> bool:
    """True when ``code`` is among an indicator's stored engine flags."""
    return code in (flags or [])


#: explanation notes about a guessed direction: the supervisor's business (the targets are approved),
#: noise to a unit that cannot change them
_DIRECTION_NOTES = ("推测为", "未标明指标方向")


@register.filter
def explain(text: str, mode: str = "") -> dict:
    """A score explanation split for display: the arithmetic first, the side notes after.

    "实际 93%，目标 92%：93 ÷ 92 × 2 = 2.02，封顶 2.00；按指标名称“参保率”推测为正向指标，请确认"
    → main "93 ÷ 92 × 2 = 2.02，封顶 2.00" (the row already shows both values), notes the rest.
    With mode "entry" the notes on a guessed direction are left out.
    """
    parts = [part for part in (text or "").split("；") if part]
    if not parts:
        return {"main": "", "notes": []}
    main, notes = parts[0], parts[1:]
    if main.startswith("实际 ") and "：" in main:
        main = main.split("：", 1)[1]
    if mode == "entry":
        notes = [note for note in notes if not any(marker in note for marker in _DIRECTION_NOTES)]
    return {"main": main, "notes": notes, "full": text}
