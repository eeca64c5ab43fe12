"""#12: units read and compared — time units, ‰ against %, compound units in another order, 万/亿 on any unit.

Each case is a realistic row from a 绩效目标表 / 自评表 that was read wrongly or not at all before.
Every row is scored through the fast path and the rules alike (they must agree).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import (
    SCHEMES,
    Flag,
    IndicatorInput,
    Kind,
    compatible,
    parse,
    score_indicator,
)
from perfgoals.engine.rules import score_by_rules

D = Decimal
SD = SCHEMES["shandong-2019"]
SCORERS = [score_indicator, score_by_rules]


def score(name, target, actual, weight="10", scheme=SD, scorer=score_indicator, **kw):
    return scorer(IndicatorInput(name, target, actual, D(weight), **kw), scheme)


# --- units ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("scorer", SCORERS)
@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≤2小时", "90分钟", "10.00"),  # 1.5 h
        ("≤30分钟", "1小时", "5.00"),  # 30 ÷ 60 × 10
        ("≤3天", "96小时", "7.50"),  # 4 days: 3 ÷ 4 × 10
        ("≤2周", "21天", "6.67"),  # 3 weeks
        ("≤6个月", "1年", "5.00"),
        ("≤2个季度", "9个月", "6.67"),  # 3 quarters
    ],
)
def test_time_units_convert(scorer, target, actual, expected) -> None:
    result = score("办理时间", target, actual, scorer=scorer)
    assert result.score == D(expected), result.explanation
    assert Flag.UNIT_MISMATCH not in result.flags
    assert "换算" in result.explanation


@pytest.mark.parametrize("scorer", SCORERS)
def test_working_days_do_not_convert_to_days(scorer) -> None:
    result = score("办理时间", "≤5个工作日", "6天", scorer=scorer)
    assert Flag.UNIT_MISMATCH in result.flags and result.score is None


@pytest.mark.parametrize("scorer", SCORERS)
def test_permille_against_percent(scorer) -> None:
    result = score("投诉率", "≤2‰", "0.1%", scorer=scorer)  # 1‰
    assert result.score == D("10.00") and result.achieved
    worse = score("投诉率", "≤0.2%", "4‰", scorer=scorer)  # 0.4%: 0.2 ÷ 0.4 × 10
    assert worse.score == D("5.00") and Flag.UNIT_MISMATCH not in worse.flags


@pytest.mark.parametrize("scorer", SCORERS)
def test_compound_units_in_another_order(scorer) -> None:
    result = score("人均补助标准", "≥1000元/人/年", "1200元/年/人", scorer=scorer)
    assert result.score == D("10.00") and Flag.UNIT_MISMATCH not in result.flags
    assert compatible(parse("1200元/年/人"), parse("1000元/人/年"))
    assert not compatible(parse("1200元/年/人"), parse("1000元/人"))
    dotted = score("人均补助标准", "≥1000元/人·年", "1100元/年/人", scorer=scorer)
    assert dotted.score == D("10.00") and Flag.UNIT_MISMATCH not in dotted.flags
    assert parse("≥1000元/人·年").unit == "元/人/年"


@pytest.mark.parametrize(
    ("text", "base", "unit"),
    [
        ("5万株", D(50000), "株"),
        ("1.2亿人次", D(120000000), "人次"),
        ("3万亩", D(30000), "亩"),
        ("2.5万头", D(25000), "头"),
        ("10万羽", D(100000), "羽"),
        ("1.5万公顷", D(15000), "公顷"),
        ("2亿千瓦时", D(200000000), "千瓦时"),
        ("4个季度", D(4), "季度"),
        ("≥2万人·次", D(20000), "人次"),
    ],
)
def test_magnitude_prefix_on_any_unit(text, base, unit) -> None:
    value = parse(text)
    assert value.kind is Kind.QUANTITATIVE and value.base == base and value.unit == unit
