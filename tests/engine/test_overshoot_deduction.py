"""指标偏离 as a scheme option (#12, provincial rules): a positive quantitative indicator whose actual
reaches target × (1 + x) loses y points (or a share y of its weight), never below 0, flagged for the
reviewer and said in the explanation. Off by default: the Shandong and national schemes never deduct;
the platform-caps scheme follows the platform manual of lifecycle.md §3 (30 % → 2 points)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

import pytest

from perfgoals.engine import (
    SCHEMES,
    Direction,
    EvaluationInput,
    Flag,
    IndicatorInput,
    Scheme,
    SchemeError,
    score_evaluation,
    score_indicator,
)
from perfgoals.engine.rules import score_by_rules

PLATFORM = SCHEMES["platform-caps"]
SHARE = dataclasses.replace(
    PLATFORM, code="share", overshoot_deduction=D("0.2"), overshoot_deduction_as="share"
)


def score(target: str, actual: str, weight: str = "10", scheme: Scheme = PLATFORM, **extra):
    inp = IndicatorInput("培训人次", target, actual, D(weight), **extra)
    fast, rules = score_indicator(inp, scheme), score_by_rules(inp, scheme)
    assert (fast.score, fast.explanation, fast.flags) == (rules.score, rules.explanation, rules.flags)
    return fast


def test_platform_caps_deducts_two_points_from_thirty_percent_over():
    over = score("≥100人次", "130人次")
    assert over.score == D("8.00")
    assert Flag.OVERSHOOT_DEDUCTED in over.flags and Flag.OVERSHOOT in over.flags
    assert "超出目标 30% 以上，按指标偏离扣 2 分：10.00 − 2 = 8.00" in over.explanation
    just_under = score("≥100人次", "129.99人次")
    assert just_under.score == D("10.00") and Flag.OVERSHOOT_DEDUCTED not in just_under.flags
    assert "指标偏离" not in just_under.explanation


def test_the_deduction_never_goes_below_zero():
    result = score("≥100人次", "300人次", weight="1.5")
    assert result.score == D("0.00")
    assert "按指标偏离扣 2 分：按 0 计，得 0.00" in result.explanation


def test_a_share_of_the_weight():
    result = score("≥90%", "120%", weight="5", scheme=SHARE)  # 120 ÷ 90 = 1.33
    assert result.score == D("4.00")
    assert "按指标偏离扣 分值的 20%（1 分）：5.00 − 1 = 4.00" in result.explanation
    assert score("≥90%", "120%", weight="12.5", scheme=SHARE).score == D("10.00")


def test_the_deduction_follows_the_cap_and_the_rounding():
    uncapped = dataclasses.replace(PLATFORM, code="uncapped", cap_at_weight=False)
    assert score("≥100", "150", scheme=uncapped).score == D("13.00")  # 15.00 − 2
    assert score("≥100", "150", weight="3.333", scheme=SHARE).score == D("2.66")  # 3.33 − 0.6666 = 2.6634


@pytest.mark.parametrize(
    ("target", "actual", "extra"),
    [
        ("≤10 分钟", "5 分钟", {}),  # negative: doing better is no overshoot to deduct
        ("=100", "140", {}),  # an "=" target scored like "≥" by the scheme is still no positive indicator
        ("100 左右", "140", {}),  # ≈: scored by the tolerance
        ("≥100", "140", {"direction_override": Direction.NEGATIVE}),  # the unit's ≤ wins
        ("有效缓解", "有效缓解", {"band": "完成"}),  # qualitative
        ("0", "50", {"nature": "≥"}),  # a zero target has no ratio
    ],
)
def test_only_positive_quantitative_indicators_are_deducted(target, actual, extra):
    result = score(target, actual, **extra)
    assert Flag.OVERSHOOT_DEDUCTED not in result.flags
    assert "指标偏离" not in result.explanation


@pytest.mark.parametrize("code", ["shandong-2019", "national-2020"])
def test_off_in_the_other_built_in_schemes(code):
    assert SCHEMES[code].overshoot_deduction == 0
    result = score("≥100", "300", scheme=SCHEMES[code])
    assert result.score == D("10.00") and Flag.OVERSHOOT_DEDUCTED not in result.flags


def test_a_deducted_row_needs_its_note_and_compares_with_the_deducted_score():
    bare = score("≥100", "140", reported_score=D(10))
    assert Flag.DEVIATION_NOTE_REQUIRED in bare.flags
    assert Flag.REPORTED_SCORE_DIFFERS in bare.flags and "自报得分 10，与计算 8.00 不符" in bare.explanation
    noted = score("≥100", "140", reported_score=D(8), deviation_note="目标按上年实际设定，偏低")
    assert not {Flag.DEVIATION_NOTE_REQUIRED, Flag.REPORTED_SCORE_DIFFERS} & noted.flags


def test_the_total_carries_the_deduction():
    rows = [
        IndicatorInput("培训人次", "≥100人次", "140人次", D(50), level1="output"),
        IndicatorInput("群众受益率", "≥90%", "95%", D(30), level1="benefit"),
        IndicatorInput("满意度", "≥90%", "96%", D(10), level1="satisfaction"),
    ]
    inp = EvaluationInput(budget_annual=D(100), budget_executed=D(100), indicators=rows)
    assert score_evaluation(inp, SCHEMES["shandong-2019"]).total == D("100.00")
    assert score_evaluation(inp, PLATFORM).total == D("98.00")


def test_round_trip_and_old_params_without_the_option():
    assert Scheme.from_dict(PLATFORM.to_dict()) == PLATFORM
    assert Scheme.from_dict(SHARE.to_dict()) == SHARE
    old = {k: v for k, v in PLATFORM.to_dict().items() if not k.startswith("overshoot_deduction")}
    assert Scheme.from_dict(old).overshoot_deduction == 0  # stored before the option: off


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"overshoot_deduction": "-1"}, "不能为负数"),
        ({"overshoot_deduction": "两分"}, "须为数值"),
        ({"overshoot_deduction": 2.0}, "不能是浮点数"),
        ({"overshoot_deduction": "2", "overshoot_threshold": None}, "须同时设置超额阈值"),
        ({"overshoot_deduction": "2", "overshoot_threshold": "0"}, "大于 0 的超额阈值"),
        ({"overshoot_deduction": "1.5", "overshoot_deduction_as": "share"}, "须在 0 到 1 之间"),
        ({"overshoot_deduction": "101"}, "超过总分"),
        ({"overshoot_deduction_as": "percent"}, "overshoot_deduction_as 的取值“percent”无效"),
    ],
)
def test_bad_values_are_refused_in_chinese(changes, fragment):
    data = PLATFORM.to_dict() | changes
    with pytest.raises(SchemeError, match=fragment):
        Scheme.from_dict(data)


def test_explained_for_the_admin():
    from perfgoals.engine.schemes import OPTION_HELP

    assert "指标偏离" in OPTION_HELP["overshoot_deduction"]
    assert "share" in OPTION_HELP["overshoot_deduction_as"]
    assert "按指标偏离扣 2 分" in PLATFORM.description
