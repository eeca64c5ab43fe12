"""Properties of the reader and the scorer, checked with hypothesis."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfgoals.engine import SCHEMES, IndicatorInput, Kind, Scheme, parse, score_indicator

D = Decimal
ALL_SCHEMES = list(SCHEMES.values())
FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

OPERATORS = ["≥", "≧", ">=", "＞=", "＞", ">", "≤", "≦", "<=", "＜", "<", "=", "＝", "═", "﹦", "≈", "~", ""]
WORDS = ["以上", "以下", "以内", "左右", "不低于", "不高于", "达到", "超过", "低于", "约", "余", "内", ""]
UNITS = [
    "%",
    "％",
    "人",
    "万人",
    "人次",
    "万",
    "亿元",
    "万元",
    "元/年/人",
    "元/平方米",
    "台",
    "台（套）",
    "次",
    "分钟",
    "天",
    "日",
    "个月",
    "起",
    "种",
    "册",
    "万册",
    "千克",
    "‰",
    "小时",
    "周",
    "季度",
    "个季度",
    "元/人/年",
    "万株",
    "",
]
PROSE = [
    "显著",
    "及时",
    "有效缓解",
    "上年",
    "甲类",
    "年",
    "月",
    "日",
    "底",
    "前",
    "完成",
    "，",
    "。",
    "、",
    " ",
    "\n",
    "(",
    "含",
    ")",
    "-",
    ".",
    "..",
    "/",
    "无",
    "优良中低差",
    "高中低",
    "abc",
    "%%",
    "四",
    "十二",
    "两",
    "百分之",
    "第",
    "至",
    "按期完成",
]
NUMBERS = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


def _num(value: Decimal) -> str:
    return format(value, "f")


fragments = st.one_of(
    st.sampled_from(OPERATORS),
    st.sampled_from(WORDS),
    st.sampled_from(UNITS),
    st.sampled_from(PROSE),
    NUMBERS.map(_num),
    st.integers(min_value=0, max_value=3000).map(str),
)
built_text = st.lists(fragments, max_size=8).map("".join)
natures = st.sampled_from([None, "≥", "≤", "＝", "=", "定性", "定量", "??", ""])
units = st.one_of(st.none(), st.sampled_from(UNITS), st.text(max_size=4))


@FAST
@given(st.one_of(st.none(), st.text()), natures, units)
def test_parse_never_raises_on_any_text(text: str | None, nature: str | None, unit: str | None) -> None:
    value = parse(text, nature=nature, unit=unit)
    assert isinstance(value.kind, Kind)
    assert value.display()


@FAST
@given(built_text, natures, units)
def test_parse_never_raises_on_notation_fragments(text: str, nature: str | None, unit: str | None) -> None:
    value = parse(text, nature=nature, unit=unit)
    if value.kind is Kind.QUANTITATIVE:
        assert value.number is not None and value.base == value.number * value.magnitude
    if value.kind is Kind.DEADLINE:
        assert value.deadline is not None
        value.deadline.resolve(2020)  # a parsed deadline always resolves with a year
    value.display()


weights = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
bands = st.sampled_from([None, "完成", "部分完成", "未完成", "优", "良", "中", "低", "差", "高", "不存在"])


@FAST
@given(
    built_text,
    built_text,
    weights,
    bands,
    st.one_of(st.none(), st.decimals(min_value=-10, max_value=200, places=2)),
    st.sampled_from(ALL_SCHEMES),
    natures,
)
def test_score_is_within_zero_and_weight(
    target: str,
    actual: str,
    weight: Decimal,
    band: str | None,
    band_score: Decimal | None,
    scheme: Scheme,
    nature: str | None,
) -> None:
    inp = IndicatorInput("指标", target, actual, weight, nature=nature, band=band, band_score=band_score)
    result = score_indicator(inp, scheme, year=2020)
    if result.score is not None:
        assert D(0) <= result.score <= weight
        assert result.score == result.score.quantize(D("0.01"))
    assert result.explanation


values = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
positive_targets = st.decimals(
    min_value=D("0.01"), max_value=10**6, places=2, allow_nan=False, allow_infinity=False
)


def _score(target: str, actual: str, weight: Decimal, scheme: Scheme, name: str = "指标") -> Decimal:
    result = score_indicator(IndicatorInput(name, target, actual, weight), scheme)
    assert result.score is not None, result.explanation
    return result.score


def _overshoot_step(a: Decimal, low: Decimal, high: Decimal, w: Decimal, scheme: Scheme) -> Decimal:
    """How far a positive score may fall from ``low`` to ``high`` (actuals against target ``a``): by the
    scheme's 指标偏离 deduction (and half a unit of its rounding) when ``low`` is under target × (1 + x)
    and ``high`` at or over it, else not at all. Below the threshold and above it, the score is monotone;
    at it, it steps down once by the deduction — the rule's purpose (#12)."""
    if not scheme.overshoot_deduction or scheme.overshoot_threshold is None or a <= 0:
        return D(0)
    edge = a * (1 + scheme.overshoot_threshold)
    if not low < edge <= high:
        return D(0)
    amount = scheme.overshoot_deduction
    if scheme.overshoot_deduction_as == "share":
        amount = w * amount
    return amount + D("0.005")


@FAST
@given(values, values, values, weights, st.sampled_from(ALL_SCHEMES))
def test_positive_score_never_falls_as_actual_rises(
    a: Decimal, b1: Decimal, b2: Decimal, w: Decimal, scheme: Scheme
) -> None:
    # monotone but for the one step of an overshoot deduction (指标偏离) at target × (1 + x)
    low, high = sorted((b1, b2))
    assert _score(f"≥{_num(a)}%", f"{_num(low)}%", w, scheme) <= _score(
        f"≥{_num(a)}%", f"{_num(high)}%", w, scheme
    ) + _overshoot_step(a, low, high, w, scheme)


