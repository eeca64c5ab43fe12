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
