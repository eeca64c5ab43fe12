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


_DIRECTION_SYMBOLS = MappingProxyType(
    {
        Direction.POSITIVE: "≥",
        Direction.NEGATIVE: "≤",
        Direction.EQUAL: "=",
        Direction.APPROX: "≈",
    }
)
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
        return self.kind is Kind.QUANTITATIVE and self.base is not None

    def operator_symbol(self) -> str:
        """The operator for display: "≥", ">", "≤", "<", "=", "≈" or "" without a direction."""
        if self.direction is None:
            return ""
        if self.strict and self.direction is Direction.POSITIVE:
            return ">"
        if self.strict and self.direction is Direction.NEGATIVE:
            return "<"
        return self.direction.symbol

    def display(self) -> str:
        """A compact Chinese rendering: "≥5台", "≈230万人", "定性：显著（优良中低差）", "期限 2019年"."""
        if self.kind is Kind.EMPTY:
            return "（空）"
        if self.kind is Kind.QUANTITATIVE and self.number is not None:
            unit = self.printed_unit or ""
            if _NOTE_OVER in self.recognised:
                # "11万余人次": 余 follows the magnitude when one was printed
                mag = next((m for m in ("千万", "百万", "亿", "万", "千") if unit.startswith(m)), "")
                unit = f"{mag}余{unit[len(mag) :]}"
            return f"{self.operator_symbol()}{format_decimal(self.number)}{unit}"
        if self.kind is Kind.DEADLINE and self.deadline is not None:
            return f"期限 {self.deadline.display()}"
        compact = normalise_text(self.text)
        if self.kind is Kind.UNREADABLE:
            return f"无法识别：{compact}"
        scale = f"（{_SCALE_LABELS[self.scale]}）" if self.scale in _SCALE_LABELS else ""
        return f"定性：{compact}{scale}"


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


def normalise_text(text: str | None) -> str:
    """NFKC (full-width → ASCII), all whitespace removed, operator spellings folded.

    Chinese text carries no meaningful spaces, and the seeds break cells at arbitrary points.
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(folded.split())
    for old, new in _OPERATOR_FOLDS:
        folded = folded.replace(old, new)
    return _THOUSANDS.sub("", folded)


def format_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 100 → "100", 2.50 → "2.5"."""
    if not value.is_finite():
        return str(value)
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


def canonical_unit(unit: str | None) -> str | None:
    """Fold a printed base unit to the form units are compared in ("人数" → "人", "台(套)" → "台").

    Magnitudes are not handled here (see :func:`parse`). None and "" give None.
    """
    if not unit:
        return None
    text = normalise_text(unit)
    text = re.sub(r"\([^()]*\)", "", text)
    if not text:
        return None
    parts = text.split("/")
    parts = [_UNIT_SYNONYMS.get(part, part) for part in parts]
    return "/".join(parts)


def _split_unit_column(unit: str | None) -> tuple[Decimal, str | None, str | None]:
    """Split a printed 度量单位 column ("万册", "元/平方\\n米", "%") into (magnitude, base unit, printed)."""
    printed = normalise_text(unit)
    if not printed:
        return Decimal(1), None, None
    magnitude = Decimal(1)
    rest = printed
    for word in sorted(_MAGNITUDES, key=len, reverse=True):
        # "千克"/"千米" are units, not 千 × 克
        if rest.startswith(word) and not (word == "千" and rest[1:2] in ("克", "米", "瓦")):
            magnitude = _MAGNITUDES[word]
            rest = rest[len(word) :]
            break
    return magnitude, canonical_unit(rest), printed


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


