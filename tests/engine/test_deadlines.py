"""#12: deadlines: a period ("2021.1.1-12.31") is the deadline of its end; "按期完成" reports a deadline met.

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
    parse,
    score_indicator,
)
from perfgoals.engine.rules import score_by_rules

D = Decimal
SD = SCHEMES["shandong-2019"]
SCORERS = [score_indicator, score_by_rules]


def score(name, target, actual, weight="10", scheme=SD, scorer=score_indicator, **kw):
    return scorer(IndicatorInput(name, target, actual, D(weight), **kw), scheme)


# --- deadlines ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scorer", SCORERS)
@pytest.mark.parametrize("target", ["12月底前", "2021.1.1-12.31", "2021年1月-12月", "十二月底前"])
@pytest.mark.parametrize("actual", ["按期完成", "按时完成", "已按期完成", "如期完成"])
def test_deadline_against_done_on_time(scorer, target, actual) -> None:
    result = score("项目完成时间", target, actual, scorer=scorer)
    assert result.score == D("10.00") and result.achieved, result.explanation
    assert Flag.BAND_REQUIRED not in result.flags
    assert "按期" in result.explanation


@pytest.mark.parametrize("scorer", SCORERS)
def test_deadline_against_not_on_time_needs_a_band(scorer) -> None:
    result = score("项目完成时间", "12月底前", "未按期完成", scorer=scorer)
    assert result.score is None and Flag.BAND_REQUIRED in result.flags


@pytest.mark.parametrize("text", ["1月-12月", "1-12月", "3月1日至11月30日"])
def test_month_period_without_year_is_a_deadline(text) -> None:
    value = parse(text)
    assert value.kind is Kind.DEADLINE and value.deadline.month in (11, 12) and value.deadline.year is None


def test_working_days_are_a_unit_of_their_own() -> None:
    assert parse("≤5个工作日").unit == "工作日"
    days = parse("3~5个工作日")
    assert (days.low, days.high, days.unit) == (D(3), D(5), "工作日")


def test_date_range_is_the_deadline_of_its_end() -> None:
    value = parse("2021.1.1-12.31")
    assert value.kind is Kind.DEADLINE
    assert value.deadline.resolve(2021).isoformat() == "2021-12-31"
