"""Reading printed target and actual values ("400 万人以上", "≧70%", "11月底前", "有效缓解").

:func:`parse` turns one cell of a 绩效目标表 / 自评表 into a :class:`Value`. It never raises and never
guesses silently: what it recognised is listed in ``Value.recognised`` (short Chinese notes), and a
text it cannot read is ``Kind.UNREADABLE`` (garbage) or ``Kind.QUALITATIVE`` (Chinese prose: the
conservative reading, scored by band).

Order of reading (first match wins):

1. blank / None / a lone dash or slash → ``EMPTY``;
2. the printed 指标性质 column "定性" → ``QUALITATIVE`` whatever the text (scale detected);
3. "无" alone → ``QUANTITATIVE`` 0 (the seeds print 无 for "none of it");
4. a date or deadline that is the whole text apart from filler words (完成, 前, 完成时间为 …) → ``DEADLINE``;
5. a qualitative scale ("优良中低差", "高中低", "完成/部分完成/未完成") → ``QUALITATIVE`` with ``scale``;
6. a comparison with last year ("不低于上年") → ``QUALITATIVE`` with ``relative`` and a direction;
7. numbers: exactly one number → ``QUANTITATIVE`` when an operator or word fixes its meaning, or
   when the prose around it is short ("个人负担比例为 6.9%"); several numbers, or a range →
   ``QUALITATIVE`` ("复合描述" / "区间"); a single bare number in a long sentence → ``QUALITATIVE``;
8. no number: Chinese prose → ``QUALITATIVE``; anything else → ``UNREADABLE``.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "Deadline",
    "Direction",
    "Kind",
    "Value",
    "adopt_unit",
    "canonical_unit",
    "compatible",
    "format_decimal",
    "normalise_text",
    "parse",
    "to_decimal",
]


_ZERO = Decimal(0)
_ONE = Decimal(1)


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
    )
    return value


_SCALE_LABELS = MappingProxyType({"three": "完成/部分完成/未完成", "five": "优良中低差", "hml": "高中低"})
_NOTE_OVER = "余（略多于所列数值，按所列数值计）"
_NOTE_COMPOSITE = "复合描述"

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
    "百分比",
    "平方公里",
    "平方米",
    "立方米",
    "工作日",
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


_UNIT_RE = rf"(?:{_alternation(_UNITS)})(?:/(?:{_alternation(_PER_UNITS)}))*(?:\((?:{_ALT_UNITS})\))?"


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
    parts = text.split("/")
    parts = [_UNIT_SYNONYMS.get(part, part) for part in parts]
    return "/".join(parts)


_canonical_unit_cached = functools.lru_cache(maxsize=4096)(_canonical_unit)

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


# --- direction words ------------------------------------------------------------------------------

# word or operator → (direction, strict, source)
_PRE_WORDS: Mapping[str, tuple[Direction, bool, str]] = MappingProxyType(
    {
        "≥": (Direction.POSITIVE, False, "operator"),
        ">": (Direction.POSITIVE, True, "operator"),
        "≤": (Direction.NEGATIVE, False, "operator"),
        "<": (Direction.NEGATIVE, True, "operator"),
        "=": (Direction.EQUAL, False, "operator"),
        "≈": (Direction.APPROX, False, "operator"),
        "~": (Direction.APPROX, False, "operator"),
        "不低于": (Direction.POSITIVE, False, "word"),
        "不少于": (Direction.POSITIVE, False, "word"),
        "不小于": (Direction.POSITIVE, False, "word"),
        "达到": (Direction.POSITIVE, False, "word"),
        "超过": (Direction.POSITIVE, True, "word"),
        "高于": (Direction.POSITIVE, True, "word"),
        "大于": (Direction.POSITIVE, True, "word"),
        "多于": (Direction.POSITIVE, True, "word"),
        "不高于": (Direction.NEGATIVE, False, "word"),
        "不超过": (Direction.NEGATIVE, False, "word"),
        "不多于": (Direction.NEGATIVE, False, "word"),
        "不大于": (Direction.NEGATIVE, False, "word"),
        "低于": (Direction.NEGATIVE, True, "word"),
        "小于": (Direction.NEGATIVE, True, "word"),
        "少于": (Direction.NEGATIVE, True, "word"),
        "不足": (Direction.NEGATIVE, True, "word"),
        "不到": (Direction.NEGATIVE, True, "word"),
        "约为": (Direction.APPROX, False, "word"),
        "大约": (Direction.APPROX, False, "word"),
        "约": (Direction.APPROX, False, "word"),
    }
)
_POST_WORDS: Mapping[str, tuple[Direction, bool, str]] = MappingProxyType(
    {
        "及以上": (Direction.POSITIVE, False, "word"),
        "以上": (Direction.POSITIVE, False, "word"),
        "及以下": (Direction.NEGATIVE, False, "word"),
        "以下": (Direction.NEGATIVE, False, "word"),
        "以内": (Direction.NEGATIVE, False, "word"),
        "之内": (Direction.NEGATIVE, False, "word"),
        "内": (Direction.NEGATIVE, False, "word"),
        "左右": (Direction.APPROX, False, "word"),
        "上下": (Direction.APPROX, False, "word"),
    }
)
# "达到 75%左右": 达到 only says "reach"; a following word is more precise and wins
_WEAK_PRE = frozenset({"达到"})

_NUMBER = r"(?:(?:^|(?<=[≥≤<>=≈~]))-)?[0-9]+(?:\.[0-9]+)?"
_MAGNITUDE_RE = r"亿|千万|百万|万|千(?![克米瓦])"
_QUANTITY = re.compile(
    rf"(?P<pre>{_alternation(tuple(_PRE_WORDS))})?"
    rf"(?P<num>{_NUMBER})"
    r"(?P<over1>余|多)?"
    rf"(?P<mag>{_MAGNITUDE_RE})?"
    r"(?P<over2>余|多)?"
    rf"(?P<unit>{_UNIT_RE})?"
    # a bare "内" only counts when nothing Chinese follows ("10天内", not "5种内容")
    rf"(?P<post>{_alternation(tuple(w for w in _POST_WORDS if w != '内'))}|内(?![\u4e00-\u9fff])|内(?=完成|办结))?"
)
_RANGE = re.compile(
    rf"[0-9]+(?:\.[0-9]+)?(?:{_MAGNITUDE_RE})?(?:{_UNIT_RE})?(?:-|~|—|–|至|到)"
    rf"[0-9]+(?:\.[0-9]+)?(?:{_MAGNITUDE_RE})?(?:{_UNIT_RE})?"
)

# --- deadlines ------------------------------------------------------------------------------------

_BEFORE = r"(?P<before>之前|以前|前)?"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"(?<![0-9.])(?P<y>[0-9]{{4}})(?:年|\.|-|/)(?P<m>[0-9]{{1,2}})(?:月|\.|-|/)(?P<d>[0-9]{{1,2}})日?(?![0-9]){_BEFORE}"
    ),
    re.compile(rf"(?<![0-9.])(?P<y>[0-9]{{4}})年(?P<m>[0-9]{{1,2}})月(?P<eom>底|末|份)?{_BEFORE}"),
    re.compile(rf"(?<![0-9.])(?P<m>[0-9]{{1,2}})月(?P<d>[0-9]{{1,2}})日{_BEFORE}"),
    re.compile(rf"(?<![0-9.])(?P<m>[0-9]{{1,2}})月(?P<eom>底|末|份)?{_BEFORE}"),
    re.compile(rf"(?<![0-9.])(?P<y>[0-9]{{4}})年(?:度)?(?P<eom>底|末)?{_BEFORE}"),
    re.compile(rf"(?P<ye>年底|年末|年度内|年内){_BEFORE}"),
)
# words that may surround a date without making it something else than a deadline
_DEADLINE_FILLER = re.compile(
    r"(?:完成时间|完成时限|完成期限|办结时间|时间|时限|期限|截止到|截止|截至|按期|按时|如期|全部|已经|"
    r"已|于|在|为|是|到|实际|预计|计划|完成|实施|办结|上线|启动|开展|发放|拨付|结算|验收|到位|"
    r"[,.;:、。!()\"'“”])*"
)

# --- qualitative vocabulary -----------------------------------------------------------------------

#: qualitative target words seen in the seeds (recognised, not required: any Chinese prose is qualitative)
QUALITATIVE_WORDS: tuple[str, ...] = (
    "保持年度基金收支平衡",
    "全年持续实施",
    "作用显著",
    "成效明显",
    "有效缓解",
    "稳步提升",
    "逐步扩大",
    "逐步减缓",
    "明显提高",
    "即时报销",
    "即时结算",
    "健康有序",
    "收支平衡",
    "及时",
    "显著",
    "完整",
    "到位",
    "提高",
    "减轻",
    "降低",
    "改善",
    "提升",
    "规范",
    "达标",
)

_RELATIVE = re.compile(
    r"(?P<word>不低于|不少于|不小于|高于|超过|多于|好于|优于|不高于|不超过|低于|少于|持平于|等于|与|比|较)"
    r"(?P<ref>上一年度|上一年|上年度|上年|去年|同期|往年)"
)
_RELATIVE_WORDS: Mapping[str, tuple[Direction | None, bool]] = MappingProxyType(
    {
        "不低于": (Direction.POSITIVE, False),
        "不少于": (Direction.POSITIVE, False),
        "不小于": (Direction.POSITIVE, False),
        "高于": (Direction.POSITIVE, True),
        "超过": (Direction.POSITIVE, True),
        "多于": (Direction.POSITIVE, True),
        "好于": (Direction.POSITIVE, True),
        "优于": (Direction.POSITIVE, True),
        "不高于": (Direction.NEGATIVE, False),
        "不超过": (Direction.NEGATIVE, False),
        "低于": (Direction.NEGATIVE, True),
        "少于": (Direction.NEGATIVE, True),
        "持平于": (Direction.EQUAL, False),
        "等于": (Direction.EQUAL, False),
    }
)
_RELATIVE_REFS = MappingProxyType(
    {"上一年度": "上年", "上一年": "上年", "上年度": "上年", "上年": "上年", "去年": "上年"}
)

_PUNCTUATION = frozenset(",.;:!?、。()[]{}\"'“”‘’《》【】—–-·…「」『』")
_EMPTY_MARKS = frozenset("-—–/\\、.。_")

#: the longest prose (in Chinese characters) around a lone bare number that still reads as that number
BARE_NUMBER_MAX_PROSE = 12


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


_NATURE_DIRECTIONS: Mapping[str, tuple[Direction, bool]] = MappingProxyType(
    {
        "≥": (Direction.POSITIVE, False),
        ">": (Direction.POSITIVE, True),
        "正向": (Direction.POSITIVE, False),
        "≤": (Direction.NEGATIVE, False),
        "<": (Direction.NEGATIVE, True),
        "反向": (Direction.NEGATIVE, False),
        "=": (Direction.EQUAL, False),
        "≈": (Direction.APPROX, False),
    }
)
_NO_NATURE: tuple[str | None, Direction | None, bool] = (None, None, False)


def _nature_direction(nature: str | None) -> tuple[str | None, Direction | None, bool]:
    """Read the printed 指标性质 column: ("qualitative" | "direction" | "unknown" | None, direction, strict)."""
    if not nature:
        return _NO_NATURE
    if type(nature) is str:
        return _nature_direction_cached(nature)
    return _nature_direction_uncached(nature)


def _nature_direction_uncached(nature: str) -> tuple[str | None, Direction | None, bool]:
    text = normalise_text(nature).rstrip("*")
    if not text:
        return _NO_NATURE
    if text in ("定性", "定性指标"):
        return "qualitative", None, False
    found = _NATURE_DIRECTIONS.get(text)
    if found is not None:
        return "direction", found[0], found[1]
    if text in ("定量", "定量指标"):
        return _NO_NATURE
    return "unknown", None, False


_nature_direction_cached = functools.lru_cache(maxsize=1024)(_nature_direction_uncached)


_SCALE_CHARS = ("优", "高", "完")  # every scale below starts with one of these characters
_SCALE_STRIP = str.maketrans(dict.fromkeys([*_PUNCTUATION, "/", "|"]))


def _scale_of(compact: str) -> str | None:
    if "优" not in compact and "高" not in compact and "完" not in compact:
        return None
    stripped = compact.translate(_SCALE_STRIP)
    if "优良中低差" in stripped or stripped in ("优良中差", "优良差"):
        return "five"
    if stripped in ("高中低", "高中低档", "高中低三档"):
        return "hml"
    if stripped in ("完成部分完成未完成", "完成未完成部分完成"):
        return "three"
    return None


# every date pattern but the first ("2019.12.31", "2019-12-31") needs a 年 or a 月
_DATE_PATTERNS_WITHOUT_YEAR_OR_MONTH = _DATE_PATTERNS[:1]


def _find_deadline(compact: str) -> tuple[Deadline, str] | None:
    """A deadline when a date is the whole text apart from filler words, with the date's note."""
    patterns = _DATE_PATTERNS if "年" in compact or "月" in compact else _DATE_PATTERNS_WITHOUT_YEAR_OR_MONTH
    for pattern in patterns:
        match = pattern.search(compact)
        if match is None:
            continue
        remainder = compact[: match.start()] + compact[match.end() :]
        if _DEADLINE_FILLER.fullmatch(remainder) is None:
            return None
        groups = match.groupdict()
        year = int(groups["y"]) if groups.get("y") else None
        month = int(groups["m"]) if groups.get("m") else None
        day = int(groups["d"]) if groups.get("d") else None
        if groups.get("ye"):
            month = 12
        if year is not None and not 1900 <= year <= 2200:
            return None
        if month is not None and not 1 <= month <= 12:
            return None
        if day is not None and month is not None:
            if not 1 <= day <= calendar.monthrange(year if year is not None else 2000, month)[1]:
                return None
        end_of_month = bool(groups.get("eom") in ("底", "末") or groups.get("ye"))
        # a month- or year-level "前" means "before that month/year"; a day-level one is inclusive
        before = bool(groups.get("before")) and day is None and not end_of_month and not groups.get("ye")
        return Deadline(year, month, day, end_of_month, before), match.group(0)
    return None


