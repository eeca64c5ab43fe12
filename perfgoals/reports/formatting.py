"""Numbers as the officials print them: money in 万元 without float artefacts, rates in %, scores.

Everything here takes ``Decimal`` (or None) and returns text; floats are refused, because a float
in between is how "1807.5" turns into "1807.4999999". Used by the HTML pages, the Excel and Word
builders and the narrative text alike, so that a figure reads the same everywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "DASH",
    "execution_rate",
    "format_decimal",
    "money",
    "number_value",
    "percent",
    "rate_percent",
    "score",
]

#: what an empty figure prints as in the forms
DASH = "—"

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def format_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 100 → "100", 2.50 → "2.5", -0 → "0"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _check(value: Decimal | None) -> None:
    if value is not None and not isinstance(value, Decimal | int):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")


def money(value: Decimal | None, empty: str = "") -> str:
    """万元 as printed: 5515, 1807.5, 0 — no trailing zeros, no exponent, no thousands separator."""
    _check(value)
    if value is None:
        return empty
    return format_decimal(Decimal(value))


def score(value: Decimal | None, empty: str = "") -> str:
    """A score: an integer where exact (100, 5), otherwise two places (4.50, 77.25)."""
    _check(value)
    if value is None:
        return empty
    value = Decimal(value)
    if value == value.to_integral_value():
        return format_decimal(value.to_integral_value())
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def score_cell(value: Decimal | None, empty: str = "") -> str:
    """A score in a table's column: always two places (100.00, 9.50), so a column reads alike."""
    _check(value)
    if value is None:
        return empty
    return str(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def rate_percent(rate: Decimal | None) -> Decimal | None:
    """A ratio (1, 0.9957…) as a percentage rounded half-up to 2 places (100, 99.57)."""
    _check(rate)
    if rate is None:
        return None
    return (Decimal(rate) * _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)


def percent(rate: Decimal | None, empty: str = DASH) -> str:
    """A ratio as printed: 100%, 99.57%, 50%."""
    value = rate_percent(rate)
    if value is None:
        return empty
    return f"{format_decimal(value)}%"


def execution_rate(annual: Decimal | None, executed: Decimal | None) -> Decimal | None:
    """B / A, or None when it cannot be computed (no budget, a budget of 0, nothing executed entered)."""
    _check(annual)
    _check(executed)
    if annual is None or executed is None or annual == 0:
        return None
    return Decimal(executed) / Decimal(annual)


def number_value(value: Decimal | None) -> int | Decimal | None:
    """A Decimal for a spreadsheet cell: an int where exact, else the Decimal without trailing zeros.

    Spreadsheet writers print numbers with ``{:.16G}``; ``Decimal("5515.0000")`` would otherwise be
    stored as "5515.0000" and ``normalize()`` would give "5.515E+3".
    """
    _check(value)
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return Decimal(format_decimal(value))