@FAST
@given(values, values, values, weights, st.sampled_from(ALL_SCHEMES))
def test_negative_score_never_rises_as_actual_rises(
    a: Decimal, b1: Decimal, b2: Decimal, w: Decimal, scheme: Scheme
) -> None:
    low, high = sorted((b1, b2))
    target = f"≤{_num(a)} 分钟"
    assert _score(target, f"{_num(low)} 分钟", w, scheme) >= _score(target, f"{_num(high)} 分钟", w, scheme)


@FAST
@given(values, values, values, weights, st.sampled_from(ALL_SCHEMES))
def test_name_suggested_negative_is_monotone_too(
    a: Decimal, b1: Decimal, b2: Decimal, w: Decimal, scheme: Scheme
) -> None:
    low, high = sorted((b1, b2))
    name = "财政补助成本"
    target = f"{_num(a)} 万元"
    assert _score(target, f"{_num(low)} 万元", w, scheme, name) >= _score(
        target, f"{_num(high)} 万元", w, scheme, name
    )


@FAST
@given(values, values, values, values, weights, st.sampled_from(ALL_SCHEMES))
def test_range_targets_are_monotone_both_ways(
    low: Decimal, span: Decimal, b1: Decimal, b2: Decimal, w: Decimal, scheme: Scheme
) -> None:
    # #12: a range is scored against its lower end (positive) or its upper end (negative)
    lesser, greater = sorted((b1, b2))
    share = f"{_num(low)}%-{_num(low + span + 1)}%"
    assert _score(share, f"{_num(lesser)}%", w, scheme, "资金到位率") <= _score(
        share, f"{_num(greater)}%", w, scheme, "资金到位率"
    ) + _overshoot_step(low, lesser, greater, w, scheme)  # (the lower end is the target: 指标偏离 there)
    days = f"{_num(low)}-{_num(low + span + 1)}天"
    assert _score(days, f"{_num(lesser)}天", w, scheme, "审批办理时间") >= _score(
        days, f"{_num(greater)}天", w, scheme, "审批办理时间"
    )


@FAST
@given(values, values, weights, st.sampled_from(ALL_SCHEMES))
def test_converted_units_score_as_the_same_quantity(
    a: Decimal, b: Decimal, w: Decimal, scheme: Scheme
) -> None:
    # #12: an actual in minutes against a target in hours scores as the same actual in hours
    in_hours = _score(f"≤{_num(a)}小时", f"{_num(b)}小时", w, scheme)
    in_minutes = _score(f"≤{_num(a)}小时", f"{_num(b * 60)}分钟", w, scheme)
    assert in_hours == in_minutes


@FAST
@given(
    st.decimals(min_value=0, max_value=10**4, places=2),
    st.decimals(min_value=0, max_value=10**4, places=2),
    weights,
    st.sampled_from(["≥", "≤", "=", ""]),
    st.sampled_from(ALL_SCHEMES),
)
def test_magnitude_scaling_leaves_the_score_unchanged(
    n: Decimal, m: Decimal, w: Decimal, operator: str, scheme: Scheme
) -> None:
    in_wan = _score(f"{operator}{_num(n)} 万人", f"{_num(m)} 万人", w, scheme)
    in_units = _score(f"{operator}{_num(n * 10000)} 人", f"{_num(m * 10000)} 人", w, scheme)
    assert in_wan == in_units
    # an actual in 亿 against a target in 万 compares the same quantity
    in_yi = _score(f"{operator}{_num(n)} 万人", f"{_num(m / 10000)} 亿人", w, scheme)
    assert in_yi == in_wan


@FAST
@given(positive_targets, values, weights)
def test_shandong_positive_is_the_half_up_rounded_capped_ratio(a: Decimal, b: Decimal, w: Decimal) -> None:
    expected = min(b / a * w, w).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert _score(f"≥{_num(a)}", _num(b), w, SCHEMES["shandong-2019"]) == expected


def test_rounding_is_half_up_at_two_places() -> None:
    # 1 ÷ 8 × 1 = 0.125 → 0.13 (half-even would give 0.12); 5 ÷ 8 × 0.1 = 0.0625 → 0.06
    scheme = SCHEMES["shandong-2019"]
    assert _score("≥8", "1", D(1), scheme) == D("0.13")
    assert _score("≥8", "3", D(1), scheme) == D("0.38")  # 0.375
    assert _score("≥8", "5", D("0.1"), scheme) == D("0.06")
    assert _score("≤8", "64", D(1), scheme) == D("0.13")  # 8 ÷ 64 = 0.125


def test_shipped_schemes_round_trip() -> None:
    for scheme in SCHEMES.values():
        assert Scheme.from_dict(scheme.to_dict()) == scheme


@FAST
@given(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=40),
    st.booleans(),
    st.sampled_from(["inverse_ratio", "linear_excess"]),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2)),
)
def test_edited_schemes_round_trip(
    execution: int, output: int, benefit: int, cap: bool, negative: str, overshoot: Decimal | None
) -> None:
    satisfaction = 100 - execution - output - benefit
    if satisfaction < 0:
        return
    data = SCHEMES["shandong-2019"].to_dict() | {
        "code": "edited",
        "execution_weight": str(execution),
        "level1_weights": {"output": str(output), "benefit": str(benefit), "satisfaction": str(satisfaction)},
        "level1_cap": cap,
        "negative_formula": negative,
        "overshoot_threshold": None if overshoot is None else str(overshoot),
    }
    scheme = Scheme.from_dict(data)
    assert Scheme.from_dict(scheme.to_dict()) == scheme
    assert scheme.to_dict() == data