def _token_direction(match: re.Match[str]) -> tuple[Direction | None, bool, str | None, tuple[str, ...]]:
    """Direction, strictness, source and notes of one quantity token's operator / words."""
    return _words_direction(match.group("pre"), match.group("post"))


@functools.lru_cache(maxsize=1024)
def _words_direction(
    pre: str | None, post: str | None
) -> tuple[Direction | None, bool, str | None, tuple[str, ...]]:
    """:func:`_token_direction` of a token's operator / word before and word after the number."""
    pre_info = _PRE_WORDS.get(pre) if pre else None
    post_info = _POST_WORDS.get(post) if post else None
    notes: list[str] = []
    if pre_info:
        notes.append(f"{'运算符' if pre_info[2] == 'operator' else '用语'} {pre}")
    if post_info:
        notes.append(f"用语 {post}")
    if pre_info and post_info:
        if _APPROX in (pre_info[0], post_info[0]):
            chosen = pre_info if pre_info[0] is _APPROX else post_info
            return _APPROX, False, chosen[2], tuple(notes)
        if pre in _WEAK_PRE:
            return post_info[0], post_info[1], post_info[2], tuple(notes)
        if pre_info[0] is not post_info[0]:
            return None, False, None, (*notes, "方向矛盾")
        return pre_info[0], pre_info[1], pre_info[2], tuple(notes)
    info = pre_info or post_info
    if info is None:
        return None, False, None, ()
    return info[0], info[1], info[2], tuple(notes)


