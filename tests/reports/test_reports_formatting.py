"""Figures print as officials print them: 万元 without float artefacts, rates in %, scores."""

from decimal import Decimal

import pytest

from perfgoals.reports import formatting as fmt


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("5515.0000", "5515"),
        ("1807.5000", "1807.5"),
        ("0.0000", "0"),
        ("0.1000", "0.1"),
        ("1234567.8900", "1234567.89"),
    ],
)
def test_money_prints_without_trailing_zeros_or_exponent(value, printed):
    assert fmt.money(Decimal(value)) == printed


@pytest.mark.parametrize(
    ("value", "printed"), [("100.00", "100"), ("4.50", "4.50"), ("77.5", "77.50"), ("3.2", "3.20")]
)
def test_scores_are_integers_where_exact_else_two_places(value, printed):
    assert fmt.score(Decimal(value)) == printed


@pytest.mark.parametrize(
    ("rate", "printed"),
    [("1", "100%"), ("1.000000", "100%"), ("0.995712", "99.57%"), ("0.5", "50%"), (None, "—")],
)
def test_rates_print_as_percent(rate, printed):
    assert fmt.percent(Decimal(rate) if rate else None) == printed


def test_floats_are_refused():
    with pytest.raises(TypeError):
        fmt.money(1807.5)


def test_spreadsheet_numbers_are_ints_where_exact():
    assert fmt.number_value(Decimal("5515.0000")) == 5515 and isinstance(
        fmt.number_value(Decimal("5515.0000")), int
    )
    assert str(fmt.number_value(Decimal("1807.5000"))) == "1807.5"


def test_execution_rate_needs_a_budget():
    assert fmt.execution_rate(Decimal(0), Decimal(5)) is None
    assert fmt.execution_rate(Decimal(350), Decimal(175)) == Decimal("0.5")
