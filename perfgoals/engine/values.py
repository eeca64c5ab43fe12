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

The pieces below the reader are in :mod:`.units` (text, numbers, units); what it builds is in
:mod:`.valuetypes` (``Value``, ``Kind``, ``Direction``, ``Deadline``). Both are re-exported here, so
``perfgoals.engine.values`` offers everything it always did.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from .units import (
    _MAGNITUDES,
    _ONE,
    _UNIT_RE,
    _ZERO,
    CACHE_SIZE,
    _alternation,
    _split_unit_column,
    canonical_unit,
    format_decimal,
    normalise_text,
    to_decimal,
)
from .valuetypes import (
    _APPROX,
    _DEADLINE,
    _EMPTY,
    _NOTE_COMPOSITE,
    _NOTE_OVER,
    _QUALITATIVE,
    _QUANTITATIVE,
    _SCALE_LABELS,
    _UNREADABLE,
    Deadline,
    Direction,
    Kind,
    Value,
    _new_object,
    _replace,
    _set_object,
    _value,
    adopt_unit,
    compatible,
)

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
    # a period ("2021.1.1-12.31", "2021年1月-12月"): the deadline is its end, in the start's year unless
    # the end prints its own
    re.compile(
        r"(?<![0-9.])(?P<y0>[0-9]{4})(?:年|\.|/)(?P<m0>[0-9]{1,2})(?:(?:月|\.|/)(?P<d0>[0-9]{1,2})日?)?月?"
        r"(?:-|~|—|–|至|到)(?:(?P<y>[0-9]{4})(?:年|\.|/))?(?P<m>[0-9]{1,2})"
        rf"(?:(?:月|\.|/)(?P<d>[0-9]{{1,2}})日?)?月?(?P<eom>底|末)?(?![0-9]){_BEFORE}"
    ),
    re.compile(
        rf"(?<![0-9.])(?P<y>[0-9]{{4}})(?:年|\.|-|/)(?P<m>[0-9]{{1,2}})(?:月|\.|-|/)(?P<d>[0-9]{{1,2}})日?(?![0-9]){_BEFORE}"
    ),
    # a period of months without a year ("1月-12月", "1-12月", "3月1日至11月30日")
    re.compile(
        r"(?<![0-9.])(?P<m0>[0-9]{1,2})(?:月(?:(?P<d0>[0-9]{1,2})日)?)?(?:-|~|—|–|至|到)"
        rf"(?P<m>[0-9]{{1,2}})月(?:(?P<d>[0-9]{{1,2}})日)?(?P<eom>底|末)?{_BEFORE}"
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

# --- Chinese numerals ------------------------------------------------------------------------------

_CN_DIGITS = MappingProxyType(
    {
        "零": 0,
        "〇": 0,
        "一": 1,
        "二": 2,
        "两": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
)
_CN_TENS = MappingProxyType({"十": 10, "百": 100, "千": 1000})
_CN_RUN = "[" + "".join(_CN_DIGITS) + "".join(_CN_TENS) + "]+"
_CN_NUMERAL_CHARS = re.compile(_CN_RUN)
# a numeral counts only before a unit or 月 that ends the phrase ("四次", "不少于十二次", "十二月底前",
# "两万人以上"), never inside a word: not after 第, a digit or another numeral ("第一批", "3千人",
# "95百分比"), nor when more words follow the unit ("一次性", "三年行动计划", "一个窗口受理")
_CN_QUANTITY = re.compile(
    rf"(?<![第0-9.{''.join(_CN_DIGITS)}{''.join(_CN_TENS)}])(?P<num>{_CN_RUN})(?P<mag>亿|万)?"
    rf"(?=(?:{_UNIT_RE}|月)(?:$|[,.;:、。)]|{_alternation(tuple(_POST_WORDS))}|底|末|份|前))"
)
_CN_PERCENT = re.compile(rf"百分之(?P<num>{_CN_RUN})(?:点(?P<frac>[{''.join(_CN_DIGITS)}]+))?")


def _cn_int(run: str) -> int | None:
    """二十五 → 25, 十二 → 12, 一百 → 100, 百 → 100, 二〇二一 → 2021; None for a malformed run."""
    if not any(char in _CN_TENS for char in run):
        return int("".join(str(_CN_DIGITS[char]) for char in run))
    total = 0
    current: int | None = None
    last_ten = 10**9
    for char in run:
        if char in _CN_DIGITS:
            if current is not None:
                return None  # two digits in a row inside a 十/百/千 numeral
            current = _CN_DIGITS[char]
        else:
            ten = _CN_TENS[char]
            if ten >= last_ten:
                return None
            total += (1 if current is None else current) * ten
            current = None
            last_ten = ten
    return total + (current or 0)


def _arabic_numerals(compact: str) -> tuple[str, tuple[str, ...]]:
    """Chinese numerals before a unit written in digits ("四次" → "4次", "百分之百" → "100%"), with a
    note per numeral; a run that is part of a word ("一站式", "三公经费", "第一批") is left alone."""
    notes: list[str] = []

    def percent(match: re.Match[str]) -> str:
        whole = _cn_int(match.group("num"))
        if whole is None:
            return match.group(0)
        frac = match.group("frac")
        number = f"{whole}." + "".join(str(_CN_DIGITS[c]) for c in frac) if frac else str(whole)
        notes.append(f"中文数字 {match.group(0)} → {number}%")
        return f"{number}%"

    def quantity(match: re.Match[str]) -> str:
        number = _cn_int(match.group("num"))
        if number is None:
            return match.group(0)
        notes.append(f"中文数字 {match.group('num')} → {number}")
        return f"{number}{match.group('mag') or ''}"

    converted = _CN_PERCENT.sub(percent, compact) if "百分之" in compact else compact
    converted = _CN_QUANTITY.sub(quantity, converted)
    return converted, tuple(notes)


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


# every date pattern but the first two (a period "2021.1.1-12.31", a date "2019.12.31", "2019-12-31")
# needs a 年 or a 月
_DATE_PATTERNS_WITHOUT_YEAR_OR_MONTH = _DATE_PATTERNS[:2]


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
        year = int(groups["y"]) if groups.get("y") else int(groups["y0"]) if groups.get("y0") else None
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

    numeral_notes: tuple[str, ...] = ()
    if _CN_NUMERAL_CHARS.search(compact) is not None:
        compact, numeral_notes = _arabic_numerals(compact)

    nature_kind, nature_dir, nature_strict = _nature_direction(nature)
    notes: list[str] = list(numeral_notes)
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
        return _value(text, _DEADLINE, deadline=deadline, recognised=(*numeral_notes, f"期限 {matched}"))

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
    if len(tokens) == 2 and tokens[0].group("pre") and not tokens[1].group("pre"):
        ranged = _operator_range(text, compact, tokens[0].group("pre"), notes, column_fields, unit)
        if ranged is not None:
            return ranged
    if not cjk_in_text and (junk or (len(tokens) >= 2 and not _RANGE.fullmatch(compact.strip(";,.。")))):
        # "≥≥5", "12..5", "5%%", "1 2": symbols or loose numbers with no Chinese around them
        return _value(text, _UNREADABLE, recognised=(*notes, "无法识别"))

    if len(tokens) >= 2:
        if len(tokens) == 2 and _RANGE.search(compact):
            ranged = _range(text, compact.strip(";,.。"), notes, column_fields, unit)
            if ranged is not None:
                return ranged
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


_RANGE_PARTS = re.compile(
    rf"(?P<n1>[0-9]+(?:\.[0-9]+)?)(?P<m1>{_MAGNITUDE_RE})?(?P<u1>{_UNIT_RE})?(?:-|~|—|–|至|到)"
    rf"(?P<n2>[0-9]+(?:\.[0-9]+)?)(?P<m2>{_MAGNITUDE_RE})?(?P<u2>{_UNIT_RE})?"
)


def _operator_range(
    text: str | None,
    compact: str,
    operator: str,
    notes: list[str],
    column_fields: dict[str, object],
    unit_column: str | None,
) -> Value | None:
    """An operator printed before a range ("≥90%-95%", "≤3-5天"): the range with both ends, its direction
    the operator's unless the 指标性质 column gives one. None when the rest is not a plain range or the
    operator states no direction."""
    stripped = compact.strip(";,.。")
    if not stripped.startswith(operator):
        return None
    body = stripped[len(operator) :]
    if not _RANGE.fullmatch(body):
        return None
    direction, strict, source, op_notes = _words_direction(operator, None)
    if direction is None or direction is _APPROX:
        return None
    fields: dict[str, object] = {"direction": direction, "strict": strict, "direction_source": source}
    fields.update(column_fields)
    return _range(text, body, [*notes, *op_notes, "运算符与区间并用"], fields, unit_column)


def _range(
    text: str | None,
    compact: str,
    notes: list[str],
    column_fields: dict[str, object],
    unit_column: str | None,
) -> Value | None:
    """A target that is a range and nothing else ("90%-95%", "3-5天", "3-5万人"): a quantity with both
    ends (``low``, ``high``), its number the lower end. None when the text is more than a range, the
    two ends disagree in unit, or the lower end is not below the upper."""
    match = _RANGE_PARTS.fullmatch(compact)
    if match is None:
        return None
    n1, m1, u1, n2, m2, u2 = match.group("n1", "m1", "u1", "n2", "m2", "u2")
    unit1, unit2 = canonical_unit(u1), canonical_unit(u2)
    if unit1 is not None and unit2 is not None and unit1 != unit2:
        return None
    if m1 is not None and m2 is not None and m1 != m2:
        return None
    mag_word = m2 or m1
    unit_text = u2 or u1
    magnitude = _MAGNITUDES[mag_word] if mag_word else _ONE
    base_unit = canonical_unit(unit_text)
    printed_unit = (mag_word or "") + (unit_text or "") or None
    if base_unit is None and unit_column:
        col_mag, col_unit, col_printed = _split_unit_column(unit_column)
        base_unit = col_unit
        if mag_word is None:
            magnitude, printed_unit = col_mag, col_printed
        notes.append(f"单位列 {col_printed}")
    low_number, high_number = Decimal(n1), Decimal(n2)
    if not low_number < high_number:
        return None
    notes.append(f"区间 {format_decimal(low_number)}–{format_decimal(high_number)}{printed_unit or ''}")
    fields: dict[str, object] = {"direction": None, "strict": False, "direction_source": None}
    fields.update(column_fields)
    return _value(
        text,
        _QUANTITATIVE,
        fields["direction"],  # type: ignore[arg-type]
        bool(fields["strict"]),
        fields["direction_source"],  # type: ignore[arg-type]
        low_number,
        magnitude,
        low_number * magnitude,
        base_unit,
        printed_unit,
        recognised=tuple(notes),
        low=low_number * magnitude,
        high=high_number * magnitude,
    )


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
