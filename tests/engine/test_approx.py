"""#12: "≈" / "左右" targets scored by a tolerance (approx_as = "tolerance"), not as a plain ≥.

Each case is a realistic row from a 绩效目标表 / 自评表 that was read wrongly or not at all before.
Every row is scored through the fast path and the rules alike (they must agree).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from perfgoals.engine import (
    SCHEMES,
    IndicatorInput,
    score_indicator,
)
from perfgoals.engine.rules import score_by_rules

D = Decimal
SD = SCHEMES["shandong-2019"]
SCORERS = [score_indicator, score_by_rules]


def score(name, target, actual, weight="10", scheme=SD, scorer=score_indicator, **kw):
    return scorer(IndicatorInput(name, target, actual, D(weight), **kw), scheme)


# --- ≈ targets ------------------------------------------------------------------------------------

TOLERANT = dataclasses.replace(SD, code="tolerant", approx_as="tolerance")


@pytest.mark.parametrize("scorer", SCORERS)
def test_approx_target_scored_by_tolerance(scorer) -> None:
    near = score("护理服务费支付比例", "75%左右", "77%", scheme=TOLERANT, scorer=scorer)
    assert near.score == D("10.00") and near.achieved
    far = score("护理服务费支付比例", "75%左右", "93%", scheme=TOLERANT, scorer=scorer)
    assert not far.achieved and far.score < D(10)
    assert "容差" in far.explanation
    assert far.score == D("8.47")  # above 78.75: 78.75 ÷ 93 × 10
    low = score("护理服务费支付比例", "75%左右", "60%", scheme=TOLERANT, scorer=scorer)
    assert not low.achieved and low.score == D("8.42")  # below 71.25: 60 ÷ 71.25 × 10
    edge = score("护理服务费支付比例", "75%左右", "71.25%", scheme=TOLERANT, scorer=scorer)
    assert edge.achieved and edge.score == D("10.00")


@pytest.mark.parametrize("scorer", SCORERS)
def test_tolerance_applies_to_approx_only(scorer) -> None:
    # a "≥" target under the same scheme is scored as ever
    result = score("护理服务费支付比例", "≥75%", "93%", scheme=TOLERANT, scorer=scorer)
    assert result.score == D("10.00") and result.achieved


@pytest.mark.parametrize("scorer", SCORERS)
def test_shipped_scheme_keeps_approx_as_ge(scorer) -> None:
    # the seed 2019 row "达到 75%左右" / 93% printed full marks under the Shandong rules
    result = score("长期护理保险待遇水平", "达到 75%左右", "93%", scorer=scorer)
    assert result.score == D("10.00")