_DROP_PUNCTUATION = str.maketrans(dict.fromkeys(_PUNCTUATION))
_CJK = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")  # the characters _is_cjk accepts


def _prose(compact: str, spans: list[tuple[int, int]]) -> str:
    """The text outside the given spans, without punctuation."""
    kept: list[str] = []
    position = 0
    for start, end in spans:
        kept.append(compact[position:start])
        position = end
    kept.append(compact[position:])
    return "".join(kept).translate(_DROP_PUNCTUATION)


def _qualitative(text: str | None, compact: str, notes: list[str], **fields: object) -> Value:
    for word in QUALITATIVE_WORDS:
        if word in compact and not any(word in note for note in notes):
            notes.append(f"定性用语 {word}")
            if len(notes) >= 6:
                break
    return _value(text, _QUALITATIVE, recognised=tuple(notes), **fields)  # type: ignore[arg-type]


def parse(text: str | None, *, nature: str | None = None, unit: str | None = None) -> Value:
    """Read one printed value. ``nature`` is the 指标性质 column, ``unit`` the 度量单位 column.

    Never raises: anything unexpected yields ``Kind.UNREADABLE`` with the note "解析出错".
    Values read from plain strings (or None) are cached (:data:`CACHE_SIZE` entries): a Value is
    immutable, so the same cell read twice shares one result. A quantity whose shape is known (the
    same words around a number, see :func:`_parse_by_shape`) is built from that shape directly.
    """
    if (nature is None or type(nature) is str) and (unit is None or type(unit) is str):
        if type(text) is str:
            return _read(text, text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS), nature, unit)
        if text is None:
            return _parse_cached(text, nature, unit)
    return _parse_safely(text, nature, unit)


