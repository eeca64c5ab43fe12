"""Execution-rate caps on the total (#12, provincial rules as scheme options): the 一体化 platform's
practice — under 80 % execution the total is at most 89, under 70 % 79, under 60 % 69, under 50 % 59 —
as data in a scheme, validated, round-tripped, and shipped in the third built-in scheme."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfgoals.engine import SCHEMES, EvaluationInput, IndicatorInput, Scheme, SchemeError, score_evaluation

PLATFORM = SCHEMES["platform-caps"]


def full_marks(annual: str, executed: str) -> EvaluationInput:
    """Every indicator met (90 points) with the given budget."""
    rows = [
        IndicatorInput(
            name="培训人次", target_text="≥100人次", actual_text="120人次", weight=D(50), level1="output"
        ),
        IndicatorInput(
            name="群众受益率", target_text="≥90%", actual_text="95%", weight=D(30), level1="benefit"
        ),
        IndicatorInput(
            name="满意度", target_text="≥90%", actual_text="96%", weight=D(10), level1="satisfaction"
        ),
    ]
    return EvaluationInput(budget_annual=D(annual), budget_executed=D(executed), indicators=rows)


@pytest.mark.parametrize(
    ("executed", "total", "capped"),
    [
        ("100", "100.00", False),  # 100 %: no ceiling
        ("80", "98.00", False),  # exactly 80 %: not "under 80 %"
        ("79", "89.00", True),  # 90 + 7.9 = 97.90 → 89
        ("65", "79.00", True),  # 65 %: under 70 (not under 60) → 79
        ("40", "59.00", True),  # under 50 % → 59
    ],
)
def test_the_total_is_capped_by_the_execution_rate(executed, total, capped):
    result = score_evaluation(full_marks("100", executed), PLATFORM)
    assert result.total == D(total)
    assert any(w.code == "execution_capped" for w in result.warnings) is capped
    assert result.grade == PLATFORM.grade_for(result.total)


def test_other_schemes_have_no_ceiling():
    assert score_evaluation(full_marks("100", "40"), SCHEMES["shandong-2019"]).total == D("94.00")


def test_the_caps_round_trip_and_are_validated():
    assert Scheme.from_dict(PLATFORM.to_dict()) == PLATFORM
    data = PLATFORM.to_dict()
    for caps, fragment in [
        ([["1.5", "89"]], "不超过 1"),
        ([["0.8", "120"]], "0 到总分"),
        ([["0.8"]], "execution_caps"),
        ("0.8", "execution_caps"),
        ([["abc", "89"]], "execution_caps"),
    ]:
        with pytest.raises(SchemeError, match=fragment):
            Scheme.from_dict({**data, "execution_caps": caps})


@given(
    st.decimals(min_value=1, max_value=10_000, places=2),
    st.decimals(min_value=0, max_value=1, places=4),
    st.lists(
        st.tuples(st.decimals(min_value="0.01", max_value=1, places=2), st.integers(0, 100)), max_size=4
    ),
)
def test_no_total_exceeds_the_ceiling_its_rate_allows(annual, share, caps):
    scheme = dataclasses.replace(
        SCHEMES["shandong-2019"], code="caps-test", execution_caps=tuple((b, D(c)) for b, c in caps)
    )
    executed = (annual * share).quantize(D("0.01"))
    result = score_evaluation(full_marks(str(annual), str(executed)), scheme)
    ceiling = scheme.execution_cap(result.execution_rate)
    assert result.total is not None and D(0) <= result.total <= scheme.total
    if ceiling is not None:
        assert result.total <= ceiling


def test_every_option_is_explained_for_the_admin():
    from perfgoals.engine.schemes import OPTION_HELP

    assert set(OPTION_HELP) == {f.name for f in dataclasses.fields(Scheme)}
    assert all(text.strip() for text in OPTION_HELP.values())


def test_without_a_satisfaction_indicator_its_weight_goes_to_benefit():
    rows = [
        IndicatorInput(
            name="培训人次", target_text="≥100人次", actual_text="120人次", weight=D(50), level1="output"
        ),
        IndicatorInput(
            name="群众受益率", target_text="≥90%", actual_text="95%", weight=D(40), level1="benefit"
        ),
    ]
    inp = EvaluationInput(budget_annual=D(100), budget_executed=D(100), indicators=rows)
    nondefault = [
        w.message for w in score_evaluation(inp, PLATFORM).warnings if w.code == "level1_weight_nondefault"
    ]
    assert nondefault == []  # 效益 40 = 30 + 满意度 10
    shandong = score_evaluation(inp, SCHEMES["shandong-2019"]).warnings
    assert {w.message for w in shandong if w.code == "level1_weight_nondefault"} == {
        "效益指标分值 40，与本方案默认 30 分不同",
        "满意度指标分值 0，与本方案默认 10 分不同",
    }
    assert score_evaluation(inp, PLATFORM).total == score_evaluation(inp, SCHEMES["shandong-2019"]).total


def _cost_layout(output=D(40), cost=D(20), benefit=D(20), satisfaction=D(10)):
    """A 2021+ project-year (seed 003's layout): 成本指标 at level 1 beside 产出, 效益, 满意度."""
    rows = [
        IndicatorInput(
            name="培训人次", target_text="≥100人次", actual_text="120人次", weight=output, level1="output"
        ),
        IndicatorInput(
            name="人均成本", target_text="≤5元/年/人", actual_text="5元/年/人", weight=cost, level1="成本指标"
        ),
        IndicatorInput(
            name="群众受益率", target_text="≥90%", actual_text="95%", weight=benefit, level1="benefit"
        ),
        IndicatorInput(
            name="参保人员满意度",
            target_text="≥90%",
            actual_text="92%",
            weight=satisfaction,
            level1="satisfaction",
        ),
    ]
    return EvaluationInput(budget_annual=D(100), budget_executed=D(100), indicators=rows)


@pytest.mark.parametrize("code", sorted(SCHEMES))
def test_a_project_with_cost_at_level_1_is_checked_against_the_2021_weights(code):
    """#16: every 2023 project with 成本 at level 1 warned "产出指标分值 40，与本方案默认 50 分不同"."""
    scheme = SCHEMES[code]
    result = score_evaluation(_cost_layout(), scheme)
    assert [w.message for w in result.warnings if w.code == "level1_weight_nondefault"] == []
    assert result.total == D(100)
    assert scheme.default_level1_weights({"output", "cost", "benefit", "satisfaction"}) == {
        "output": D(40),
        "cost": D(20),
        "benefit": D(20),
        "satisfaction": D(10),
    }
    # a 2019 layout (成本 under 产出) keeps 产出 50 / 效益 30 / 满意度 10
    assert scheme.default_level1_weights({"output", "benefit", "satisfaction"})["output"] == D(50)
    # other weights under the 2021 layout are still pointed out, against the 2021 numbers
    other = score_evaluation(_cost_layout(output=D(50), cost=D(10)), scheme)
    assert {w.message for w in other.warnings if w.code == "level1_weight_nondefault"} == {
        "产出指标分值 50，与本方案默认 40 分不同",
        "成本指标分值 10，与本方案默认 20 分不同",
    }


def test_a_scheme_may_set_its_own_weights_for_the_cost_layout_and_they_must_add_up():
    own = dataclasses.replace(
        SCHEMES["shandong-2019"],
        code="own",
        level1_weights_with_cost={"output": D(50), "cost": D(10), "benefit": D(20), "satisfaction": D(10)},
    )
    result = score_evaluation(_cost_layout(output=D(50), cost=D(10)), own)
    assert [w for w in result.warnings if w.code == "level1_weight_nondefault"] == []
    assert Scheme.from_dict(own.to_dict()) == own
    with pytest.raises(SchemeError, match="设成本指标时"):
        dataclasses.replace(own, level1_weights_with_cost={"output": D(50), "cost": D(20)})
    # a scheme with other weights and none for 成本 keeps its own (nothing is guessed)
    twenty = dataclasses.replace(
        SCHEMES["shandong-2019"],
        code="twenty",
        execution_weight=D(20),
        level1_weights={"output": D(40), "benefit": D(30), "satisfaction": D(10)},
    )
    assert twenty.default_level1_weights({"cost", "output"})["output"] == D(40)
    assert "cost" not in twenty.default_level1_weights({"cost", "output"})
