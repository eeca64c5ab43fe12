"""Ground truth: the three 2019 自评表 of seed 001 (附件1-3), transcribed from the seed text.

Every indicator must score exactly its printed score under the default scheme (shandong-2019), the
execution block 10, each total 100 and grade 优. Rows that no formula can score (qualitative targets,
composite descriptions, text actuals) carry the band "完成", which is what the printed full score
means under the printed rules. 附件1's 产出 rows add up to 60 under a 50-point header: the total is
still 100 (the level-1 cap), and the inconsistency is reported.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals.engine import (
    DEFAULT_SCHEME_CODE,
    SCHEMES,
    Direction,
    EvaluationInput,
    EvaluationResult,
    Flag,
    IndicatorInput,
    IndicatorResult,
    Kind,
    score_evaluation,
    score_indicator,
)

D = Decimal
SCHEME = SCHEMES[DEFAULT_SCHEME_CODE]

# (level1, level2, name, target, actual, weight, printed score, band)
Row = tuple[str, str, str, str, str, str, str, str | None]

ANNEX1: list[Row] = [
    ("产出指标", "数量指标", "1、居民参保缴费人数", "400 万人以上", "400.3 万人", "5", "5", None),
    ("产出指标", "数量指标", "2、特殊人群缴费", "13 万人", "13.7 万人", "5", "5", None),
    ("产出指标", "数量指标", "3、普通学生参保人数", "50 万人", "56.74 万人", "5", "5", None),
    ("产出指标", "质量指标", "1、居民基本医疗保险支付率", "100%", "100%", "5", "5", None),
    ("产出指标", "质量指标", "2、居民大病保险支付率", "100%", "100%", "5", "5", None),
    ("产出指标", "质量指标", "3、居民参保率", "92%", "93%", "2", "2", None),
    ("产出指标", "质量指标", "4、普通学生参保率", "95%", "95%", "2", "2", None),
    ("产出指标", "质量指标", "5、大学生参保率", "90%", "90%", "2", "2", None),
    ("产出指标", "质量指标", "6、精准度", "100%", "100%", "5", "5", None),
    (
        "产出指标",
        "质量指标",
        "7、统筹病种数量",
        "甲类 16 种乙类 44 种",
        "甲类 16 种乙类 46 种",
        "5",
        "5",
        "完成",
    ),
    (
        "产出指标",
        "质量指标",
        "8、大病保险",
        "起付标准 1.6万元，1.6 万元以上（含1.6 万元）、10 万元以下的部分给予50%补偿；10 万元以上（含 10 万元）20"
        "万元以下部分给予60%的补偿；20 万元以上 30 万元以下70%补偿。30 万元以上 75%补偿。一个医疗年度内，最高补"
        "偿 40 万元",
        "起付标准 1.6 万元，1.6 万元以上（含1.6 万元）、10 万元以下的部分给予60%补偿；10 万元以上（含 10 万元）20"
        "万元以下部分给予65%的补偿；20 万元以上 30 万元以下70%补偿。30 万元以上 75%补偿。一个医疗年度内，最高补偿"
        "40 万元",
        "5",
        "5",
        "完成",
    ),
    (
        "产出指标",
        "质量指标",
        "9、居民基本医疗保险最高支付限额",
        "一档 18 万元，二档 22 万元",
        "一档 18 万元，二档 22 万元",
        "5",
        "5",
        "完成",
    ),
    ("产出指标", "时效指标", "1、烟台市域范围内的医疗费即时结算", "100%", "100%", "3", "3", None),
    ("产出指标", "时效指标", "2、居民医保缴费到账率%", "100%", "100%", "2", "2", None),
    (
        "产出指标",
        "成本指标",
        "1、居民基本医疗保险政策范围内住院费用报销比例",
        "政策范围内住院费用基金平均支付比例达到 60%以上",
        "65.50%",
        "2",
        "2",
        None,
    ),
    (
        "产出指标",
        "成本指标",
        "2、居民基本医疗保险最高支付限额",
        "一档 18 万元；二档 22 万元",
        "一档 18 万元；二档 22 万元",
        "2",
        "2",
        "完成",
    ),
    (
        "效益指标",
        "社会效益指标",
        "1、居民医保政策公开度",
        ">3 种方式",
        "微信、局官方网站、医保经办机构服务大厅、报纸、广播等公开",
        "5",
        "5",
        "完成",
    ),
    (
        "效益指标",
        "社会效益指标",
        "2、医保报销便捷度",
        "即时报销",
        "全市所有定点医院全部可以即时结算",
        "5",
        "5",
        "完成",
    ),
    ("效益指标", "社会效益指标", "3、生活质量", "提高", "提高", "5", "5", "完成"),
    ("效益指标", "社会效益指标", "4、居民经济负担", "减轻", "参保居民医疗负担减轻", "5", "5", "完成"),
    (
        "效益指标",
        "社会效益指标",
        "5、报销便捷情况",
        "即时结算、便捷",
        "全市所有定点医院全部可以即时结算",
        "5",
        "5",
        "完成",
    ),
    (
        "效益指标",
        "可持续影响指标",
        "1、居民医保基金支撑能力",
        "减少年度基金收支赤字，争取年度基金收支平衡",
        "2019 年当期赤字比 2018 年减少 1.6 亿",
        "5",
        "5",
        "完成",
    ),
    ("满意度指标", "服务对象满意度指标", "1、参保居民满意度%", "90%以上", "92%", "5", "5", None),
    ("满意度指标", "服务对象满意度指标", "2、医保定点医疗机构满意度%", "90%以上", "93%", "5", "5", None),
]

_LONG_CARE_TARGET = (
    "经评估享受长期护理保险待遇人员，发生的符合规定的医疗护理费用，纳入长期护理保险支付范围。长期以来护理费用由"
    "护理保险资金和保障对象按比例分担，原则上个人负担比例不高于10%。应由第三方支付的医疗护理费，不纳入长期护理"
    "保险支付。"
)

ANNEX2: list[Row] = [
    (
        "产出指标",
        "数量指标",
        "1 补助标准",
        "福利彩票按每人每年 5元标准补助，财政资金每人每年 5 元标准补助。",
        "市财政按照福利彩票按每人每年5元标准补助，财政资金每人每年5元标准补助给予了补助。",
        "5",
        "5",
        "完成",
    ),
    ("产出指标", "数量指标", "2 长期护理保险参保完成人数", "230 万人左右", "232.28 万", "5", "5", None),
    (
        "产出指标",
        "质量指标",
        "1 长期护理保险待遇水平",
        "政策规定范围内护理服务费支付标准达到 75%左右",
        "93%",
        "5",
        "5",
        None,
    ),
    ("产出指标", "质量指标", "2 长期护理人员政策挑选精准度", "90%以上", "96%", "5", "5", None),
    ("产出指标", "质量指标", "3、参保对象发放精准度", "100%", "100%", "5", "5", None),
    ("产出指标", "质量指标", "4、群众知晓度", "80%", "85%", "4", "4", None),
    ("产出指标", "时效指标", "1 拨付结算情况", _LONG_CARE_TARGET, "个人负担比例为 6.9%", "5", "5", None),
    (
        "产出指标",
        "时效指标",
        "2 发放方式",
        "试点期间长期护理保险费区别不同情况实行定额包干、限额支付与按项目付费等结算模式。",
        "已经采用了定额包干、限额支付与按项目付费等结算模式",
        "4",
        "4",
        "完成",
    ),
    ("产出指标", "时效指标", "3 发放完成期限", "2019 年完成", "2019 年完成", "4", "4", None),
    (
        "产出指标",
        "成本指标",
        "1 职工长护补助成本",
        "市级财政补助260 万元，全市福彩基金1547.5万元",
        "市级财政补助260 万元，全市福彩基金1547.5 万元",
        "4",
        "4",
        "完成",
    ),
    ("产出指标", "成本指标", "2 居民试点长岛县财政补助成本", "70 万元", "70 万元", "4", "4", None),
    (
        "效益指标",
        "社会效益指标",
        "1 长期护理保险政策公开度",
        ">3 种方式",
        "微信、局官方网站、医保经办机构服务大厅、报纸、广播等公开",
        "10",
        "10",
        "完成",
    ),
    ("效益指标", "社会效益指标", "2 长期护理保险待遇享受人群占比%", "0.1%", "0.11%", "10", "10", None),
    (
        "效益指标",
        "可持续影响指标",
        "1 长期护理保险的支撑能力",
        "预算年度基金收支平衡",
        "收支平衡",
        "5",
        "5",
        "完成",
    ),
    ("效益指标", "可持续影响指标", "2 长期护理基金保障支付能力", "100%", "100%", "5", "5", None),
    ("满意度指标", "服务对象满意度指标", "1 受益人员满意度情况", "90%以上", "92%", "5", "5", None),
    ("满意度指标", "服务对象满意度指标", "2 长期护理机构满意度情况", "90%以上", "93%", "5", "5", None),
]

ANNEX3: list[Row] = [
    (
        "产出指标",
        "质量指标",
        "重点救助对象合规医疗费年度限额内住院救助比例",
        "≧70%",
        "74%",
        "25",
        "25",
        None,
    ),
    (
        "产出指标",
        "时效指标",
        "“一站式”即时结算覆盖地区",
        "不低于上年",
        "已实现全市所县市区全覆盖，与上年相同",
        "25",
        "25",
        "完成",
    ),
    ("效益指标", "社会效益指标", "困难群众医疗费用负担减轻程度", "有效缓解", "有效缓解", "15", "15", "完成"),
    ("效益指标", "可持续影响指标", "对健全医疗救助体系的影响", "成效明显", "成效明显", "15", "15", "完成"),
    ("满意度指标", "服务对象满意度指标", "工作满意度", "≧80%", "87%", "10", "10", None),
]

# (rows, A, B, printed execution score (None: blank cell in 附件2), printed header weights)
ANNEXES = {
    "附件1": (ANNEX1, "5515", "5515", "10", {"产出指标": "50", "效益指标": "30", "满意度指标": "10"}),
    "附件2": (ANNEX2, "1807.5", "1807.5", None, {"产出指标": "50", "效益指标": "30", "满意度指标": "10"}),
    # 附件3 prints the 产出 and 满意度 headers only (the 效益 header is missing from the print)
    "附件3": (ANNEX3, "350", "350", "10", {"产出指标": "50", "满意度指标": "10"}),
}


def _inputs(rows: list[Row]) -> tuple[IndicatorInput, ...]:
    return tuple(
        IndicatorInput(
            name=name,
            target_text=target,
            actual_text=actual,
            weight=D(weight),
            band=band,
            reported_score=D(score),
            level1=level1,
            level2=level2,
        )
        for level1, level2, name, target, actual, weight, score, band in rows
    )


def _evaluate(annex: str) -> EvaluationResult:
    rows, a, b, exec_score, headers = ANNEXES[annex]
    inp = EvaluationInput(
        budget_annual=D(a),
        budget_executed=D(b),
        indicators=_inputs(rows),
        declared_level1_weights={k: D(v) for k, v in headers.items()},
        year=2019,
        reported_execution_score=D(exec_score) if exec_score else None,
        reported_total=D(100),
    )
    return score_evaluation(inp, SCHEME)


@pytest.mark.parametrize("annex", list(ANNEXES))
def test_every_indicator_scores_its_printed_score(annex: str) -> None:
    rows = ANNEXES[annex][0]
    result = _evaluate(annex)
    assert len(result.indicators) == len(rows)
    for row, scored in zip(rows, result.indicators, strict=True):
        assert scored.score == D(row[6]), (row[2], scored.explanation)
        assert Flag.REPORTED_SCORE_DIFFERS not in scored.flags
        assert Flag.DEVIATION_NOTE_REQUIRED not in scored.flags


@pytest.mark.parametrize("annex", list(ANNEXES))
def test_execution_total_and_grade(annex: str) -> None:
    result = _evaluate(annex)
    assert result.execution_score == D(10)
    assert result.execution_rate == D(1)
    assert result.execution_rate_display == "100.00%"
    assert result.total == D(100)
    assert result.grade == "优"
    assert result.complete
    assert not result.low_score_explanation_required
    codes = {w.code for w in result.warnings}
    assert "missing_scores" not in codes
    assert "reported_total_differs" not in codes
    assert "reported_scores_differ" not in codes


def test_execution_explanations() -> None:
    assert _evaluate("附件1").execution_explanation == "5515 ÷ 5515 × 10 = 10.00"
    assert _evaluate("附件2").execution_explanation == "1807.5 ÷ 1807.5 × 10 = 10.00"
    assert _evaluate("附件3").execution_explanation == "350 ÷ 350 × 10 = 10.00"


def test_annex1_output_weights_60_under_a_50_header() -> None:
    result = _evaluate("附件1")
    output = result.subtotals["output"]
    assert output.weight_sum == D(60)
    assert output.declared_weight == D(50)
    assert output.score_sum == D(60)
    assert output.capped_score == D(50)
    assert result.subtotals["benefit"].capped_score == D(30)
    assert result.subtotals["satisfaction"].capped_score == D(10)
    messages = result.warning_messages
    assert "产出指标各项分值合计 60，与表头 50 分不符" in messages
    assert "分值合计 110，应为 100" in messages
    assert any(w.code == "level1_capped" for w in result.warnings)


def test_annex2_and_3_are_consistent() -> None:
    for annex in ("附件2", "附件3"):
        codes = {w.code for w in _evaluate(annex).warnings}
        assert "level1_weight_mismatch" not in codes
        assert "weight_total_mismatch" not in codes
        assert "level1_weight_nondefault" not in codes


def _one(annex: str, name_part: str) -> IndicatorResult:
    result = _evaluate(annex)
    matches = [r for r in result.indicators if name_part in r.name]
    assert len(matches) == 1, name_part
    return matches[0]


def test_notable_rows_annex1() -> None:
    row = _one("附件1", "居民参保缴费人数")
    assert row.target.direction is Direction.POSITIVE and row.target.base == D(4000000)
    assert row.actual.base == D("4003000") and row.score == D(5)

    row = _one("附件1", "特殊人群缴费")
    assert row.score == D(5) and Flag.CAPPED in row.flags

    row = _one("附件1", "居民参保率")
    assert row.score == D(2)
    assert "93 ÷ 92 × 2 = 2.02" in row.explanation
    assert "封顶 2.00" in row.explanation

    row = _one("附件1", "住院费用报销比例")
    assert row.target.direction is Direction.POSITIVE and row.target.number == D(60)
    assert row.direction_source == "word"

    row = _one("附件1", "统筹病种数量")
    assert row.target.kind is Kind.QUALITATIVE and "复合描述" in row.target.recognised
    assert row.band == "完成"

    row = _one("附件1", "9、居民基本医疗保险最高支付限额")
    assert row.suggested_band == "完成"

    row = _one("附件1", "居民医保政策公开度")
    assert row.target.kind is Kind.QUANTITATIVE and row.target.strict
    assert row.actual.kind is Kind.QUALITATIVE
    assert "实际值为文字描述，按定性评判" in row.explanation

    row = _one("附件1", "基金支撑能力")
    assert row.actual.kind is Kind.QUALITATIVE


def test_notable_rows_annex2() -> None:
    row = _one("附件2", "参保完成人数")
    assert row.target.direction is Direction.APPROX
    assert row.actual.base == D("2322800") and row.actual.unit == "人"
    assert row.score == D(5)

    row = _one("附件2", "拨付结算情况")
    assert row.target.kind is Kind.QUANTITATIVE
    assert row.target.direction is Direction.NEGATIVE and row.target.number == D(10)
    assert row.actual.number == D("6.9")
    assert "10 ÷ 6.9 × 5" in row.explanation and row.score == D(5) and Flag.CAPPED in row.flags

    row = _one("附件2", "发放完成期限")
    assert row.target.kind is Kind.DEADLINE and row.actual.kind is Kind.DEADLINE
    assert row.achieved is True and "按期完成（期限 2019-12-31）" in row.explanation

    row = _one("附件2", "长岛县财政补助成本")
    assert row.direction is Direction.NEGATIVE and row.direction_source == "name"
    assert Flag.DIRECTION_SUGGESTED in row.flags and row.score == D(4)

    row = _one("附件2", "待遇水平")
    assert row.target.direction is Direction.APPROX and row.target.number == D(75)


def test_notable_rows_annex3() -> None:
    row = _one("附件3", "住院救助比例")
    assert row.target.direction is Direction.POSITIVE and row.direction_source == "operator"
    assert row.score == D(25)

    row = _one("附件3", "覆盖地区")
    assert row.target.kind is Kind.QUALITATIVE and row.target.relative == "上年"
    assert row.target.direction is Direction.POSITIVE
    assert row.score == D(25)

    row = _one("附件3", "负担减轻程度")
    assert row.suggested_band == "完成"


def test_rows_without_band_need_one() -> None:
    """The same tables without the bands: formula rows still score, the others ask for a band."""
    for annex, (rows, *_rest) in ANNEXES.items():
        for inp, row in zip(_inputs(rows), rows, strict=True):
            plain = score_indicator(
                IndicatorInput(inp.name, inp.target_text, inp.actual_text, inp.weight), SCHEME, year=2019
            )
            if row[7] is None:
                assert plain.score == D(row[6]), (annex, row[2])
            else:
                assert plain.score is None and Flag.BAND_REQUIRED in plain.flags, (annex, row[2])


def test_full_marks_where_the_values_do_not_support_them() -> None:
    """A supervisor sees it when the printed score is higher than the computed one."""
    inp = IndicatorInput("x", "≥ 90%", "81%", D(5), reported_score=D(5))
    result = score_indicator(inp, SCHEME)
    assert result.score == D("4.50")
    assert Flag.REPORTED_SCORE_DIFFERS in result.flags
    assert Flag.DEVIATION_NOTE_REQUIRED in result.flags
