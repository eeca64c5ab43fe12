"""#12: Chinese numerals read as numbers ("四次", "十二月底前", "百分之百"), never inside words.

Each case is a realistic row from a 绩效目标表 / 自评表 that was read wrongly or not at all before.
Every row is scored through the fast path and the rules alike (they must agree).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import (
    SCHEMES,
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


# --- Chinese numerals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("四次", D(4), "次"),
        ("不少于十二次", D(12), "次"),
        ("两批", D(2), "批"),
        ("百分之百", D(100), "%"),
        ("百分之九十五", D(95), "%"),
        ("二十五个", D(25), "个"),
    ],
)
def test_chinese_numerals(text, number, unit) -> None:
    value = parse(text)
    assert value.kind is Kind.QUANTITATIVE, value.recognised
    assert value.number == number and value.unit == unit
    assert any("中文数字" in note for note in value.recognised)


def test_chinese_month_is_a_deadline() -> None:
    value = parse("十二月底前")
    assert value.kind is Kind.DEADLINE and value.deadline.month == 12


@pytest.mark.parametrize(
    "text",
    [
        "一站式服务",
        "三公经费",
        "第一批完成",
        "一体化平台",
        "十三五规划",
        "三年行动计划",
        "实现一个窗口受理",
        "一次性补助",
    ],
)
def test_numerals_inside_words_stay_words(text) -> None:
    assert parse(text).kind is Kind.QUALITATIVE


@pytest.mark.parametrize("scorer", SCORERS)
def test_numeral_actual_against_digit_target(scorer) -> None:
    result = score("开展培训次数", "≥4次", "四次", scorer=scorer)
    assert result.score == D("10.00") and result.achieved
