"""Cell text, numbers and units: what the reader of :mod:`.values` stands on.

* :func:`normalise_text`: NFKC, whitespace removed, operator spellings folded (≧ → ≥, >= → ≥ …);
* :func:`format_decimal` / :func:`to_decimal`: Decimals printed without exponent or trailing zeros,
  and loose input (int, str) coerced to Decimal — never a float;
* :func:`round_half_up` / :func:`fits_column`: a number as a decimal column of so many digits and places
  stores it (rounded half-up, as PostgreSQL does), and whether it fits there at all;
* units: the printed base units and magnitudes (万, 亿 …), :func:`canonical_unit` (人数 → 人,
  台（套） → 台) and the 度量单位 column split into magnitude and base unit.

Nothing here knows what a target or an actual is; :mod:`.values` reads cells with these pieces.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

__all__ = [
    "CACHE_SIZE",
    "canonical_unit",
    "conversion_factor",
    "fits_column",
    "format_decimal",
    "normalise_text",
    "round_half_up",
    "to_decimal",
]

# shared with the reader and the scorer: identity checks (``magnitude is _ONE``) rely on one object
_ZERO = Decimal(0)
_ONE = Decimal(1)

# --- text normalisation ---------------------------------------------------------------------------

# Operators NFKC leaves alone; multi-character spellings are folded after whitespace is removed.
_OPERATOR_FOLDS: tuple[tuple[str, str], ...] = (
    ("≧", "≥"),
    ("⩾", "≥"),
    ("≦", "≤"),
    ("⩽", "≤"),
    ("═", "="),
    ("≒", "≈"),
    ("≯", "≤"),
    ("≮", "≥"),
    (">=", "≥"),
    ("=>", "≥"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("≥=", "≥"),
    ("≤=", "≤"),
    ("==", "="),
)

_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
# a text without any of these characters is left alone by every fold: the single-character spellings,
# and "=", which every multi-character spelling contains
_FOLD_TRIGGER = re.compile("[=" + "".join(old for old, _ in _OPERATOR_FOLDS if len(old) == 1) + "]")
assert all(len(old) == 1 or "=" in old for old, _ in _OPERATOR_FOLDS)

#: size of the caches of normalised texts and of parsed values (real data repeats cells constantly)
CACHE_SIZE = 65536


def normalise_text(text: str | None) -> str:
    """NFKC (full-width → ASCII), all whitespace removed, operator spellings folded.

    Chinese text carries no meaningful spaces, and the seeds break cells at arbitrary points.
    """
    if not text:
        return ""
    if type(text) is str:
        return _normalise_cached(text)
    return _normalise(text)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(folded.split())
    if _FOLD_TRIGGER.search(folded) is not None:
        for old, new in _OPERATOR_FOLDS:
            folded = folded.replace(old, new)
    if "," in folded:
        folded = _THOUSANDS.sub("", folded)
    return folded


_normalise_cached = functools.lru_cache(maxsize=CACHE_SIZE)(_normalise)


def format_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 100 → "100", 2.50 → "2.5"."""
    text = str(value)  # fixed-point already unless it shows an exponent (str is much faster than format)
    if "E" in text or "e" in text:
        if not value.is_finite():
            return text
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@functools.lru_cache(maxsize=64)
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


@functools.lru_cache(maxsize=64)
def _power_of_ten(digits: int) -> Decimal:
    return Decimal(10) ** digits


def round_half_up(number: Decimal, places: int) -> Decimal:
    """``number`` rounded half-up (away from zero) to ``places`` decimals: 2.0000025 → 2.000003 at 6."""
    return number.quantize(_quantum(places), rounding=ROUND_HALF_UP)


def fits_column(number: Decimal, digits: int, places: int) -> bool:
    """Whether a number, rounded half-up to ``places`` decimals as the column stores it, has at most
    ``digits`` digits before the point."""
    if not number.is_finite():
        return False
    number = abs(number)
    if number < _short_of_limit(digits):  # rounding (by half a unit at most) cannot reach the limit
        return True
    if number >= _power_of_ten(digits + 1):  # clearly too large: no rounding needed
        return False
    return round_half_up(number, places) < _power_of_ten(digits)


