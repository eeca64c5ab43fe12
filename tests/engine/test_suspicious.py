"""#12: actuals that are probably mistyped, and directions that contradict the printed operator, are flagged
(never changed silently).

Each case is a realistic row from a 绩效目标表 / 自评表 that was read wrongly or not at all before.
Every row is scored through the fast path and the rules alike (they must agree).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import (
    SCHEMES,
    Direction,
    Flag,
    IndicatorInput,
    score_indicator,
)
from perfgoals.engine.rules import score_by_rules

D = Decimal
SD = SCHEMES["shandong-2019"]
SCORERS = [score_indicator, score_by_rules]


def score(name, target, actual, weight="10", scheme=SD, scorer=score_indicator, **kw):
    return scorer(IndicatorInput(name, target, actual, D(weight), **kw), scheme)


# --- suspicious actuals ---------------------------------------------------------------------------


@pytest.mark.parametrize("scorer", SCORERS)
def test_decimal_that_looks_like_a_share(scorer) -> None:
    result = score("参保率", "≥90%", "0.92", scorer=scorer)
    assert Flag.DECIMAL_SHARE in result.flags
    assert "92%" in result.explanation
    assert result.score == D("0.10")  # never converted silently
    assert Flag.DECIMAL_SHARE.label == "疑似以小数填写百分比"
    plain = score("参保率", "≥90%", "92%", scorer=scorer)
    assert Flag.DECIMAL_SHARE not in plain.flags


@pytest.mark.parametrize("scorer", SCORERS)
def test_magnitude_implausible(scorer) -> None:
    result = score("居民参保缴费人数", "400 万人以上", "3.9 亿人", scorer=scorer)
    assert Flag.MAGNITUDE_IMPLAUSIBLE in result.flags
    assert "数量级" in result.explanation
    plain = score("居民参保缴费人数", "400 万人以上", "400.3 万人", scorer=scorer)
    assert Flag.MAGNITUDE_IMPLAUSIBLE not in plain.flags
    same_words = score("居民参保缴费人数", "400 万人以上", "4003000人", scorer=scorer)
    assert Flag.MAGNITUDE_IMPLAUSIBLE not in same_words.flags
    # a bare number is read in the target's magnitude: 12000000 against 1200 万元 is 12000000 万元
    bare = score("资金到位金额", "≥1200万元", "12000000", scorer=scorer)
    assert Flag.MAGNITUDE_IMPLAUSIBLE in bare.flags and "数量级可疑" in bare.explanation
    bare_plausible = score("资金到位金额", "≥1200万元", "1250", scorer=scorer)
    assert Flag.MAGNITUDE_IMPLAUSIBLE not in bare_plausible.flags


@pytest.mark.parametrize("scorer", SCORERS)
def test_override_contradicting_the_printed_operator(scorer) -> None:
    result = score("满意度", "≥90%", "85%", scorer=scorer, direction_override=Direction.NEGATIVE)
    assert Flag.DIRECTION_CONTRADICTS_TARGET in result.flags
    assert "按反向（≤）计分" in result.explanation
    agreeing = score("满意度", "≥90%", "85%", scorer=scorer, direction_override=Direction.POSITIVE)
    assert Flag.DIRECTION_CONTRADICTS_TARGET not in agreeing.flags


def test_fast_path_flags_another_magnitude_itself() -> None:
    # the common case (a magnitude printed on the actual) is flagged in one pass, as the rules do
    from perfgoals.engine import speed
    from perfgoals.engine.values import _shape, parse

    inp = IndicatorInput("居民参保缴费人数", "400 万人以上", "3.9 亿人", D(5))
    target, actual = parse(inp.target_text), parse(inp.actual_text)
    fast = speed._score_quantities(inp, SD, target, actual, _shape(inp.target_text), _shape(inp.actual_text))
    assert fast is not None and fast == score_by_rules(inp, SD)
    assert Flag.MAGNITUDE_IMPLAUSIBLE in fast.flags
