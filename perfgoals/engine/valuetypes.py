"""What a printed cell is read into: :class:`Value` with its :class:`Kind`, :class:`Direction` and
:class:`Deadline`, and what relates two values (:func:`compatible`, :func:`adopt_unit`).

Values are immutable; :mod:`.values` builds them (:func:`parse`), the scorer compares them.
"""

from __future__ import annotations

import calendar
import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from .units import _ONE, conversion_factor, format_decimal, normalise_text

__all__ = [
    "Deadline",
    "Direction",
    "Kind",
    "Value",
    "adopt_unit",
    "compatible",
]


class Kind(StrEnum):
    """What a printed value turned out to be."""

    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"
    DEADLINE = "deadline"
    UNREADABLE = "unreadable"
    EMPTY = "empty"

    @property
    def label(self) -> str:
        """Chinese name of the kind."""
        return _KIND_LABELS[self]


# members bound to module names: reading ``Kind.EMPTY`` goes through the enum machinery each time
_QUANTITATIVE = Kind.QUANTITATIVE
_QUALITATIVE = Kind.QUALITATIVE
_DEADLINE = Kind.DEADLINE
_UNREADABLE = Kind.UNREADABLE
_EMPTY = Kind.EMPTY

_KIND_LABELS = MappingProxyType(
    {
        Kind.QUANTITATIVE: "定量",
        Kind.QUALITATIVE: "定性",
        Kind.DEADLINE: "期限",
        Kind.UNREADABLE: "无法识别",
        Kind.EMPTY: "空白",
    }
)


class Direction(StrEnum):
    """Which way a target points: ≥ (positive, 正向), ≤ (negative, 反向), = or ≈."""

    POSITIVE = "ge"
    NEGATIVE = "le"
    EQUAL = "eq"
    APPROX = "approx"

    @property
    def symbol(self) -> str:
        """The operator printed for this direction."""
        return _DIRECTION_SYMBOLS[self]

    @property
    def label(self) -> str:
        """Chinese name of the direction, e.g. "正向（≥）"."""
        return _DIRECTION_LABELS[self]


# members bound to module names: reading ``Direction.POSITIVE`` goes through the enum machinery each time
_POSITIVE = Direction.POSITIVE
_NEGATIVE = Direction.NEGATIVE
_EQUAL = Direction.EQUAL
_APPROX = Direction.APPROX

_DIRECTION_SYMBOLS = MappingProxyType(
    {
        Direction.POSITIVE: "≥",
        Direction.NEGATIVE: "≤",
        Direction.EQUAL: "=",
        Direction.APPROX: "≈",
    }
)
_SYMBOL_OF_VALUE = {direction.value: symbol for direction, symbol in _DIRECTION_SYMBOLS.items()}
_DIRECTION_LABELS = MappingProxyType(
    {
        Direction.POSITIVE: "正向（≥）",
        Direction.NEGATIVE: "反向（≤）",
        Direction.EQUAL: "等于（=）",
        Direction.APPROX: "约等于（≈）",
    }
)