def _nature_direction(nature: str | None) -> tuple[str | None, Direction | None, bool]:
    """Read the printed 指标性质 column: ("qualitative" | "direction" | "unknown" | None, direction, strict)."""
    text = normalise_text(nature).rstrip("*")
    if not text:
        return None, None, False
    if text in ("定性", "定性指标"):
        return "qualitative", None, False
    table: dict[str, tuple[Direction, bool]] = {
        "≥": (Direction.POSITIVE, False),
        ">": (Direction.POSITIVE, True),
        "正向": (Direction.POSITIVE, False),
        "≤": (Direction.NEGATIVE, False),
        "<": (Direction.NEGATIVE, True),
        "反向": (Direction.NEGATIVE, False),
        "=": (Direction.EQUAL, False),
        "≈": (Direction.APPROX, False),
    }
    if text in table:
        direction, strict = table[text]
        return "direction", direction, strict
    if text in ("定量", "定量指标"):
        return None, None, False
    return "unknown", None, False


def _scale_of(compact: str) -> str | None:
    stripped = "".join(ch for ch in compact if ch not in _PUNCTUATION and ch not in "/|")
    if "优良中低差" in stripped or stripped in ("优良中差", "优良差"):
        return "five"
    if stripped in ("高中低", "高中低档", "高中低三档"):
        return "hml"
    if stripped in ("完成部分完成未完成", "完成未完成部分完成"):
        return "three"
    return None


def _find_deadline(compact: str) -> tuple[Deadline, str] | None:
    """A deadline when a date is the whole text apart from filler words, with the date's note."""
    for pattern in _DATE_PATTERNS:
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
    pre, post = match.group("pre"), match.group("post")
    pre_info = _PRE_WORDS.get(pre) if pre else None
    post_info = _POST_WORDS.get(post) if post else None
    notes: list[str] = []
    if pre_info:
        notes.append(f"{'运算符' if pre_info[2] == 'operator' else '用语'} {pre}")
    if post_info:
        notes.append(f"用语 {post}")
    if pre_info and post_info:
        if Direction.APPROX in (pre_info[0], post_info[0]):
            chosen = pre_info if pre_info[0] is Direction.APPROX else post_info
            return Direction.APPROX, False, chosen[2], tuple(notes)
        if pre in _WEAK_PRE:
            return post_info[0], post_info[1], post_info[2], tuple(notes)
        if pre_info[0] is not post_info[0]:
            return None, False, None, (*notes, "方向矛盾")
        return pre_info[0], pre_info[1], pre_info[2], tuple(notes)
    info = pre_info or post_info
    if info is None:
        return None, False, None, ()
    return info[0], info[1], info[2], tuple(notes)


def _prose(compact: str, spans: list[tuple[int, int]]) -> str:
    """The text outside the given spans, without punctuation."""
    kept: list[str] = []
    position = 0
    for start, end in spans:
        kept.append(compact[position:start])
        position = end
    kept.append(compact[position:])
    return "".join(ch for ch in "".join(kept) if ch not in _PUNCTUATION)


def _qualitative(text: str | None, compact: str, notes: list[str], **fields: object) -> Value:
    for word in QUALITATIVE_WORDS:
        if word in compact and not any(word in note for note in notes):
            notes.append(f"定性用语 {word}")
            if len(notes) >= 6:
                break
    return Value(text=text, kind=Kind.QUALITATIVE, recognised=tuple(notes), **fields)  # type: ignore[arg-type]


def parse(text: str | None, *, nature: str | None = None, unit: str | None = None) -> Value:
    """Read one printed value. ``nature`` is the 指标性质 column, ``unit`` the 度量单位 column.

    Never raises: anything unexpected yields ``Kind.UNREADABLE`` with the note "解析出错".
    """
    try:
        return _parse(text, nature, unit)
    except Exception:
        # a safety net, not a code path (the fuzz tests never reach it): the contract is that reading
        # a cell never breaks a page, and the note makes the failure visible instead of hiding it
        return Value(
            text=text if isinstance(text, str) else None, kind=Kind.UNREADABLE, recognised=("解析出错",)
        )


