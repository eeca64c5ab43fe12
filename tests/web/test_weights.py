"""perfgoals.weights: the one arithmetic of the weights (execution weight + the applicable rows against
the scheme's total, each declared level-1 header against its rows). Pure: no database."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from perfgoals.weights import (
    WeightProblem,
    WeightRow,
    declared_weights,
    header_weight,
    weight_problems,
    weight_sums,
)

SCHEME = SimpleNamespace(execution_weight=Decimal(10), total=Decimal(100))


def rows(*specs):
    return [WeightRow(None if w is None else Decimal(str(w)), level1, na) for w, level1, na in specs]


def test_weights_that_add_up_have_no_problem():
    indicators = rows((50, "output", False), (30, "effect", False), (10, "satisfaction", False))
    assert weight_problems(indicators, SCHEME, {"output": "50", "effect": 30}) == []


def test_not_applicable_rows_count_for_nothing_and_missing_weights_are_counted():
    sums = weight_sums(rows((50, "output", False), (40, "output", True), (None, "effect", False)), SCHEME)
    assert (sums.rows, sums.sum, sums.missing, sums.complete) == (Decimal(50), Decimal(60), 1, False)
    assert sums.problems() == [WeightProblem("", Decimal(60), Decimal(100))]
    assert sums.problems()[0].under and not sums.problems()[0].over


def test_the_total_comes_first_then_the_headers_in_their_order():
    problems = weight_problems(
        rows((60, "output", False), (40, "effect", False)), SCHEME, {"effect": "30", "output": 50, "cost": ""}
    )
    assert problems == [
        WeightProblem("", Decimal(110), Decimal(100)),
        WeightProblem("effect", Decimal(40), Decimal(30)),
        WeightProblem("output", Decimal(60), Decimal(50)),
    ]


def test_a_declared_level1_without_rows_is_worth_nothing():
    assert weight_problems([], SCHEME, {"output": 50}) == [
        WeightProblem("", Decimal(10), Decimal(100)),
        WeightProblem("output", Decimal(0), Decimal(50)),
    ]


def test_declared_weights_leave_out_the_blank_headers():
    assert declared_weights({"output": "50", "effect": None, "cost": "", "x": 2.5}) == {
        "output": Decimal(50),
        "x": Decimal("2.5"),
    }
    assert declared_weights(None) == {}


def test_the_header_weight_is_the_declared_one_else_what_the_rows_are_worth():
    assert header_weight("50", [Decimal(20)]) == Decimal(50)
    assert header_weight(None, [Decimal(20), None, Decimal("2.5")]) == Decimal("22.5")
    assert header_weight("", [None]) is None


weights = st.none() | st.decimals(min_value=0, max_value=100, places=2)
indicator_rows = st.lists(
    st.builds(WeightRow, weights, st.sampled_from(["output", "effect", "satisfaction"]), st.booleans()),
    max_size=12,
)


@given(indicator_rows, st.dictionaries(st.sampled_from(["output", "effect"]), st.integers(0, 60)))
def test_the_sums_are_the_hand_computed_ones(indicators, declared):
    sums = weight_sums(indicators, SCHEME, declared)
    applicable = [i for i in indicators if not i.not_applicable]
    by_hand = SCHEME.execution_weight + sum((i.weight or Decimal(0) for i in applicable), Decimal(0))
    assert sums.sum == by_hand
    assert sums.complete == all(i.weight is not None for i in applicable)
    problems = {p.level1: p for p in sums.problems()}
    assert ("" in problems) == (by_hand != SCHEME.total)
    for code, value in declared.items():
        rows_of = sum((i.weight or Decimal(0) for i in applicable if i.level1 == code), Decimal(0))
        assert (code in problems) == (rows_of != value)