def _read(text: str, masked: bytes, nature: str | None, unit: str | None) -> Value:
    """:func:`parse` of a str ``text`` (``nature`` and ``unit`` str or None) given its :func:`_shape`."""
    known = _READINGS.get(masked if nature is None and unit is None else (masked, nature, unit))
    if type(known) is not tuple:
        return _parse_cached(text, nature, unit)
    # the quantity from the reading of the first cell of this shape: its fields, with this number
    start, end, sign, model_fields, magnitude = known
    digits = text[start:end]
    number = Decimal(sign + digits) if sign else Decimal(digits)
    fields = model_fields.copy()  # every field, in order
    fields["text"] = text
    fields["number"] = number
    # × 1 changes nothing while the number fits the 28 digits of the decimal context
    fields["base"] = number if magnitude is _ONE and len(digits) < 28 else number * magnitude
    value = _new_object(Value)
    _set_object(value, "__dict__", fields)
    return value


def _shape(text: str) -> bytes:
    """The shape of a text: its UTF-8 bytes with every ASCII digit written as 0 (see _parse_by_shape)."""
    return text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)


def _parse_safely(text: str | None, nature: str | None, unit: str | None) -> Value:
    try:
        return _parse(text, nature, unit)
    except Exception:
        # a safety net, not a code path (the fuzz tests never reach it): the contract is that reading
        # a cell never breaks a page, and the note makes the failure visible instead of hiding it
        return Value(text=text if isinstance(text, str) else None, kind=_UNREADABLE, recognised=("解析出错",))