def _parse(text: str | None, nature: str | None, unit: str | None) -> Value:
    if text is not None and not isinstance(text, str):
        text = str(text)
    compact = normalise_text(text)
    if not compact or all(ch in _EMPTY_MARKS for ch in compact):
        return Value(text=text, kind=Kind.EMPTY, recognised=("空白",))

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
        return Value(
            text=text,
            kind=Kind.QUANTITATIVE,
            number=Decimal(0),
            base=Decimal(0),
            recognised=("“无”视为 0",),
        )

    found = _find_deadline(compact)
    if found is not None:
        deadline, matched = found
        return Value(text=text, kind=Kind.DEADLINE, deadline=deadline, recognised=(f"期限 {matched}",))

    column_fields: dict[str, object] = {}
    if nature_kind == "direction" and nature_dir is not None:
        column_fields = {"direction": nature_dir, "strict": nature_strict, "direction_source": "column"}
        notes.append(f"性质列 {normalise_text(nature)}")

    scale = _scale_of(compact)
    if scale:
        notes.append(f"等级 {_SCALE_LABELS[scale]}")
        return _qualitative(text, compact, notes, scale=scale, **column_fields)

    tokens = [m for m in _QUANTITY.finditer(compact)]
    relative = _RELATIVE.search(compact)
    if relative is not None:
        ref = _RELATIVE_REFS.get(relative.group("ref"), relative.group("ref"))
        notes.append(f"相对 {ref}")
        rel_dir, rel_strict = _RELATIVE_WORDS.get(relative.group("word"), (None, False))
        fields: dict[str, object] = {"relative": ref}
        if rel_dir is not None and not tokens:
            fields.update(direction=rel_dir, strict=rel_strict, direction_source="word")
        fields.update(column_fields)
        return _qualitative(text, compact, notes, **fields)

    cjk_in_text = any(_is_cjk(ch) for ch in compact)
    if not tokens:
        operators = [op for op in ("≥", "≤", ">", "<", "=", "≈") if op in compact]
        if operators:
            notes.append(f"运算符 {operators[0]}（无数值）")
        if cjk_in_text:
            return _qualitative(text, compact, notes, **column_fields)
        return Value(text=text, kind=Kind.UNREADABLE, recognised=(*notes, "无法识别"))

    prose = _prose(compact, [m.span() for m in tokens])
    prose_cjk = sum(1 for ch in prose if _is_cjk(ch))
    junk = [ch for ch in prose if not _is_cjk(ch)]
    if not cjk_in_text and (junk or (len(tokens) >= 2 and not _RANGE.fullmatch(compact.strip(";,.。")))):
        # "≥≥5", "12..5", "5%%", "1 2": symbols or loose numbers with no Chinese around them
        return Value(text=text, kind=Kind.UNREADABLE, recognised=(*notes, "无法识别"))

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
    number = Decimal(token.group("num"))
    if column_fields:
        text_dir = direction
        direction = column_fields["direction"]  # type: ignore[assignment]
        strict = bool(column_fields["strict"])
        source = "column"
        if text_dir is not None and text_dir is not direction:
            notes.append("文字运算符与性质列不一致，按性质列")
    notes.extend(dir_notes)
    if token.group("over1") or token.group("over2"):
        notes.append(_NOTE_OVER)

    mag_word = token.group("mag")
    magnitude = _MAGNITUDES[mag_word] if mag_word else Decimal(1)
    unit_text = token.group("unit")
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
    return Value(
        text=text,
        kind=Kind.QUANTITATIVE,
        direction=direction,
        strict=strict if direction is not None else False,
        direction_source=source if direction is not None else None,
        number=number,
        magnitude=magnitude,
        base=number * magnitude,
        unit=base_unit,
        printed_unit=printed_unit,
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
    if not (actual.is_quantitative and target.is_quantitative) or actual.unit is not None:
        return actual
    if target.unit is None and target.magnitude == 1:
        return actual
    if actual.printed_unit is None and actual.magnitude == 1 and actual.number is not None:
        if target.magnitude != 1 or target.unit is not None:
            return dataclasses.replace(
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
    return dataclasses.replace(
        actual, unit=target.unit, recognised=(*actual.recognised, f"沿用目标单位 {target.unit}")
    )


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
