"""The library's name key (#16): spellings of one indicator meet ("参保人员满意度" / "参保人员的满意度",
full-width and half-width brackets, stray spaces and 顿号), conservatively — a key is its own key, and
names that differ in a digit or a unit never meet."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfgoals.intake.library import name_key, typical_target

#: characters names are made of: Chinese words, digits, units, the punctuation and spaces of the print
_WORDS = "参保人员满意度项目完成率群众补助标准发放及时性覆盖居民的率数量质量时效成本效益"
_UNITS = ["元", "万元", "%", "‰", "人", "人次", "万人", "个", "台", "套", "天", "小时", "km", "平方米"]
_NOISE = " 　()（）、,，;；:：“”《》【】[]·的.．-/"
_TEXT = st.text(alphabet=_WORDS + "0123456789０１２" + "".join(_UNITS) + _NOISE, max_size=30)
#: a name as written: it starts with a word (a leading "1、" is numbering and meant to go)
_NAME = st.builds(lambda first, rest: first + rest, st.sampled_from([c for c in _WORDS if c != "的"]), _TEXT)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("参保人员满意度", "参保人员的满意度"),
        ("参保人员满意度", " 参保人员 满意度 "),
        ("群众满意度（%）", "群众满意度(%)"),
        ("群众满意度", "2、群众满意度。"),
        ("资金、项目完成率", "资金项目完成率"),
        ("《条例》宣传覆盖率", "条例宣传覆盖率"),
        ("补助发放及时率", "补助发放及时率；"),
    ],
)
def test_spellings_of_one_indicator_meet(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("补助标准（元）", "补助标准（万元）"),
        ("群众满意度（%）", "群众满意度"),
        ("覆盖人数（人）", "覆盖人数（人次）"),
        ("第1批完成率", "第2批完成率"),
        ("1.5倍达标率", "15倍达标率"),
        ("项目1、2完成率", "项目12完成率"),
        ("项目1 2完成率", "项目12完成率"),
    ],
)
def test_names_that_differ_in_a_digit_or_unit_stay_apart(one, other):
    assert name_key(one) != name_key(other)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_a_key_is_its_own_key(name):
    key = name_key(name)
    assert name_key(key) == key


@settings(max_examples=400, deadline=None)
@given(_NAME, st.sampled_from("0123456789"), st.sampled_from("0123456789"), _TEXT)
def test_names_differing_in_a_digit_never_meet(before, one, other, after):
    if one != other:
        assert name_key(before + one + after) != name_key(before + other + after)


@settings(max_examples=400, deadline=None)
@given(_NAME, st.sampled_from(_UNITS), st.sampled_from(_UNITS), _TEXT)
def test_names_differing_in_a_unit_never_meet(before, one, other, after):
    if one != other:
        assert name_key(before + one + after) != name_key(before + other + after)


@settings(max_examples=300, deadline=None)
@given(_NAME)
def test_the_key_keeps_every_digit_and_unit_character(name):
    """Only spaces, 的 and punctuation go: the key is the name's other characters in order."""
    kept = [c for c in unicodedata.normalize("NFKC", name) if c.isdigit() or c in "".join(_UNITS)]
    key = name_key(name)
    assert [c for c in key if c.isdigit() or c in "".join(_UNITS)] == kept


@pytest.mark.parametrize(
    ("target", "nature", "unit", "shown"),
    [
        ("≧90%", "", "（%）", "≥90%"),
        ("≧90%", "", "", "≥90%"),
        ("90", "≥", "%", "≥90%"),
        ("5", "≥", "台", "≥5台"),
        ("400 万人以上", "", "", "≥400万人"),
        ("100%", "", "%", "100%"),
        ("及时", "定性", "", "及时"),
    ],
)
def test_a_typical_target_is_written_in_the_engines_notation(target, nature, unit, shown):
    assert typical_target(target, nature, unit) == shown
    assert typical_target(shown) == shown  # what the library suggests reads back the same


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("≧90%（%）", "≥90%"), ("90%(%)", "90%"), ("5（台）", "5台"), ("及时（优良）", "及时（优良）")],
)
def test_a_target_stored_with_its_unit_in_brackets_is_shown_in_the_engines_notation(stored, shown):
    """What the library stored before #16 (target + "（unit column）"), or an administrator wrote."""
    assert typical_target(stored) == shown
