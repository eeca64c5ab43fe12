"""The level-1 / level-2 vocabulary of both generations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import GENERATIONS, LEVEL1, LEVEL2, level1_of, normalise_level1, normalise_level2
from perfgoals.engine.vocabulary import generation_for_year, level1_name, level2_name, parse_level1_header


def test_codes_and_names() -> None:
    assert dict(LEVEL1) == {
        "output": "产出指标",
        "cost": "成本指标",
        "benefit": "效益指标",
        "satisfaction": "满意度指标",
    }
    assert LEVEL2["output_cost"] == "成本指标" and LEVEL2["ecological_cost"] == "生态环境成本指标"
    assert len(LEVEL2) == 12
    assert level1_of("sustainability") == "benefit" and level1_of("economic_cost") == "cost"
    assert level1_of("nothing") is None
    assert level1_name("output") == "产出指标" and level2_name("quantity") == "数量指标"


def test_generations() -> None:
    assert GENERATIONS["2019"] == (
        "quantity",
        "quality",
        "timeliness",
        "output_cost",
        "economic_benefit",
        "social_benefit",
        "ecological_benefit",
        "sustainability",
        "service_satisfaction",
    )
    assert set(GENERATIONS["2021"]) == {
        "economic_cost",
        "social_cost",
        "ecological_cost",
        "quantity",
        "quality",
        "timeliness",
        "economic_benefit",
        "social_benefit",
        "ecological_benefit",
        "sustainability",
        "service_satisfaction",
    }
    assert "output_cost" not in GENERATIONS["2021"]
    assert generation_for_year(2019) == "2019" and generation_for_year(2023) == "2021"


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("产出", "output"),
        ("产出指标", "output"),
        ("产\n出\n指\n标\n（50 分）", "output"),
        ("效益", "benefit"),
        ("效益指标", "benefit"),
        ("满意度", "satisfaction"),
        ("满意度\n指标", "satisfaction"),
        ("成本", "cost"),
        ("成本指标", "cost"),
        ("output", "output"),
        ("数量指标", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_level1(printed: str | None, code: str | None) -> None:
    assert normalise_level1(printed) == code


@pytest.mark.parametrize(
    ("printed", "level1", "code"),
    [
        ("数量指标", None, "quantity"),
        ("数量", "output", "quantity"),
        ("质量指标", "output", "quality"),
        ("时效指标", None, "timeliness"),
        ("成本指标", "output", "output_cost"),
        ("成本指标", None, "output_cost"),
        ("成本指标", "cost", "economic_cost"),
        ("社会效益", None, "social_benefit"),
        ("社会效益\n指标", "benefit", "social_benefit"),
        ("经济效益", None, "economic_benefit"),
        ("生态效益", None, "ecological_benefit"),
        ("可持续影响", None, "sustainability"),
        ("可持续影响指\n标", None, "sustainability"),
        ("服务对象满意度指标", None, "service_satisfaction"),
        ("服务对象满\n意度指标", "satisfaction", "service_satisfaction"),
        ("社会公众或服务对象满意度指标", None, "service_satisfaction"),
        ("服务对象满意度", None, "service_satisfaction"),
        ("满意度指标", "satisfaction", "service_satisfaction"),
        ("经济成本指标", "cost", "economic_cost"),
        ("经济成本", None, "economic_cost"),
        ("社会成本指标", None, "social_cost"),
        ("生态环境成本指标", None, "ecological_cost"),
        ("数量指标", "benefit", None),
        ("其他", None, None),
        (None, None, None),
    ],
)
def test_normalise_level2(printed: str | None, level1: str | None, code: str | None) -> None:
    assert normalise_level2(printed, level1) == code


def test_parse_level1_header() -> None:
    assert parse_level1_header("产\n出\n指\n标\n（50 分）") == ("output", Decimal(50))
    assert parse_level1_header("满意度\n指标\n（10\n分）") == ("satisfaction", Decimal(10))
    assert parse_level1_header("效益指标") == ("benefit", None)
    assert parse_level1_header(None) == (None, None)
