"""The library's "most common value" (`_mode`, `_column_modes`) against its plain definition, and an
entry's texts (`_entry_values`) read the same for one indicator as for several that agree."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from perfgoals.intake import library

values = st.one_of(st.none(), st.just(""), st.sampled_from(["件", "人", "%", "万元", "ge", "le"]))


def _reference_mode(items):
    """The most common value, the first seen among equals, blanks (None, "") aside; "" for none."""
    given = [v for v in items if v not in (None, "")]
    if not given:
        return ""
    counts = Counter(given)
    best = max(counts.values())
    return next(v for v in given if counts[v] == best)


@given(st.lists(values, min_size=1, max_size=8))
def test_mode_is_the_first_most_common_value_blanks_aside(items):
    assert library._mode(items) == _reference_mode(items)
    assert library._mode(tuple(items)) == _reference_mode(items)


@given(st.lists(st.tuples(values, values, values), min_size=1, max_size=6))
def test_column_modes_are_each_columns_mode(rows):
    assert library._column_modes(rows) == [_reference_mode(column) for column in zip(*rows, strict=True)]


def test_a_tie_of_two_keeps_the_first_seen():
    assert library._mode(["人", "件"]) == "人"
    assert library._mode([None, "件", "", "人"]) == "件"
    assert library._mode(["人", "件", "件"]) == "件"


def _row(**changes):
    """A row as the library reads it (a tuple of ``_ROW_COLUMNS``), from named values."""
    row = {
        "project__region_id": 1,
        "name": "1、参保人员的满意度",
        "level1": "satisfaction",
        "level2": "service_satisfaction",
        "direction": "ge",
        "target_kind": "quantitative",
        "target_text": "≧90",
        "nature_printed": "",
        "unit_printed": "%",
        "explanation": None,
        "scoring_standard": "",
        "data_source": "问卷",
        "basis": "",
    }
    row |= changes
    assert tuple(row) == library._ROW_COLUMNS
    return tuple(row.values())


def test_entry_values_of_one_indicator_and_of_several_that_agree():
    one = library._entry_values([_row()])
    assert one == {
        "name": "参保人员的满意度",
        "level1": "satisfaction",
        "level2": "service_satisfaction",
        "direction": "ge",
        "qualitative": False,
        "unit": "%",
        "typical_target": "≥90%",
        "explanation": "",
        "scoring_standard": "",
        "data_source": "问卷",
        "basis": "",
        "usage_count": 1,
    }
    three = library._entry_values([_row(), _row(data_source=""), _row(direction=None)])
    assert three == one | {"usage_count": 3}


def test_entry_values_take_the_levels_most_used_then_their_indicators_texts():
    rows = [
        _row(level1="output", level2="quantity", unit_printed="人", target_text="100"),
        _row(unit_printed="%"),
        _row(data_source="系统"),
        _row(target_kind="qualitative", target_text="满意", unit_printed=""),
    ]
    values = library._entry_values(rows)
    # three of four at 满意度 / 服务对象满意度: their texts; the 产出 row counts only in usage
    assert (values["level1"], values["level2"], values["unit"], values["usage_count"]) == (
        "satisfaction",
        "service_satisfaction",
        "%",
        4,
    )
    assert values["typical_target"] == "≥90%" and values["data_source"] == "问卷"
    assert not values["qualitative"] and values["direction"] == "ge"