@functools.lru_cache(maxsize=64)
def _short_of_limit(digits: int) -> Decimal:
    """One below the first number of ``digits + 1`` digits: 99 for 2 digits."""
    return _power_of_ten(digits) - 1


# --- units ----------------------------------------------------------------------------------------

_MAGNITUDES: Mapping[str, Decimal] = MappingProxyType(
    {
        "亿": Decimal(100000000),
        "千万": Decimal(10000000),
        "百万": Decimal(1000000),
        "万": Decimal(10000),
        "千": Decimal(1000),
    }
)

# Base units as printed (longest first in the regex). Synonyms are folded by canonical_unit.
_UNITS: tuple[str, ...] = (
    "个百分点",
    "百分点",
    "千瓦时",
    "平方千米",
    "个季度",
    "个工作日",
    "季度",
    "公顷",
    "千瓦",
    "百分比",
    "平方公里",
    "平方米",
    "立方米",
    "工作日",
    "人·次",
    "人次",
    "人数",
    "户次",
    "家次",
    "批次",
    "场次",
    "班次",
    "个月",
    "小时",
    "分钟",
    "公里",
    "千米",
    "千克",
    "公斤",
    "课时",
    "学时",
    "人",
    "户",
    "家",
    "次",
    "个",
    "篇",
    "台",
    "套",
    "册",
    "本",
    "件",
    "份",
    "项",
    "批",
    "场",
    "期",
    "种",
    "类",
    "例",
    "名",
    "位",
    "所",
    "座",
    "处",
    "辆",
    "张",
    "条",
    "部",
    "块",
    "间",
    "床",
    "株",
    "棵",
    "头",
    "只",
    "羽",
    "尾",
    "天",
    "日",
    "秒",
    "周",
    "月",
    "年",
    "起",
    "元",
    "米",
    "吨",
    "亩",
    "倍",
    "分",
    "%",
    "‰",
    "km",
    "kg",
    "m2",
    "m",
    "GB",
    "TB",
    "MB",
)

# what may follow "/" in a compound unit ("元/年/人", "元/平方米")
_PER_UNITS: tuple[str, ...] = (
    "平方米",
    "人次",
    "人年",
    "床日",
    "公里",
    "km",
    "m2",
    "年",
    "人",
    "月",
    "日",
    "天",
    "次",
    "户",
    "件",
    "台",
    "套",
    "吨",
    "亩",
    "床",
    "个",
    "座",
    "项",
    "例",
    "kg",
    "千克",
    "公斤",
)

# "(套)" after "台": an alternative unit printed in brackets ("台（套）")
_ALT_UNITS = "台|套|个|件|人|次|辆|本|册|份|项|部|块"

_UNIT_SYNONYMS: Mapping[str, str] = MappingProxyType(
    {
        "人数": "人",
        "日": "天",
        "百分比": "%",
        "个百分点": "百分点",
        "个季度": "季度",
        "个工作日": "工作日",
        "人·次": "人次",
        "平方千米": "平方公里",
        "m2": "平方米",
        "m": "米",
        "km": "公里",
        "千米": "公里",
        "kg": "千克",
        "公斤": "千克",
    }
)


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# "元/人·年" is "元/人/年": after a first "/", a "·" separates the parts as well
_UNIT_RE = (
    rf"(?:{_alternation(_UNITS)})"
    rf"(?:/(?:{_alternation(_PER_UNITS)})(?:[/·](?:{_alternation(_PER_UNITS)}))*)?"
    rf"(?:\((?:{_ALT_UNITS})\))?"
)


_BRACKETED = re.compile(r"\([^()]*\)")


def canonical_unit(unit: str | None) -> str | None:
    """Fold a printed base unit to the form units are compared in ("人数" → "人", "台(套)" → "台").

    Magnitudes are not handled here (see :func:`parse`). None and "" give None.
    """
    if not unit:
        return None
    if type(unit) is str:
        return _canonical_unit_cached(unit)
    return _canonical_unit(unit)


