"""Scoring rules: the domain doc's worked examples, both shipped schemes, every flag."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from perfgoals.engine import (
    SCHEMES,
    Direction,
    EvaluationInput,
    Flag,
    IndicatorInput,
    IndicatorResult,
    Kind,
    Scheme,
    score_evaluation,
    score_indicator,
)

D = Decimal
SD = SCHEMES["shandong-2019"]
NA = SCHEMES["national-2020"]


def score(
    target: str | None,
    actual: str | None,
    weight: str | None,
    scheme: Scheme = SD,
    name: str = "指标",
    **kw: Any,
) -> IndicatorResult:
    """Score one indicator with the given texts and weight (other IndicatorInput fields as keywords)."""
    inp = IndicatorInput(name, target, actual, D(weight) if weight is not None else None, **kw)
    return score_indicator(inp, scheme)


# --- the domain doc's worked examples -------------------------------------------------------------


def test_worked_example_92_93() -> None:
    result = score("92%", "93%", "2")
    assert result.score == D("2.00")
    assert "93 ÷ 92 × 2 = 2.02" in result.explanation and "封顶 2.00" in result.explanation
    assert Flag.CAPPED in result.flags


def test_worked_example_400_wan() -> None:
    result = score("400 万人以上", "400.3 万人", "5")
    assert result.score == D(5) and result.achieved


def test_worked_example_90_81() -> None:
    result = score("≥ 90%", "81%", "5")
    assert result.score == D("4.50")
    assert "81 ÷ 90 × 5 = 4.50" in result.explanation
    assert Flag.DEVIATION_NOTE_REQUIRED in result.flags and result.achieved is False


def test_worked_example_60_minutes() -> None:
    result = score("≤ 60 分钟", "75 分钟", "4")
    assert result.score == D("3.20")
    assert "实际 75 分钟，目标 ≤60 分钟：60 ÷ 75 × 4 = 3.20" in result.explanation


def test_worked_example_qualitative_band() -> None:
    result = score("有效缓解", "有效缓解", "15", band="部分完成", band_score=D("10.5"))
    assert result.score == D("10.50")
    assert result.explanation == "定性：部分完成（60%–80%），评分 10.50"
    assert result.band == "部分完成" and Flag.BAND_SCORE_OUT_OF_RANGE not in result.flags


# --- the national scheme --------------------------------------------------------------------------


def test_national_negative_linear_excess() -> None:
    assert score("≤10", "15", "10", NA).score == D("5.00")
    assert score("≤10", "20", "10", NA).score == D("0.00")
    assert score("≤10", "25", "10", NA).score == D("0.00")
    assert score("≤10", "10", "10", NA).score == D("10.00")
    assert score("≤10", "12", "10", NA).score == D("8.00")
    assert "(1 − (15 − 10) ÷ 10) × 10 = 5.00" in score("≤10", "15", "10", NA).explanation


def test_national_zero_targets() -> None:
    assert score("＝0", "0", "10", NA).score == D(10)
    assert score("＝0", "1", "10", NA).score == D(0)
    assert score("≤0", "0", "10", NA).score == D(10)
    assert score("≤0", "2", "10", NA).score == D(0)
    assert Flag.TARGET_ZERO in score("＝0", "1", "10", NA).flags


def test_national_full_when_met_else_ratio() -> None:
    result = score("92%", "93%", "2", NA)
    assert result.score == D(2) and Flag.CAPPED not in result.flags and "已达成" in result.explanation
    assert score("≥ 90%", "81%", "5", NA).score == D("4.50")
    # "=" is scored like positive
    assert score("=100%", "95%", "10", NA).score == D("9.50")


def test_national_overshoot() -> None:
    assert Flag.OVERSHOOT in score("≥100", "130", "5", NA).flags
    assert Flag.OVERSHOOT not in score("≥100", "129", "5", NA).flags
    # negative: the ratio is A/B
    assert Flag.OVERSHOOT in score("≤10", "5", "5", NA).flags
    # the Shandong scheme has no overshoot rule
    assert Flag.OVERSHOOT not in score("≥100", "300", "5").flags


# --- Shandong formulas ----------------------------------------------------------------------------


def test_negative_inverse_ratio_edges() -> None:
    # 0 complaints against ≤ 1 is perfect
    assert score("≤ 1 次", "0 次", "5", name="被投诉次数").score == D(5)
    assert score("≤ 1 次", "2 次", "5", name="被投诉次数").score == D("2.50")
    # zero target
    assert score("0起", "0 起", "5", name="有责投诉数").score == D(5)
    assert score("0起", "1 起", "5", name="有责投诉数").score == D(0)
    result = score("0起", "1 起", "5", name="有责投诉数")
    assert result.direction is Direction.NEGATIVE and result.direction_source == "name"
    assert Flag.TARGET_ZERO in result.flags


def test_positive_zero_target() -> None:
    assert score("≥0", "3", "5").score == D(5)
    assert score("≥0", "0", "5").score == D(5)


def test_equal_and_approx_as_positive() -> None:
    assert score("=100%", "98%", "5").score == D("4.90")
    assert score("230万人左右", "220万人", "5").score == D("4.78")
    assert score("230万人左右", "240万人", "5").score == D(5)


def test_two_sided_variant() -> None:
    scheme = dataclasses.replace(SD, code="two-sided", approx_as="two_sided", equal_as="two_sided")
    result = score("230万人左右", "253万人", "5", scheme)
    assert result.score == D("4.55")  # 230/253 × 5 = 4.545…
    assert score("=100%", "100%", "5", scheme).score == D(5)


def test_magnitudes_compare_correctly() -> None:
    result = score("1200万以上", "1.3亿", "5")
    assert result.score == D(5)
    assert "13000 ÷ 1200 × 5" in result.explanation
    assert score("≥ 2 亿元", "15000 万元", "4").score == D("3.00")


def test_bare_actual_takes_target_magnitude() -> None:
    assert score("400 万人以上", "400.3", "5").score == D(5)
    assert score("50 万人", "45", "5").score == D("4.50")


def test_half_up_rounding() -> None:
    # 1 ÷ 8 × 1 = 0.125: half-up gives 0.13 (banker's rounding would give 0.12)
    assert score("≥8", "1", "1").score == D("0.13")


def test_strict_target_met_with_equality_is_not_achieved() -> None:
    result = score(">3 种", "3 种", "5")
    assert result.score == D(5) and result.achieved is False


# --- direction ------------------------------------------------------------------------------------


def test_direction_precedence() -> None:
    override = score("100", "50", "5", direction_override=Direction.NEGATIVE, name="满意度")
    assert override.direction_source == "user" and override.score == D(5)
    column = score_indicator(IndicatorInput("检查人员被投诉次数", "1", "2", D(4), nature="≤", unit="次"), SD)
    assert column.direction_source == "column" and column.score == D(2)
    operator = score("≥ 90%", "95%", "5", name="成本控制率")
    assert operator.direction_source == "operator" and operator.direction is Direction.POSITIVE
    by_name = score("70 万元", "80 万元", "4", name="财政补助成本")
    assert by_name.direction_source == "name" and by_name.direction is Direction.NEGATIVE
    assert Flag.DIRECTION_SUGGESTED in by_name.flags and "推测为反向" in by_name.explanation
    default = score("100", "90", "5", name="其他")
    assert default.direction_source == "default" and Flag.DIRECTION_SUGGESTED in default.flags


def test_user_override_removes_the_suggestion_flag() -> None:
    result = score("70 万元", "70 万元", "4", name="财政补助成本", direction_override=Direction.NEGATIVE)
    assert Flag.DIRECTION_SUGGESTED not in result.flags


# --- bands ----------------------------------------------------------------------------------------


def test_band_without_score_takes_the_top_of_the_band() -> None:
    assert score("显著", "显著", "10", band="完成").score == D(10)
    assert score("显著", "显著", "15", band="部分完成").score == D("11.99")
    assert score("显著", "显著", "10", band="未完成").score == D("5.99")
    assert score("显著", "显著", "10", band="完成预期指标").score == D(10)


def test_band_score_out_of_range_is_clamped() -> None:
    high = score("有效缓解", "缓解", "15", band="部分完成", band_score=D(13), deviation_note="原因")
    assert high.score == D("11.99") and Flag.BAND_SCORE_OUT_OF_RANGE in high.flags
    low = score("有效缓解", "缓解", "15", band="部分完成", band_score=D(5))
    assert low.score == D("9.00") and Flag.BAND_SCORE_OUT_OF_RANGE in low.flags
    edge = score("有效缓解", "缓解", "15", band="完成", band_score=D(12))
    assert edge.score == D(12) and Flag.BAND_SCORE_OUT_OF_RANGE not in edge.flags
    open_edge = score("有效缓解", "缓解", "15", band="部分完成", band_score=D(12))
    assert open_edge.score == D("11.99") and Flag.BAND_SCORE_OUT_OF_RANGE in open_edge.flags


def test_band_required_and_suggestion() -> None:
    result = score("有效缓解", "有效缓解", "15")
    assert result.score is None and Flag.BAND_REQUIRED in result.flags
    assert result.suggested_band == "完成" and "建议档次：完成" in result.explanation
    assert score("及时", "已按期完成", "5").suggested_band == "完成"
    assert score("及时", "未按期完成", "5").suggested_band is None
    assert score("有效缓解", "缓解不明显", "5").suggested_band is None
    unknown = score("有效缓解", "有效缓解", "15", band="很好")
    assert unknown.score is None and Flag.BAND_REQUIRED in unknown.flags


def test_five_and_hml_scales() -> None:
    five = score_indicator(
        IndicatorInput("宣传效果", "优良中低差", "良", D(10), nature="定性", band="良"), SD
    )
    assert five.score == D("8.99") and five.band_scale == "five"
    scored = score_indicator(
        IndicatorInput("宣传效果", "优良中低差", "良", D(10), nature="定性", band="良", band_score=D("8.5")),
        SD,
    )
    assert scored.score == D("8.50")
    hml = score_indicator(IndicatorInput("依据", "高中低", "高", D(10), nature="定性", band="高"), SD)
    assert hml.score == D(10) and hml.band_scale == "hml"
    assert (
        score_indicator(IndicatorInput("依据", "高中低", "高", D(10), nature="定性"), SD).suggested_band
        == "高"
    )


def test_quantitative_target_with_text_actual() -> None:
    result = score(">3 种方式", "微信、局官方网站、报纸等公开", "5", band="完成")
    assert result.score == D(5) and "实际值为文字描述，按定性评判" in result.explanation
    missing = score(">3 种方式", "微信、局官方网站、报纸等公开", "5")
    assert missing.score is None and Flag.BAND_REQUIRED in missing.flags


# --- deadlines ------------------------------------------------------------------------------------


def test_deadlines() -> None:
    met = score_indicator(IndicatorInput("完成期限", "11月底前", "2019年11月20日完成", D(4)), SD, year=2019)
    assert met.score == D(4) and met.achieved and "按期完成（期限 2019-11-30）" in met.explanation
    late = score_indicator(IndicatorInput("完成期限", "11月底前", "2019年12月5日", D(4)), SD, year=2019)
    assert late.score == D(0) and Flag.DEADLINE_LATE in late.flags
    band_scheme = dataclasses.replace(SD, code="late-band", deadline_late="band")
    late_band = score_indicator(
        IndicatorInput("完成期限", "11月底前", "2019年12月5日", D(4), band="部分完成", band_score=D(3)),
        band_scheme,
        year=2019,
    )
    assert late_band.score == D(3) and Flag.DEADLINE_LATE in late_band.flags
    no_band = score_indicator(
        IndicatorInput("完成期限", "11月底前", "2019年12月5日", D(4)), band_scheme, year=2019
    )
    assert no_band.score is None and Flag.BAND_REQUIRED in no_band.flags
    before = score_indicator(IndicatorInput("完成期限", "9月前", "2020年9月1日", D(4)), SD, year=2020)
    assert before.score == D(0)
    # #12: "按期完成" reports the deadline met in words (before, it needed a band)
    text_actual = score_indicator(IndicatorInput("完成期限", "2019 年完成", "按期完成", D(4)), SD, year=2019)
    assert text_actual.score == D(4) and text_actual.achieved and "按期完成" in text_actual.explanation
    not_on_time = score_indicator(
        IndicatorInput("完成期限", "2019 年完成", "未按期完成", D(4)), SD, year=2019
    )
    assert not_on_time.score is None and Flag.BAND_REQUIRED in not_on_time.flags


# --- missing, unreadable, mismatched --------------------------------------------------------------


def test_missing_and_unreadable() -> None:
    missing = score("≥90%", None, "5")
    assert missing.score is None and Flag.ACTUAL_MISSING in missing.flags
    assert Flag.ACTUAL_MISSING in score("≥90%", "  ", "5").flags
    no_weight = score("≥90%", "95%", None)
    assert no_weight.score is None and Flag.NO_WEIGHT in no_weight.flags
    bad_target = score("abc%%", "95%", "5")
    assert Flag.TARGET_UNREADABLE in bad_target.flags and Flag.BAND_REQUIRED in bad_target.flags
    bad_actual = score("≥90%", "abc%%", "5")
    assert Flag.ACTUAL_UNREADABLE in bad_actual.flags and bad_actual.score is None
    empty_target = score("", "95%", "5", band="完成")
    assert Flag.TARGET_UNREADABLE in empty_target.flags and empty_target.score == D(5)


def test_unit_mismatch() -> None:
    result = score("≥ 5 人", "5 元", "5")
    assert result.score is None and Flag.UNIT_MISMATCH in result.flags
    banded = score("≥ 5 人", "5 元", "5", band="完成")
    assert banded.score == D(5) and Flag.UNIT_MISMATCH in banded.flags
    assert Flag.UNIT_MISMATCH in score("≥ 90%", "90 人", "5").flags


def test_deviation_and_reported_scores() -> None:
    explained = score("≥ 90%", "81%", "5", deviation_note="受疫情影响")
    assert Flag.DEVIATION_NOTE_REQUIRED not in explained.flags
    differs = score("≥ 90%", "81%", "5", reported_score=D(5))
    assert Flag.REPORTED_SCORE_DIFFERS in differs.flags and "自报得分 5" in differs.explanation
    same = score("≥ 90%", "81%", "5", reported_score=D("4.5"))
    assert Flag.REPORTED_SCORE_DIFFERS not in same.flags


def test_not_applicable() -> None:
    result = score("≥ 90%", "81%", "5", not_applicable=True)
    assert result.score is None and result.not_applicable and not result.flags


def test_input_coercion_refuses_floats() -> None:
    assert IndicatorInput("x", "1", "1", 5).weight == D(5)
    assert IndicatorInput("x", "1", "1", "2.5").weight == D("2.5")
    assert IndicatorInput("x", "1", "1", direction_override="le").direction_override is Direction.NEGATIVE
    with pytest.raises(TypeError):
        IndicatorInput("x", "1", "1", 2.5)  # type: ignore[arg-type]


def test_flags_have_chinese_labels() -> None:
    for flag in Flag:
        assert flag.label and all(not ch.isascii() or ch.isspace() for ch in flag.label)
    assert Flag.DEVIATION_NOTE_REQUIRED.label == "需说明偏差原因"
    assert score("≥ 90%", "81%", "5").flag_labels == ("需说明偏差原因",)


# --- evaluations ----------------------------------------------------------------------------------


def _ind(name: str, target: str, actual: str, weight: str, level1: str, **kw: Any) -> IndicatorInput:
    return IndicatorInput(name, target, actual, D(weight), level1=level1, **kw)


def _standard(**overrides: Any) -> EvaluationInput:
    indicators = [
        _ind("数量", "≥100 人", "100 人", "25", "output"),
        _ind("质量", "≥90%", "81%", "25", "output", deviation_note="原因"),
        _ind("社会效益", "显著", "显著", "30", "benefit", band="完成"),
        _ind("满意度", "≥90%", "95%", "10", "satisfaction"),
    ]
    fields = {"budget_annual": D(100), "budget_executed": D(90), "indicators": indicators, "year": 2021}
    fields.update(overrides)
    return EvaluationInput(**fields)


def test_evaluation_totals() -> None:
    result = score_evaluation(_standard(), SD)
    assert result.execution_score == D("9.00") and result.execution_rate == D("0.9")
    assert result.execution_explanation == "90 ÷ 100 × 10 = 9.00"
    assert result.subtotals["output"].score_sum == D("47.50")
    assert result.total == D("96.50") and result.grade == "优" and result.complete
    assert not result.warnings
    assert list(result.subtotals) == ["output", "benefit", "satisfaction"]


def test_evaluation_grades_and_low_score() -> None:
    indicators = [
        _ind("数量", "≥100 人", "50 人", "50", "output"),
        _ind("社会效益", "显著", "一般", "30", "benefit", band="未完成", band_score=D(10)),
        _ind("满意度", "≥90%", "45%", "10", "satisfaction"),
    ]
    result = score_evaluation(_standard(indicators=indicators, budget_executed=D(50)), SD)
    assert result.total == D("45.00") and result.grade == "差"
    assert result.low_score_explanation_required


def test_execution_edge_cases() -> None:
    over = score_evaluation(_standard(budget_executed=D(110)), SD)
    assert over.execution_score == D(10) and "执行数超过预算数（执行率 110.00%）" in over.warning_messages
    assert "封顶 10.00" in over.execution_explanation
    missing = score_evaluation(_standard(budget_annual=None), SD)
    assert missing.execution_score is None and not missing.complete
    assert any(w.code == "execution_missing" for w in missing.warnings)
    zero = score_evaluation(_standard(budget_annual=D(0)), SD)
    assert zero.execution_score is None
    integer = dataclasses.replace(SD, code="integer", execution_rounding="integer")
    rounded = score_evaluation(_standard(budget_executed=D("96.6")), integer)
    assert rounded.execution_score == D(10) and "取整 10" in rounded.execution_explanation
    reported = score_evaluation(_standard(reported_execution_score=D(10)), SD)
    assert any(w.code == "reported_execution_differs" for w in reported.warnings)


def test_evaluation_warnings() -> None:
    result = score_evaluation(_standard(declared_level1_weights={"产出指标": D(40), "benefit": D(30)}), SD)
    messages = result.warning_messages
    assert "产出指标各项分值合计 50，与表头 40 分不符" in messages
    assert "产出指标分值 40，与本方案默认 50 分不同" in messages
    assert result.subtotals["output"].capped_score == D(40)
    assert any(w.code == "level1_capped" for w in result.warnings)
    missing = score_evaluation(_standard(indicators=[_ind("社会效益", "显著", "显著", "30", "benefit")]), SD)
    assert any(w.code == "missing_scores" for w in missing.warnings) and not missing.complete
    assert "分值合计 40，应为 100" in missing.warning_messages


def test_level1_from_level2_and_unclassified() -> None:
    indicators = [
        IndicatorInput("a", "≥1", "1", D(50), level2="数量指标"),
        IndicatorInput("b", "≥1", "1", D(40)),
    ]
    result = score_evaluation(_standard(indicators=indicators), SD)
    assert result.subtotals["output"].score_sum == D(50)
    assert result.subtotals["unclassified"].score_sum == D(40)
    assert any(w.code == "level1_missing" for w in result.warnings)


def test_not_applicable_without_and_with_rescaling() -> None:
    indicators = [
        _ind("数量", "≥100 人", "100 人", "20", "output"),
        _ind("质量", "≥90%", "90%", "20", "output"),
        _ind("时效", "及时", "及时", "10", "output", not_applicable=True),
        _ind("社会效益", "显著", "显著", "30", "benefit", band="完成"),
        _ind("满意度", "≥90%", "95%", "10", "satisfaction"),
    ]
    plain = score_evaluation(_standard(indicators=indicators, budget_executed=D(100)), SD)
    assert plain.total == D(90) and any(w.code == "not_applicable_excluded" for w in plain.warnings)
    dropping = dataclasses.replace(SD, code="drop", drop_not_applicable=True)
    rescaled = score_evaluation(_standard(indicators=indicators, budget_executed=D(100)), dropping)
    assert [r.weight for r in rescaled.indicators[:2]] == [D(25), D(25)]
    assert rescaled.total == D(100) and rescaled.complete
    assert any(w.code == "not_applicable_rescaled" for w in rescaled.warnings)
    # a whole level 1 not applicable: its weight is spread over everything else
    whole = [
        *indicators[:2],
        _ind("社会效益", "显著", "显著", "30", "benefit", not_applicable=True),
        indicators[4],
    ]
    spread = score_evaluation(_standard(indicators=whole, budget_executed=D(100)), dropping)
    weights = [r.weight for r in spread.indicators if not r.not_applicable]
    assert sum(weights) == D(80) and spread.total == D(90)


def test_odd_rescaling_keeps_the_sum() -> None:
    indicators = [
        _ind("a", "≥1", "1", "10", "output"),
        _ind("b", "≥1", "1", "10", "output"),
        _ind("c", "≥1", "1", "10", "output"),
        _ind("d", "≥1", "1", "20", "output", not_applicable=True),
    ]
    dropping = dataclasses.replace(SD, code="drop", drop_not_applicable=True)
    result = score_evaluation(_standard(indicators=indicators), dropping)
    weights = [r.weight for r in result.indicators[:3]]
    assert sum(weights) == D(50) and weights == [D("16.67"), D("16.67"), D("16.66")]


def test_total_never_exceeds_scheme_total() -> None:
    no_cap = dataclasses.replace(SD, code="no-cap", level1_cap=False)
    indicators = [_ind("a", "≥1", "1", "95", "output"), _ind("b", "≥1", "1", "10", "benefit")]
    result = score_evaluation(_standard(indicators=indicators, budget_executed=D(100)), no_cap)
    assert result.total == D(100) and any(w.code == "total_capped" for w in result.warnings)


def test_reported_total_differs() -> None:
    result = score_evaluation(_standard(reported_total=D(100)), SD)
    assert "自报总分 100，与计算 96.50 不符" in result.warning_messages


def test_qualitative_kind_reported() -> None:
    result = score("显著", "显著", "5", band="完成")
    assert result.target.kind is Kind.QUALITATIVE and result.actual.kind is Kind.QUALITATIVE
