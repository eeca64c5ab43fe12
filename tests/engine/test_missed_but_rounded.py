"""#12 item 4: a missed target whose score rounds to the full weight is still missed.

59.99% against "60%以上" with a weight of 10 computes 59.99 ÷ 60 × 10 = 9.998, which rounds to 10.00:
the score is the full weight, yet the target was not reached, and the unit must explain the gap.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import SCHEMES, Flag, IndicatorInput, score_indicator
from perfgoals.engine.rules import score_by_rules

D = Decimal


@pytest.mark.parametrize("code", sorted(SCHEMES))
@pytest.mark.parametrize("scorer", [score_indicator, score_by_rules])
def test_missed_target_rounding_to_full_weight_asks_for_a_note(code, scorer) -> None:
    scheme = SCHEMES[code]
    result = scorer(IndicatorInput("资金到位率", "60%以上", "59.99%", D(10)), scheme)
    assert result.achieved is False
    assert result.score == D("10.00")
    assert Flag.DEVIATION_NOTE_REQUIRED in result.flags
    assert "未达成目标" in result.explanation


@pytest.mark.parametrize("scorer", [score_indicator, score_by_rules])
def test_missed_negative_target_rounding_to_full_weight_asks_for_a_note(scorer) -> None:
    # ≤ 15 分钟, actual 15.01: 15 ÷ 15.01 × 5 = 4.9967 → 5.00 under the inverse ratio
    result = scorer(IndicatorInput("窗口排队时间", "≤15分钟", "15.01分钟", D(5)), SCHEMES["shandong-2019"])
    assert result.achieved is False and result.score == D("5.00")
    assert Flag.DEVIATION_NOTE_REQUIRED in result.flags


@pytest.mark.parametrize("scorer", [score_indicator, score_by_rules])
def test_note_given_clears_the_flag_but_not_the_miss(scorer) -> None:
    inp = IndicatorInput("资金到位率", "60%以上", "59.99%", D(10), deviation_note="年末一笔资金延迟到位")
    result = scorer(inp, SCHEMES["shandong-2019"])
    assert result.achieved is False
    assert Flag.DEVIATION_NOTE_REQUIRED not in result.flags


@pytest.mark.parametrize("scorer", [score_indicator, score_by_rules])
def test_met_target_needs_no_note(scorer) -> None:
    result = scorer(IndicatorInput("资金到位率", "60%以上", "60%", D(10)), SCHEMES["shandong-2019"])
    assert result.achieved is True and Flag.DEVIATION_NOTE_REQUIRED not in result.flags
    assert "未达成目标" not in result.explanation