# --- reading a cell with one number by the reading of another with the same words -------------------
#
# A cell whose text is in NFKC form and holds exactly one run of ASCII digits (with an optional
# ".digits") is read by the same steps whatever its digits are, unless 年 or 月 follows the number:
# * its compact form is (prefix) + (number) + (suffix): NFKC changes nothing, whitespace is dropped
#   around the number, no operator spelling contains a digit or ".", and a thousands comma needs digits
#   on both sides;
# * the date patterns: the first needs three runs of digits; the next four need 年 or 月 right after
#   digits; the last ("年底", "年内" …) has no digit, and when it matches, the digits it leaves are not
#   filler words, so no deadline is read either way;
# * every other pattern sees the digits only as "some digits" (none counts them or spans them).
# So the reading of "≥ 90 %" serves "≥ 85.5 %" too: for a quantity only ``number`` and ``base``
# change, any other reading only ``text``. A reading that quotes the number ("长句描述（含数值 …）") is
# not reused.

#
# Cells of the same shape are recognised by their text with every digit written as 0 ("≥ 000 %"): the
# same characters around digits at the same places (compared as UTF-8, where the bytes of any other
# character are never those of an ASCII digit). The first cell of a shape is read in full and
# checked; the shape then keeps that reading (or the mark that it cannot be reused).

_ONE_NUMBER = re.compile(r"([^0-9]*)([0-9]+(?:\.[0-9]+)?)([^0-9]*)")
_ZERO_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_Reading = tuple[int, int, str, dict[str, object], Decimal] | Value | None
# keyed by the masked text, with the nature and unit columns when either is given
_READINGS: dict[bytes | tuple[bytes, str | None, str | None], _Reading] = {}
_READINGS_SIZE = 4096
_QUOTES_NUMBER = "长句描述（"


def _parse_by_shape(text: str | None, nature: str | None, unit: str | None) -> Value:
    """:func:`_parse_safely`, reusing the reading of a cell that differs only in its digits."""
    if text is None:
        return _parse_safely(text, nature, unit)
    masked = text.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)
    key = masked if nature is None and unit is None else (masked, nature, unit)
    known = _READINGS.get(key, _UNKNOWN)
    if known is _UNKNOWN:
        return _learn_shape(key, text, nature, unit)
    if known is None:
        return _parse_safely(text, nature, unit)
    if type(known) is tuple:
        return _read(text, masked, nature, unit)
    return _replace(known, text=text)  # type: ignore[arg-type]


_UNKNOWN = object()