def _canonical_unit(unit: str) -> str | None:
    text = normalise_text(unit)
    if "(" in text:
        text = _BRACKETED.sub("", text)
    if not text:
        return None
    parts = text.replace("·", "/").split("/") if "/" in text else [text]
    parts = [_UNIT_SYNONYMS.get(part, part) for part in parts]
    return "/".join(parts)


_canonical_unit_cached = functools.lru_cache(maxsize=4096)(_canonical_unit)

# Units that convert into one another, each family in its smallest unit. Only conversions that hold
# whatever the context: 1 天 = 24 小时 (calendar days; 工作日 converts to nothing), 1 周 = 7 天,
# 1 年 = 4 季度 = 12 个月 (a month is not a fixed number of days: months and days do not convert),
# 1% = 10‰. Compound units compare by their parts (see :func:`conversion_factor`).
_CONVERSIONS: Mapping[str, tuple[str, Decimal]] = MappingProxyType(
    {
        "秒": ("time", Decimal(1)),
        "分钟": ("time", Decimal(60)),
        "小时": ("time", Decimal(3600)),
        "天": ("time", Decimal(86400)),
        "周": ("time", Decimal(604800)),
        "个月": ("months", Decimal(1)),
        "月": ("months", Decimal(1)),
        "季度": ("months", Decimal(3)),
        "年": ("months", Decimal(12)),
        "%": ("share", Decimal(10)),
        "‰": ("share", Decimal(1)),
    }
)


def conversion_factor(unit: str | None, into: str | None) -> Decimal | None:
    """The factor that turns a quantity in ``unit`` into one in ``into`` (both canonical units), or
    None when they do not convert: 小时 → 分钟 is 60, ‰ → % is 0.1, 元/年/人 → 元/人/年 is 1 (the
    same parts in another order), 天 → 工作日 or 人 → 人次 is None."""
    if not unit or not into:
        return None
    if unit == into:
        return _ONE
    if "/" in unit or "/" in into:
        head, *per = unit.split("/")
        into_head, *into_per = into.split("/")
        if head == into_head and sorted(per) == sorted(into_per):
            return _ONE
        return None
    source = _CONVERSIONS.get(unit)
    target = _CONVERSIONS.get(into)
    if source is None or target is None or source[0] != target[0]:
        return None
    return source[1] / target[1]


_MAGNITUDES_LONGEST_FIRST: tuple[str, ...] = tuple(sorted(_MAGNITUDES, key=len, reverse=True))
_NO_UNIT_COLUMN: tuple[Decimal, str | None, str | None] = (Decimal(1), None, None)


def _split_unit_column(unit: str | None) -> tuple[Decimal, str | None, str | None]:
    """Split a printed 度量单位 column ("万册", "元/平方\\n米", "%") into (magnitude, base unit, printed)."""
    if not unit:
        return _NO_UNIT_COLUMN
    if type(unit) is str:
        return _split_unit_column_cached(unit)
    return _split_unit_column_uncached(unit)


def _split_unit_column_uncached(unit: str) -> tuple[Decimal, str | None, str | None]:
    printed = normalise_text(unit)
    if not printed:
        return _NO_UNIT_COLUMN
    magnitude = _ONE
    rest = printed
    for word in _MAGNITUDES_LONGEST_FIRST:
        # "千克"/"千米" are units, not 千 × 克
        if rest.startswith(word) and not (word == "千" and rest[1:2] in ("克", "米", "瓦")):
            magnitude = _MAGNITUDES[word]
            rest = rest[len(word) :]
            break
    return magnitude, canonical_unit(rest), printed


_split_unit_column_cached = functools.lru_cache(maxsize=4096)(_split_unit_column_uncached)


def to_decimal(value: object) -> Decimal | None:
    """Coerce int / str / Decimal to Decimal (None stays None). Floats are refused: money is never float."""
    if value is None or isinstance(value, Decimal):
        return value  # type: ignore[return-value]
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("金额与分值必须是 Decimal、整数或字符串，不能是浮点数")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"无法识别的数值：{value}") from exc
    raise TypeError(f"无法转换为 Decimal：{value!r}")