@dataclass(frozen=True)
class Deadline:
    """A date or deadline as printed; parts that were not printed are None.

    ``end_of_month`` records "底/末" ("11月底前"); ``before`` records a month- or year-level "前"
    ("9月前" = before September). A day-level "前" ("12月31日前") is read as *on or before* that
    day, as the phrase is used in budget documents.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    end_of_month: bool = False
    before: bool = False

    def resolve(self, default_year: int | None = None) -> date:
        """The latest date that still counts as on time (for an actual: the date it was done, at the latest).

        "11月底前" → 30 Nov; "9月前" → 31 Aug; "2023年12月" → 31 Dec 2023; "2019 年完成" → 31 Dec 2019.
        ``default_year`` fills a missing year. Raises ValueError when no year is known or the date
        does not exist.
        """
        year = self.year if self.year is not None else default_year
        if year is None:
            raise ValueError("期限缺少年份")
        if self.month is None:
            return date(year - 1, 12, 31) if self.before else date(year, 12, 31)
        if self.day is None:
            if self.before:
                return date(year, self.month, 1) - timedelta(days=1)
            return date(year, self.month, calendar.monthrange(year, self.month)[1])
        return date(year, self.month, self.day)

    def display(self) -> str:
        """A short Chinese rendering, e.g. "2019年12月31日", "11月底前", "9月前"."""
        parts = []
        if self.year is not None:
            parts.append(f"{self.year}年")
        if self.month is not None:
            parts.append(f"{self.month}月")
        if self.day is not None:
            parts.append(f"{self.day}日")
        if not parts:
            parts.append("年底")
        text = "".join(parts)
        if self.end_of_month and self.day is None and self.month is not None:
            text += "底"
        if self.before:
            text += "前"
        return text


@dataclass(frozen=True)
class Value:
    """One printed target or actual value and what :func:`parse` recognised in it.

    ``number`` is the number as printed, ``magnitude`` the factor of 万/亿/千 printed with it,
    ``base`` their product (the quantity compared in scoring), ``unit`` the base unit with the
    magnitude removed ("人", "元", "%", "元/年/人") and ``printed_unit`` the unit as written ("万人").
    A range ("90%-95%", "3-5天") keeps both ends in ``low`` and ``high`` (as ``base``, magnitude
    applied); ``number`` and ``base`` are then its lower end. Other values have neither.
    """

    text: str | None
    kind: Kind
    direction: Direction | None = None
    strict: bool = False
    direction_source: str | None = None
    number: Decimal | None = None
    magnitude: Decimal = Decimal(1)
    base: Decimal | None = None
    unit: str | None = None
    printed_unit: str | None = None
    deadline: Deadline | None = None
    scale: str | None = None
    relative: str | None = None
    recognised: tuple[str, ...] = ()
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def is_quantitative(self) -> bool:
        """True when the value carries a number that can be compared."""
        return self.kind is _QUANTITATIVE and self.base is not None

    def operator_symbol(self) -> str:
        """The operator for display: "≥", ">", "≤", "<", "=", "≈" or "" without a direction."""
        direction = self.direction
        if direction is None:
            return ""
        if self.strict and direction is _POSITIVE:
            return ">"
        if self.strict and direction is _NEGATIVE:
            return "<"
        return _SYMBOL_OF_VALUE[direction._value_]  # direction.symbol, without hashing the enum member

    def display(self) -> str:
        """A compact Chinese rendering: "≥5台", "≈230万人", "定性：显著（优良中低差）", "期限 2019年"."""
        if self.kind is _EMPTY:
            return "（空）"
        if self.kind is _QUANTITATIVE and self.number is not None:
            unit = self.printed_unit or ""
            if self.high is not None:
                return f"{format_decimal(self.number)}–{format_decimal(self.high / self.magnitude)}{unit}"
            if _NOTE_OVER in self.recognised:
                # "11万余人次": 余 follows the magnitude when one was printed
                mag = next((m for m in ("千万", "百万", "亿", "万", "千") if unit.startswith(m)), "")
                unit = f"{mag}余{unit[len(mag) :]}"
            return f"{self.operator_symbol()}{format_decimal(self.number)}{unit}"
        if self.kind is _DEADLINE and self.deadline is not None:
            return f"期限 {self.deadline.display()}"
        compact = normalise_text(self.text)
        if self.kind is _UNREADABLE:
            return f"无法识别：{compact}"
        scale = f"（{_SCALE_LABELS[self.scale]}）" if self.scale in _SCALE_LABELS else ""
        return f"定性：{compact}{scale}"


_VALUE_FIELDS = (
    "text",
    "kind",
    "direction",
    "strict",
    "direction_source",
    "number",
    "magnitude",
    "base",
    "unit",
    "printed_unit",
    "deadline",
    "scale",
    "relative",
    "recognised",
    "low",
    "high",
)
if tuple(f.name for f in dataclasses.fields(Value)) != _VALUE_FIELDS:  # pragma: no cover
    raise RuntimeError("_value() must list the fields of Value in order")
_new_object = object.__new__
_set_object = object.__setattr__


def _value(
    text: str | None,
    kind: Kind,
    direction: Direction | None = None,
    strict: bool = False,
    direction_source: str | None = None,
    number: Decimal | None = None,
    magnitude: Decimal = _ONE,
    base: Decimal | None = None,
    unit: str | None = None,
    printed_unit: str | None = None,
    deadline: Deadline | None = None,
    scale: str | None = None,
    relative: str | None = None,
    recognised: tuple[str, ...] = (),
    low: Decimal | None = None,
    high: Decimal | None = None,
) -> Value:
    """``Value(...)`` for the reader: the same object, built without the frozen dataclass's
    ``__init__`` (one ``object.__setattr__`` per field), which dominated reading a short cell."""
    value = _new_object(Value)
    value.__dict__.update(
        text=text,
        kind=kind,
        direction=direction,
        strict=strict,
        direction_source=direction_source,
        number=number,
        magnitude=magnitude,
        base=base,
        unit=unit,
        printed_unit=printed_unit,
        deadline=deadline,
        scale=scale,
        relative=relative,
        recognised=recognised,
        low=low,
        high=high,
    )
    return value


_SCALE_LABELS = MappingProxyType({"three": "完成/部分完成/未完成", "five": "优良中低差", "hml": "高中低"})
_NOTE_OVER = "余（略多于所列数值，按所列数值计）"
_NOTE_COMPOSITE = "复合描述"


def compatible(a: Value, b: Value) -> bool:
    """True when two quantitative values can be compared: same base unit, or one of them has none.

    "232.28万" (no unit) against "230万人" is compatible; 人 against 元, or % against 人, is not.
    """
    if not (a.is_quantitative and b.is_quantitative):
        return False
    if a.unit is None or b.unit is None:
        return True
    return a.unit == b.unit or conversion_factor(b.unit, a.unit) is not None


def adopt_unit(actual: Value, target: Value) -> Value:
    """An actual printed without a unit takes the target's.

    A bare number ("400.3" against "400 万人以上") takes the target's magnitude too: the user typed
    it in the target's terms. A magnitude-only actual ("232.28 万") keeps its magnitude and takes the
    base unit. Anything else is returned unchanged.
    """
    if actual.unit is not None and target.unit is not None and actual.unit != target.unit:
        return _convert(actual, target)
    if (
        actual.unit is not None  # (is_quantitative inlined below)
        or actual.kind is not _QUANTITATIVE
        or actual.base is None
        or target.kind is not _QUANTITATIVE
        or target.base is None
    ):
        return actual
    if target.unit is None and target.magnitude == 1:
        return actual
    if actual.printed_unit is None and actual.magnitude == 1 and actual.number is not None:
        if target.magnitude != 1 or target.unit is not None:
            return _replace(
                actual,
                magnitude=target.magnitude,
                base=actual.number * target.magnitude,
                unit=target.unit,
                printed_unit=target.printed_unit,
                recognised=(*actual.recognised, f"沿用目标单位 {target.printed_unit or target.unit}"),
            )
        return actual
    if target.unit is None:
        return actual
    return _replace(actual, unit=target.unit, recognised=(*actual.recognised, f"沿用目标单位 {target.unit}"))


_FOUR_PLACES = Decimal("0.0001")
#: the note an actual converted into the target's unit carries first among its new notes
NOTE_CONVERTED = "换算"


def _convert(actual: Value, target: Value) -> Value:
    """An actual in another unit that converts into the target's (90 分钟 against ≤2 小时, 4‰ against
    0.2%, 元/年/人 against 元/人/年): the same quantity in the target's unit and magnitude, with a note
    "换算 90分钟 = 1.5小时". Any other actual (人 against 元, 天 against 工作日) is returned unchanged."""
    if (
        actual.kind is not _QUANTITATIVE
        or actual.base is None
        or target.kind is not _QUANTITATIVE
        or target.base is None
    ):
        return actual
    factor = conversion_factor(actual.unit, target.unit)
    if factor is None:
        return actual
    base = actual.base * factor
    number = base / target.magnitude
    printed = target.printed_unit or target.unit
    shown = number if number == number.quantize(_FOUR_PLACES) else number.quantize(_FOUR_PLACES)
    note = (
        f"{NOTE_CONVERTED} {format_decimal(actual.number if actual.number is not None else actual.base)}"
        f"{actual.printed_unit or actual.unit} = {'' if shown == number else '约 '}{format_decimal(shown)}{printed}"
    )
    return _replace(
        actual,
        number=number,
        magnitude=target.magnitude,
        base=base,
        unit=target.unit,
        printed_unit=target.printed_unit,
        recognised=(*actual.recognised, note),
    )


def _replace(value: Value, **changes: object) -> Value:
    """``dataclasses.replace(value, **changes)`` for a Value, built like :func:`_value`."""
    copy = _new_object(Value)
    fields = copy.__dict__
    fields.update(value.__dict__)
    fields.update(changes)
    return copy
