"""#12: a range target ("90%-95%", "3-5天") keeps both ends and is scored against the end its direction needs.

Each case is a realistic row from a 绩效目标表 / 自评表 that was read wrongly or not at all before.
Every row is scored through the fast path and the rules alike (they must agree).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import (
    SCHEMES,
    Direction,
    IndicatorInput,
    Kind,
    parse,
    score_indicator,
)
from perfgoals.engine.rules import score_by_rules

D = Decimal
SD = SCHEMES["shandong-2019"]
SCORERS = [score_indicator, score_by_rules]


def score(name, target, actual, weight="10", scheme=SD, scorer=score_indicator, **kw):
    return scorer(IndicatorInput(name, target, actual, D(weight), **kw), scheme)


# --- ranges ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("scorer", SCORERS)
def test_an_operator_before_a_range_reads_the_range_with_the_operators_direction(scorer) -> None:
    """ "≥90%-95%" (seen in held-back tables) was unreadable: the range keeps both ends, ≥ says positive."""
    value = parse("≥90%-95%")
    assert value.kind is Kind.QUANTITATIVE
    assert (value.low, value.high, value.unit) == (D(90), D(95), "%")
    assert value.direction is Direction.POSITIVE and value.direction_source is not None
    missed = score("项目验收合格率", "≥90%-95%", "81%", scorer=scorer)
    assert missed.score == D("9.00") and not missed.achieved  # 81 ÷ 90 × 10
    # ≤ before a range: negative, measured against the upper end, even for a name that says nothing
    slow = score("办结时长", "≤3-5天", "8天", scorer=scorer)
    assert slow.direction is Direction.NEGATIVE and slow.score == D("6.25")  # 5 ÷ 8 × 10
    # an operator before something that is not a plain range still is not a range
    assert parse("≥90%-95%以上").low is None


def test_range_keeps_both_ends() -> None:
    value = parse("90%-95%")
    assert value.kind is Kind.QUANTITATIVE
    assert (value.low, value.high) == (D(90), D(95)) and value.unit == "%"
    days = parse("3-5天")
    assert (days.low, days.high, days.unit) == (D(3), D(5), "天")


@pytest.mark.parametrize("scorer", SCORERS)
def test_range_scored_against_the_end_its_direction_needs(scorer) -> None:
    inside = score("资金到位率", "90%-95%", "93%", scorer=scorer)
    assert inside.score == D("10.00") and inside.achieved
    below = score("资金到位率", "90%-95%", "81%", scorer=scorer)
    assert below.score == D("9.00") and not below.achieved  # 81 ÷ 90 × 10
    assert "目标区间 90%–95%" in below.explanation
    slow = score("审批办理时间", "3-5天", "8天", scorer=scorer)  # negative: ≤ the upper end
    assert slow.direction is Direction.NEGATIVE and slow.score == D("6.25")  # 5 ÷ 8 × 10
    quick = score("审批办理时间", "3-5天", "4天", scorer=scorer)
    assert quick.score == D("10.00") and quick.achieved
