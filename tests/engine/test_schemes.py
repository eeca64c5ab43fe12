"""Scoring schemes as data: the shipped ones, the JSON round trip, validation in Chinese."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from perfgoals.engine import DEFAULT_SCHEME_CODE, SCHEMES, Scheme, SchemeError

D = Decimal
SD = SCHEMES["shandong-2019"]
NA = SCHEMES["national-2020"]


def test_shipped_schemes() -> None:
    assert DEFAULT_SCHEME_CODE == "shandong-2019" and DEFAULT_SCHEME_CODE in SCHEMES
    assert set(SCHEMES) >= {"shandong-2019", "national-2020"}
    assert SD.execution_weight == D(10) and SD.total == D(100)
    assert dict(SD.level1_weights) == {"output": D(50), "benefit": D(30), "satisfaction": D(10)}
    assert (SD.positive_formula, SD.negative_formula) == ("ratio", "inverse_ratio")
    assert SD.cap_at_weight and SD.level1_cap and SD.overshoot_threshold is None and not SD.full_when_met
    assert NA.full_when_met and NA.negative_formula == "linear_excess"
    assert NA.overshoot_threshold == D("0.30")


def test_printed_three_bands() -> None:
    done, partial, failed = SD.bands["three"]
    assert (done.short, done.low_pct, done.high_pct, done.high_inclusive) == ("完成", 80, 100, True)
    assert (partial.short, partial.low_pct, partial.high_pct, partial.high_inclusive) == (
        "部分完成",
        60,
        80,
        False,
    )
    assert (failed.short, failed.low_pct, failed.high_pct) == ("未完成", 0, 60)
    assert done.name == "完成预期指标" and partial.name == "部分完成预期指标并具有一定效果"
    assert done.contains(D(8), D(10)) and not partial.contains(D(8), D(10)) and partial.contains(D(6), D(10))
    assert [b.short for b in SD.bands["five"]] == ["优", "良", "中", "低", "差"]
    assert [b.short for b in SD.bands["hml"]] == ["高", "中", "低"]
    assert SD.find_band("中", "hml")[0] == "hml" and SD.find_band("中", "five")[0] == "five"
    assert SD.find_band("部分 完成")[1] is partial


def test_grades() -> None:
    assert [SD.grade_for(D(x)) for x in (100, 90, "89.99", 80, 60, "59.99", 0)] == [
        "优",
        "优",
        "良",
        "良",
        "中",
        "差",
        "差",
    ]


@pytest.mark.parametrize("code", list(SCHEMES))
def test_round_trip(code: str) -> None:
    scheme = SCHEMES[code]
    data = scheme.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data  # JSON-able
    assert Scheme.from_dict(data) == scheme
    assert hash(Scheme.from_dict(data)) == hash(scheme)


def test_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SD.total = D(50)  # type: ignore[misc]
    with pytest.raises(TypeError):
        SD.level1_weights["output"] = D(1)  # type: ignore[index]
    with pytest.raises(TypeError):
        SCHEMES["x"] = SD  # type: ignore[index]


def test_missing_fields_take_defaults() -> None:
    scheme = Scheme.from_dict({"code": "mine", "name": "我的方案"})
    assert scheme.bands == SD.bands and scheme.negative_formula == "inverse_ratio"


def test_admin_variant_20_point_execution() -> None:
    data = SD.to_dict() | {
        "code": "variant",
        "execution_weight": "20",
        "level1_weights": {"output": "40", "benefit": "30", "satisfaction": "10"},
        "execution_rounding": "integer",
    }
    data["bands"] = dict(data["bands"])
    data["bands"]["three"] = [
        {"name": "完成", "short": "完成", "low_pct": "80", "high_pct": "100", "high_inclusive": True},
        {"name": "部分完成", "short": "部分完成", "low_pct": "50", "high_pct": "80"},
        {"name": "未完成", "short": "未完成", "low_pct": "0", "high_pct": "50"},
    ]
    scheme = Scheme.from_dict(data)
    assert scheme.execution_weight == D(20) and scheme.bands["three"][1].low_pct == D(50)


def _broken(**changes: object) -> dict:
    data = SD.to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "字典"),
        ({"name": "x"}, "code"),
        (_broken(colour="red"), "未知字段"),
        (_broken(execution_weight="ten"), "execution_weight"),
        (_broken(execution_weight=10.0), "浮点数"),
        (_broken(negative_formula="square"), "negative_formula"),
        (_broken(execution_rounding="3dp"), "execution_rounding"),
        (_broken(level1_cap="yes"), "level1_cap"),
        (_broken(level1_weights={"output": "60", "benefit": "30", "satisfaction": "10"}), "应等于总分"),
        (_broken(level1_weights={"outputs": "50", "benefit": "30", "satisfaction": "10"}), "一级指标代码"),
        (_broken(grade_thresholds=[["优", "90"], ["良", "95"], ["差", "0"]]), "从高到低"),
        (_broken(grade_thresholds=[["优", "90"], ["良", "80"]]), "最低分须为 0"),
        (
            _broken(
                bands={
                    "three": [{"name": "完成", "low_pct": "80", "high_pct": "100", "high_inclusive": True}]
                }
            ),
            "0%",
        ),
        (
            _broken(
                bands={
                    "three": [
                        {"name": "完成", "low_pct": "80", "high_pct": "100", "high_inclusive": True},
                        {"name": "未完成", "low_pct": "0", "high_pct": "70"},
                    ]
                }
            ),
            "空隙或重叠",
        ),
        (_broken(default_scale="seven"), "default_scale"),
        (_broken(overshoot_threshold="-1"), "overshoot_threshold"),
        (_broken(score_places=9), "score_places"),
    ],
)
def test_from_dict_rejects_bad_data(data: object, fragment: str) -> None:
    with pytest.raises(SchemeError) as info:
        Scheme.from_dict(data)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