def _learn_shape(
    key: bytes | tuple[bytes, str | None, str | None], text: str, nature: str | None, unit: str | None
) -> Value:
    """Read a cell of a shape not seen yet, and remember whether (and how) its reading can be reused."""
    value = _parse_safely(text, nature, unit)
    reading: _Reading = None
    match = _ONE_NUMBER.fullmatch(text)
    if match is not None and unicodedata.is_normalized("NFKC", text):
        prefix, digits, suffix = match.groups()
        if suffix.lstrip()[:1] not in ("年", "月"):
            if value.kind is _QUANTITATIVE:
                number = value.number
                if (
                    number is not None
                    and value.deadline is None
                    and value.scale is None
                    and value.relative is None
                ):
                    sign = "-" if number.is_signed() else ""
                    if str(Decimal(sign + digits)) == str(number) and value.base == number * value.magnitude:
                        reading = (
                            len(prefix),
                            len(text) - len(suffix),
                            sign,
                            value.__dict__,
                            value.magnitude,
                        )
            elif value.kind is _QUALITATIVE or value.kind is _UNREADABLE:
                if not any(note.startswith(_QUOTES_NUMBER) for note in value.recognised):
                    reading = value
    if len(_READINGS) >= _READINGS_SIZE:
        _READINGS.clear()
    _READINGS[key] = reading
    return value


_parse_cached = functools.lru_cache(maxsize=CACHE_SIZE)(_parse_by_shape)

_EMPTY_MARK_CHARS = "".join(sorted(_EMPTY_MARKS))
_NONE_VALUE_NOTES = ("“无”视为 0",)


def _parse(text: str | None, nature: str | None, unit: str | None) -> Value:
    if text is not None and not isinstance(text, str):
        text = str(text)
    compact = normalise_text(text)
    # strip() leaves nothing exactly when every character is an empty mark
    if not compact or not compact.strip(_EMPTY_MARK_CHARS):
        return _value(text, _EMPTY, recognised=("空白",))

    nature_kind, nature_dir, nature_strict = _nature_direction(nature)
    notes: list[str] = []
    if nature_kind == "unknown":
        notes.append(f"性质列无法识别：{normalise_text(nature)}")

    if nature_kind == "qualitative":
        notes.append("性质列 定性")
        scale = _scale_of(compact)
        if scale:
            notes.append(f"等级 {_SCALE_LABELS[scale]}")
        return _qualitative(text, compact, notes, scale=scale)

    if compact == "无":
        return _value(text, _QUANTITATIVE, number=_ZERO, base=_ZERO, recognised=_NONE_VALUE_NOTES)

    found = _find_deadline(compact)
    if found is not None:
        deadline, matched = found
        return _value(text, _DEADLINE, deadline=deadline, recognised=(f"期限 {matched}",))

    column_fields: dict[str, object] = {}
    if nature_kind == "direction" and nature_dir is not None:
        column_fields = {"direction": nature_dir, "strict": nature_strict, "direction_source": "column"}
        notes.append(f"性质列 {normalise_text(nature)}")

    scale = _scale_of(compact)
    if scale:
        notes.append(f"等级 {_SCALE_LABELS[scale]}")
        return _qualitative(text, compact, notes, scale=scale, **column_fields)

    tokens = list(_QUANTITY.finditer(compact))
    # every reference word of _RELATIVE contains 年, except 同期
    relative = _RELATIVE.search(compact) if "年" in compact or "同期" in compact else None
    if relative is not None:
        ref = _RELATIVE_REFS.get(relative.group("ref"), relative.group("ref"))
        notes.append(f"相对 {ref}")
        rel_dir, rel_strict = _RELATIVE_WORDS.get(relative.group("word"), (None, False))
        fields: dict[str, object] = {"relative": ref}
        if rel_dir is not None and not tokens:
            fields.update(direction=rel_dir, strict=rel_strict, direction_source="word")
        fields.update(column_fields)
        return _qualitative(text, compact, notes, **fields)

    cjk_in_text = _CJK.search(compact) is not None
    if not tokens:
        operators = [op for op in ("≥", "≤", ">", "<", "=", "≈") if op in compact]
        if operators:
            notes.append(f"运算符 {operators[0]}（无数值）")
        if cjk_in_text:
            return _qualitative(text, compact, notes, **column_fields)
        return _value(text, _UNREADABLE, recognised=(*notes, "无法识别"))

    if len(tokens) == 1:
        start, end = tokens[0].span()
        prose = (
            (compact[:start] + compact[end:]).translate(_DROP_PUNCTUATION)
            if start or end < len(compact)
            else ""
        )
    else:
        prose = _prose(compact, [m.span() for m in tokens])
    prose_cjk = len(_CJK.findall(prose)) if prose else 0
    junk = prose_cjk < len(prose)  # some character of the prose is not Chinese
    if not cjk_in_text and (junk or (len(tokens) >= 2 and not _RANGE.fullmatch(compact.strip(";,.。")))):
        # "≥≥5", "12..5", "5%%", "1 2": symbols or loose numbers with no Chinese around them
        return _value(text, _UNREADABLE, recognised=(*notes, "无法识别"))

    if len(tokens) >= 2:
        if len(tokens) == 2 and _RANGE.search(compact):
            notes.append("区间")
        else:
            notes.append(_NOTE_COMPOSITE)
        return _qualitative(text, compact, notes, **column_fields)

    token = tokens[0]
    direction, strict, source, dir_notes = _token_direction(token)
    if direction is None and prose_cjk > BARE_NUMBER_MAX_PROSE:
        notes.append(f"长句描述（含数值 {token.group(0)}）")
        return _qualitative(text, compact, notes, **column_fields)
    return _quantity(text, token, direction, strict, source, dir_notes, prose, notes, column_fields, unit)


