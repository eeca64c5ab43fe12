"""Layouts are data chosen by region and year; a new region's template is one entry, checked when it is
defined; money prints with the region's precision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.goaltables import layouts
from perfgoals.goaltables.content import money_text
from perfgoals.goaltables.layouts import F, L, Layout, LayoutNotFound, choose, row, variants_for


@pytest.mark.parametrize(
    ("region", "year", "variant", "key"),
    [
        ("烟台市", 2021, "", "yantai-2021"),
        ("烟台市", 2024, "", "yantai-2021"),  # a template stays until the region publishes another
        ("烟台市", 2019, "", "default"),  # before it: the default
        ("青海省", 2021, "", "qinghai-2021"),
        ("招远市", 2023, "", "zhaoyuan-2023"),
        ("招远市", 2023, "专项资金", "zhaoyuan-2023-special"),
        ("威海市环翠区", 2020, "", "huancui-2020"),
        ("某新地区", 2025, "", "default"),
    ],
)
def test_choose_by_region_and_year(region, year, variant, key):
    assert choose(region, year, variant).key == key


def test_a_variant_the_region_does_not_have():
    with pytest.raises(LayoutNotFound, match="专项资金"):
        choose("烟台市", 2021, "专项资金")
    with pytest.raises(LayoutNotFound):
        choose("招远市", 2022, "专项资金")
    assert variants_for("招远市", 2023) == ["专项资金"]
    assert variants_for("烟台市", 2021) == []


def test_a_layout_that_does_not_fit_is_refused_when_defined():
    with pytest.raises(ValueError, match="列数"):
        Layout(
            key="bad",
            description="",
            region="x",
            first_year=2020,
            title="",
            widths=(10.0, 10.0),
            head=(row(L("项目名称"), F("name", 2)),),
            columns=("level3", "target"),
            headings=("三级指标", "指标值"),
        )
    with pytest.raises(ValueError, match="未知的指标列"):
        Layout(
            key="bad",
            description="",
            region="x",
            first_year=2020,
            title="",
            widths=(10.0,),
            head=(),
            columns=("weight",),
            headings=("分值",),
        )


def test_money_as_each_region_prints_it():
    assert money_text(Decimal("3792.0000"), layouts.QINGHAI_2021) == "3,792.00"
    assert money_text(Decimal("40"), layouts.QINGHAI_2021) == "40.00"
    assert money_text(Decimal("250.4"), layouts.QINGHAI_2021) == "250.40"
    assert money_text(Decimal("6640.0000"), layouts.YANTAI_2021) == "6640"
    assert money_text(Decimal("1529.5000"), layouts.YANTAI_2021) == "1529.5"
    assert money_text(None, layouts.YANTAI_2021) == ""
    assert layouts.QINGHAI_2021.money_format == "#,##0.00"
    assert layouts.HUANCUI_2020.money_format == "General"
