"""How the workflow reads the text people type and writes numbers into its Chinese messages."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from ..engine.values import format_decimal

CENT = Decimal("0.01")


def fields_text(names: Iterable[str], labels: dict[str, str]) -> str:
    """Field names as the Chinese list of their labels, for change reasons ("实际完成值（B）、分值")."""
    return "、".join(labels.get(name, name) for name in names)


def fmt(value: Decimal | None) -> str:
    """A number in a message: as few digits as needed, "—" for none."""
    return "—" if value is None else format_decimal(value)


def fmt_score(value: Decimal) -> str:
    """A score in a message: two places, rounded half up (四舍五入)."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def normalise_text(value) -> str:
    """What the user typed, stripped and in NFC (so that the same text typed twice compares equal)."""
    return unicodedata.normalize("NFC", (value or "").strip())