def _quantity(
    text: str | None,
    token: re.Match[str],
    direction: Direction | None,
    strict: bool,
    source: str | None,
    dir_notes: tuple[str, ...],
    prose: str,
    notes: list[str],
    column_fields: dict[str, object],
    unit_column: str | None,
) -> Value:
    """Build the Value of a single quantity token."""
    num, over1, mag_word, over2, unit_text = token.group("num", "over1", "mag", "over2", "unit")
    number = Decimal(num)
    if column_fields:
        text_dir = direction
        direction = column_fields["direction"]  # type: ignore[assignment]
        strict = bool(column_fields["strict"])
        source = "column"
        if text_dir is not None and text_dir is not direction:
            notes.append("文字运算符与性质列不一致，按性质列")
    notes.extend(dir_notes)
    if over1 or over2:
        notes.append(_NOTE_OVER)

    magnitude = _MAGNITUDES[mag_word] if mag_word else _ONE
    base_unit = canonical_unit(unit_text)
    printed_unit = (mag_word or "") + (unit_text or "") or None
    col_mag, col_unit, col_printed = _split_unit_column(unit_column)
    if mag_word:
        notes.append(f"数量级 {mag_word}")
    if base_unit:
        notes.append(f"单位 {base_unit}")
        if col_unit and col_unit != base_unit:
            notes.append(f"单位列 {col_printed} 与文字不一致，按文字")
    elif col_printed:
        base_unit = col_unit
        if mag_word:
            # the text's magnitude wins; the column then only contributes its base unit as printed
            col_rest = col_printed.lstrip("亿千百万") if col_mag != 1 else col_printed
            printed_unit = mag_word + col_rest
        else:
            magnitude = col_mag
            printed_unit = col_printed
        notes.append(f"单位列 {col_printed}")
    if prose:
        notes.append("句中数值")
    if direction is None:
        strict = False
        source = None
    return _value(
        text,
        _QUANTITATIVE,
        direction,
        strict,
        source,
        number,
        magnitude,
        number * magnitude,
        base_unit,
        printed_unit,
        recognised=tuple(notes),
    )


def compatible(a: Value, b: Value) -> bool:
    """True when two quantitative values can be compared: same base unit, or one of them has none.

    "232.28万" (no unit) against "230万人" is compatible; 人 against 元, or % against 人, is not.
    """
    if not (a.is_quantitative and b.is_quantitative):
        return False
    if a.unit is None or b.unit is None:
        return True
    return a.unit == b.unit


def adopt_unit(actual: Value, target: Value) -> Value:
    """An actual printed without a unit takes the target's.

    A bare number ("400.3" against "400 万人以上") takes the target's magnitude too: the user typed
    it in the target's terms. A magnitude-only actual ("232.28 万") keeps its magnitude and takes the
    base unit. Anything else is returned unchanged.
    """
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


def _replace(value: Value, **changes: object) -> Value:
    """``dataclasses.replace(value, **changes)`` for a Value, built like :func:`_value`."""
    copy = _new_object(Value)
    fields = copy.__dict__
    fields.update(value.__dict__)
    fields.update(changes)
    return copy


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
