"""How the workflow reads the text people type and writes numbers into its Chinese messages."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from ..engine.values import format_decimal

CENT = Decimal("0.01")


def fields_text(names: Iterable[str], labels: dict[str, str]) -> str:
    return "、".join(labels.get(name, name) for name in names)


def fmt(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal(value)


def fmt_score(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def normalise_text(value) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())
