"""The one-pass scoring of quantity against quantity gives exactly what the general path gives.

`score_indicator` answers the common case (≥/≤ quantity target, quantity actual) in a fast path that
repeats the general rules for speed, and caches rows and readings. This test keeps the two in step:
any rule changed in one place and not the other fails here.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from perfgoals.engine import SCHEMES, Direction, IndicatorInput, parse, score_indicator
from perfgoals.engine.rules import _score_indicator

OPERATORS = ["≥", "≧", ">=", "≤", "≦", "<=", "=", "", "不低于", "不高于"]
SUFFIXES = ["", "以上", "以下", "左右"]
UNITS = ["%", "万人", "人", "次", "分钟", "元/年/人", "万元", "亿元", ""]
NAMES = ["参保人数", "投诉次数", "支付率", "响应时间", "补助成本", "满意度"]

numbers = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2, allow_nan=False)


@st.composite
def rows(draw) -> IndicatorInput:
    unit = draw(st.sampled_from(UNITS))
    target = f"{draw(st.sampled_from(OPERATORS))}{draw(numbers)}{unit}{draw(st.sampled_from(SUFFIXES))}"
    actual_unit = draw(st.sampled_from([unit, "", "万", "人"]))
    return IndicatorInput(
        name=draw(st.sampled_from(NAMES)),
        target_text=target,
        actual_text=f"{draw(numbers)}{actual_unit}",
        weight=draw(st.sampled_from([None, Decimal("0"), Decimal("2"), Decimal("5"), Decimal("12.5")])),
        direction_override=draw(st.sampled_from([None, Direction.POSITIVE, Direction.NEGATIVE])),
        reported_score=draw(st.sampled_from([None, Decimal("5"), Decimal("1.99")])),
        deviation_note=draw(st.sampled_from(["", "已说明原因"])),
    )


@settings(max_examples=400, deadline=None)
@given(rows(), st.sampled_from(sorted(SCHEMES)), st.sampled_from([None, 2019]))
def test_fast_path_equals_general_path(inp, scheme_code, year):
    scheme = SCHEMES[scheme_code]
    fast = score_indicator(inp, scheme, year=year)
    general = _score_indicator(
        inp, scheme, year, parse(inp.target_text, nature=inp.nature, unit=inp.unit), None
    )
    assert fast == general
    assert str(fast.score) == str(general.score)
    assert fast.explanation == general.explanation
    assert fast.flags == general.flags
