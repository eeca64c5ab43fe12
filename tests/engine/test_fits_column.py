"""``fits_column``: whether a number can be stored in a decimal column of so many digits and places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfgoals.engine.units import fits_column


def _fits(number: Decimal, digits: int, places: int) -> bool:
    """The definition: finite, and rounded half-up to ``places`` at most ``digits`` digits before the
    point (worked at a precision that holds every drawn number)."""
    if not number.is_finite():
        return False
    with localcontext() as context:
        context.prec = 400
        rounded = abs(number).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return rounded < Decimal(10) ** digits


numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**17), max_value=10**17, places=6),
    # right at a limit: 9…9.99…5 and its neighbours
    st.builds(
        lambda digits, places, delta: Decimal(10) ** digits - Decimal(1).scaleb(-places) / 2 + delta,
        st.integers(0, 16),
        st.integers(0, 8),
        st.sampled_from([Decimal(0), Decimal("1e-12"), Decimal("-1e-12")]),
    ),
)


@given(numbers, st.integers(min_value=0, max_value=16), st.integers(min_value=0, max_value=8))
def test_fits_column_is_its_definition(number, digits, places):
    assert fits_column(number, digits, places) is _fits(number, digits, places)


@pytest.mark.parametrize(
    ("number", "digits", "places", "fits"),
    [
        ("98.999", 2, 2, True),
        ("99.994", 2, 2, True),
        ("99.995", 2, 2, False),
        ("-99.995", 2, 2, False),
        ("100", 2, 0, False),
        ("0", 0, 2, True),
        ("0.5", 0, 0, False),
        ("0.49", 0, 0, True),
        ("NaN", 4, 2, False),
    ],
)
def test_fits_column_at_the_limit(number, digits, places, fits):
    assert fits_column(Decimal(number), digits, places) is fits
