"""Direction suggested by an indicator's name (a suggestion only)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import (
    LEXICON,
    SCHEMES,
    Direction,
    Flag,
    IndicatorInput,
    read_name,
    score_indicator,
    suggest_direction,
)
from perfgoals.engine.nature import direction_signal

NEG, POS = Direction.NEGATIVE, Direction.POSITIVE


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("2 居民试点长岛县财政补助成本", NEG),
        ("购买设备成本控制率", NEG),
        ("个人负担比例", NEG),
        ("检查人员被投诉次数", NEG),
        ("有责投诉数", NEG),
        ("设备故障率", NEG),
        ("误差率", NEG),
        ("差错率", NEG),
        ("基金安全事故发生数", NEG),
        ("DRG信息系统重大安全事件响应时间", NEG),
        ("平均等待时间", NEG),
        ("回款周期", NEG),
        ("超概算项目比例", NEG),
        ("参保居民满意度%", POS),
        ("对医保违规违法行为举报处理率", POS),
        ("检查实施的及时率", POS),
        ("抽检覆盖率", POS),
        ("困难群众医疗费用负担减轻程度", POS),
        ("查处欺诈骗保行为挽回基金损失及时性", POS),
        ("欺诈骗保案件发生率降低", POS),
        # #12: rates of publishing, handling or recovering are positive whatever they are about
        ("违规行为公示率", POS),
        ("医保违法违规案件信息公开率", POS),
        ("违规问题整改率", POS),
        ("投诉举报办结率", POS),
        ("欺诈骗保案件查处率", POS),
        ("违规资金追回率", POS),
        ("损失资金追回率", POS),
        ("重大违法违纪信息披露率", POS),
        # #12: rates of bad events, budget-management rates that stay low, caps
        ("农作物灾害损失率", NEG),
        ("文物藏品损毁率", NEG),
        ("重大安全生产事故发生率", NEG),
        ("传染病发病率", NEG),
        ("孕产妇死亡率", NEG),
        ("项目资金超支率", NEG),
        ("年度结转结余率", NEG),
        ("三公经费控制率", NEG),
        ("会议费支出控制率", NEG),
        ("群众投诉率", NEG),
        ("数据录入差错率", NEG),
        ("举报奖励兑现时限", NEG),
        ("群众不满意率", NEG),
        ("工业废水达标排放率", POS),
        ("重点污染源治理率", POS),
        ("化学需氧量排放量", NEG),
        ("安全隐患整改率", POS),
        ("重大安全隐患数量", NEG),
        ("公立医院药占比", NEG),
        ("住院患者次均费用", NEG),
        ("参保人住院实际报销比例（含大病）", POS),
        ("空气质量优良天数比例", POS),
        ("城镇新增就业率", POS),
        ("水质不达标率", NEG),
        ("政务服务超期办理件数", NEG),
        ("药品集中采购降价幅度", POS),
        ("居民医疗待遇应保尽保率", POS),
        # words that point both ways give no direction of their own
        ("高血压患者血压控制率", None),
        ("补助标准", None),
        ("居民参保缴费人数", None),
        ("精准", None),
        ("", None),
        (None, None),
    ],
)
def test_suggest_direction(name: str | None, direction: Direction | None) -> None:
    assert suggest_direction(name) is direction


def test_signal_names_the_keyword() -> None:
    assert direction_signal("财政补助成本") == (NEG, "成本")
    assert direction_signal("居民参保缴费人数") == (None, None)
    assert direction_signal("违规行为公示率") == (POS, "公示率")
    assert direction_signal("高血压患者血压控制率") == (None, "控制率")


def test_every_lexicon_entry_carries_a_chinese_reason() -> None:
    assert len(LEXICON) > 100
    for cue in LEXICON:
        assert cue.word and cue.reason, cue
        assert any("\u4e00" <= char <= "\u9fff" for char in cue.reason), cue


def test_read_name_gives_the_reason_of_the_deciding_word() -> None:
    signal = read_name("违规行为公示率")
    assert (signal.direction, signal.keyword) == (POS, "公示率")
    assert "公示" in signal.reason and not signal.ambiguous
    both = read_name("补助标准")
    assert both.ambiguous and both.direction is None and "可正可反" in both.reason
    assert read_name(None) == read_name("") == read_name("参保人数")
    assert not read_name("参保人数").ambiguous


def _score(name: str, target: str, actual: str, weight: str = "10", **kw):
    return score_indicator(
        IndicatorInput(name, target, actual, Decimal(weight), **kw), SCHEMES["shandong-2019"]
    )


def test_publishing_rate_of_violations_scores_as_positive() -> None:
    # the walk-through's case: guessed ≤ from 违规, 98% scored 100 ÷ 98 × 10 = 10.20 capped at 10
    result = _score("违规行为公示率", "100%", "98%")
    assert result.direction is POS and result.direction_source == "name"
    assert result.score == Decimal("9.80")
    assert "98 ÷ 100 × 10 = 9.80" in result.explanation
    assert "“公示率”推测为正向指标（公开、公示或披露的比例" in result.explanation
    assert Flag.DIRECTION_SUGGESTED in result.flags and Flag.DEVIATION_NOTE_REQUIRED in result.flags


def test_loss_rate_without_operator_reads_as_negative() -> None:
    result = _score("农作物灾害损失率", "5%", "4%")
    assert result.direction is NEG and result.direction_source == "name"
    assert result.score == Decimal("10.00") and result.achieved is True
    worse = _score("农作物灾害损失率", "5%", "8%")
    assert worse.achieved is False and worse.score == Decimal("6.25")  # 5 ÷ 8 × 10
    assert "属于损失，越低越好" in worse.explanation


def test_carry_over_rate_reads_as_negative() -> None:
    result = _score("年度结转结余率", "10%", "12.5%")
    assert result.direction is NEG and result.score == Decimal("8.00")  # 10 ÷ 12.5 × 10
    assert "结转结余越少" in result.explanation


def test_printed_operator_still_wins_over_the_name() -> None:
    # seed 002 prints "人均培训成本控制率 ≥ 90%": the printed direction decides, not the lexicon
    result = _score("人均培训成本控制率", "≥90%", "95%")
    assert result.direction is POS and result.direction_source == "operator"
    assert Flag.DIRECTION_SUGGESTED not in result.flags


def test_word_pointing_both_ways_stays_a_suggestion() -> None:
    result = _score("高血压患者血压控制率", "60%", "66%")
    assert result.direction is POS and result.direction_source == "name"
    assert Flag.DIRECTION_SUGGESTED in result.flags
    assert "“控制率”方向不明" in result.explanation and "暂按正向计" in result.explanation


def test_name_with_no_word_keeps_the_default() -> None:
    result = _score("参保人数", "100人", "90人")
    assert result.direction is POS and result.direction_source == "default"
    nameless = _score("", "100人", "90人")
    assert nameless.direction_source == "default" and nameless.score == Decimal("9.00")
