"""The value reader against a corpus: every notation of the brief and real strings from the seeds.

Each row: (text, 指标性质 column, 度量单位 column) → (kind, direction, base, unit). ``base`` is the
comparable quantity (number × magnitude) as a string, or None.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from perfgoals.engine import Direction, Kind, parse
from perfgoals.engine.values import Deadline, adopt_unit, compatible

Q, L, DL, U, E = Kind.QUANTITATIVE, Kind.QUALITATIVE, Kind.DEADLINE, Kind.UNREADABLE, Kind.EMPTY
GE, LE, EQ, AP = Direction.POSITIVE, Direction.NEGATIVE, Direction.EQUAL, Direction.APPROX

_LONG_CARE = (
    "经评估享受长期护理保险待遇人员，发生的符合规定的医疗护理费用，纳入长期护理保险支付范围。长期以来护理费用由"
    "护理保险资金和保障对象按比例分担，原则上个人负担比例不高于10%。应由第三方支付的医疗护理费，不纳入长期护理"
    "保险支付。"
)
_THRESHOLD_PARAGRAPH = (
    "起付标准 1.6万元，1.6 万元以上（含1.6 万元）、10 万元以下的部分给予50%补偿；10 万元以上（含 10 万元）20"
    "万元以下部分给予60%的补偿；20 万元以上 30 万元以下70%补偿。30 万元以上 75%补偿。一个医疗年度内，最高补"
    "偿 40 万元"
)

Row = tuple[str | None, str | None, str | None, Kind, Direction | None, str | None, str | None]

# --- notations of the brief -----------------------------------------------------------------------
NOTATIONS: list[Row] = [
    # operators in every form, with and without spaces
    ("≥ 5 台", None, None, Q, GE, "5", "台"),
    ("≧70%", None, None, Q, GE, "70", "%"),
    (">=95%", None, None, Q, GE, "95", "%"),
    ("＞=95%", None, None, Q, GE, "95", "%"),
    ("＞3次", None, None, Q, GE, "3", "次"),
    (">3 种方式", None, None, Q, GE, "3", "种"),
    ("≤5元/年/人", None, None, Q, LE, "5", "元/年/人"),
    ("≦10%", None, None, Q, LE, "10", "%"),
    ("<= 2 次", None, None, Q, LE, "2", "次"),
    ("＜5%", None, None, Q, LE, "5", "%"),
    ("<5%", None, None, Q, LE, "5", "%"),
    ("=100%", None, None, Q, EQ, "100", "%"),
    ("＝100%", None, None, Q, EQ, "100", "%"),
    ("═ 100 %", None, None, Q, EQ, "100", "%"),
    ("﹦100%", None, None, Q, EQ, "100", "%"),
    ("≥190000人", None, None, Q, GE, "190000", "人"),
    ("≤16万", None, None, Q, LE, "160000", None),
    ("≈ 50 万人", None, None, Q, AP, "500000", "人"),
    # words
    ("400 万人以上", None, None, Q, GE, "4000000", "人"),
    ("90%以上", None, None, Q, GE, "90", "%"),
    ("1200万以上", None, None, Q, GE, "12000000", None),
    ("不低于95%", None, None, Q, GE, "95", "%"),
    ("不少于 100 次", None, None, Q, GE, "100", "次"),
    ("达到 90%", None, None, Q, GE, "90", "%"),
    ("超过90%", None, None, Q, GE, "90", "%"),
    ("高于 80%", None, None, Q, GE, "80", "%"),
    ("5%以下", None, None, Q, LE, "5", "%"),
    ("3天以内", None, None, Q, LE, "3", "天"),
    ("不高于 10%", None, None, Q, LE, "10", "%"),
    ("不超过 10%", None, None, Q, LE, "10", "%"),
    ("低于5%", None, None, Q, LE, "5", "%"),
    ("小于 3 次", None, None, Q, LE, "3", "次"),
    ("230 万人左右", None, None, Q, AP, "2300000", "人"),
    ("392万人左右", None, None, Q, AP, "3920000", "人"),
    ("约 50 万人", None, None, Q, AP, "500000", "人"),
    ("政策规定范围内护理服务费支付标准达到 75%左右", None, None, Q, AP, "75", "%"),
    ("政策范围内住院费用基金平均支付比例达到 60%以上", None, None, Q, GE, "60", "%"),
    # magnitudes and units
    ("1.5亿元", None, None, Q, None, "150000000", "元"),
    ("500万元", None, None, Q, None, "5000000", "元"),
    ("3千人", None, None, Q, None, "3000", "人"),
    ("20 千克", None, None, Q, None, "20", "千克"),
    ("95％", None, None, Q, None, "95", "%"),
    ("95百分比", None, None, Q, None, "95", "%"),
    ("443.83 万人次", None, None, Q, None, "4438300", "人次"),
    ("433 家", None, None, Q, None, "433", "家"),
    ("5 次", None, None, Q, None, "5", "次"),
    ("200个", None, None, Q, None, "200", "个"),
    ("2 篇", None, None, Q, None, "2", "篇"),
    ("1000 册", None, None, Q, None, "1000", "册"),
    ("5 万册", None, None, Q, None, "50000", "册"),
    ("30 分钟", None, None, Q, None, "30", "分钟"),
    ("10 小时", None, None, Q, None, "10", "小时"),
    ("3 天", None, None, Q, None, "3", "天"),
    ("30 日", None, None, Q, None, "30", "天"),
    ("5 起", None, None, Q, None, "5", "起"),
    ("3 种", None, None, Q, None, "3", "种"),
    ("≤500元/平方米", None, None, Q, LE, "500", "元/平方米"),
    ("200余人", None, None, Q, None, "200", "人"),
    ("11 万余人次", None, None, Q, None, "110000", "人次"),
    ("无", None, None, Q, None, "0", None),
    ("0起", None, None, Q, None, "0", "起"),
    # numbers inside sentences
    (_LONG_CARE, None, None, Q, LE, "10", "%"),
    ("个人负担比例为 6.9%", None, None, Q, None, "6.9", "%"),
    ("福利彩票按每人每年 5元标准补助，财政资金每人每年 5 元标准补助。", None, None, L, None, None, None),
    ("市级财政补助 260 万元，全市福彩基金1547.5 万元", None, None, L, None, None, None),
    ("甲类 16 种乙类 44 种", None, None, L, None, None, None),
    ("一档 18 万元，二档 22 万元", None, None, L, None, None, None),
    (_THRESHOLD_PARAGRAPH, None, None, L, None, None, None),
    ("实地宣传不少于100次，报纸、电视、广播等稿件不少于5篇", None, None, L, None, None, None),
    ("90%-100%", None, None, Q, None, "90", "%"),  # #12: a range is a quantity with both ends
    # qualitative words and scales
    ("及时", None, None, L, None, None, None),
    ("显著", None, None, L, None, None, None),
    ("作用显著", None, None, L, None, None, None),
    ("成效明显", None, None, L, None, None, None),
    ("有效缓解", None, None, L, None, None, None),
    ("稳步提升", None, None, L, None, None, None),
    ("逐步扩大", None, None, L, None, None, None),
    ("完整", None, None, L, None, None, None),
    ("到位", None, None, L, None, None, None),
    ("提高", None, None, L, None, None, None),
    ("减轻", None, None, L, None, None, None),
    ("即时报销", None, None, L, None, None, None),
    ("全年持续实施", None, None, L, None, None, None),
    ("保持年度基金收支平衡", None, None, L, None, None, None),
    ("不低于上年", None, None, L, GE, None, None),
    ("高于上年", None, None, L, GE, None, None),
    ("优良中低差", None, None, L, None, None, None),
    ("高中低", None, None, L, None, None, None),
    # the printed nature / unit columns
    ("优良中低差", "定性", None, L, None, None, None),
    ("5", "定性", None, L, None, None, None),
    ("5", "≥", "台", Q, GE, "5", "台"),
    ("100", "＝", "%", Q, EQ, "100", "%"),
    ("100", "≤", "%", Q, LE, "100", "%"),
    ("1", "≤", "次", Q, LE, "1", "次"),
    ("30", "≥", "人数", Q, GE, "30", "人"),
    ("2", "≥", "万册", Q, GE, "20000", "册"),
    ("500", "≤", "元/平方\n米", Q, LE, "500", "元/平方米"),
    ("80", "≥", "台（套）", Q, GE, "80", "台"),
    ("6", "≤", "万元", Q, LE, "60000", "元"),
    # deadlines
    ("11月底前", None, None, DL, None, None, None),
    ("9月前", None, None, DL, None, None, None),
    ("2023年12月", None, None, DL, None, None, None),
    ("完成时间为2022年12月30日", None, None, DL, None, None, None),
    ("2019 年完成", None, None, DL, None, None, None),
    ("2020.12.31", None, None, DL, None, None, None),
    ("12月31日前", None, None, DL, None, None, None),
    ("2019年11月20日完成", None, None, DL, None, None, None),
    # actuals
    ("232.28 万", None, None, Q, None, "2322800", None),
    ("≥266米", None, None, Q, GE, "266", "米"),
    # garbage and blanks
    ("abc%%", None, None, U, None, None, None),
    ("≥≥", None, None, U, None, None, None),
    ("12..5", None, None, U, None, None, None),
    ("5%%", None, None, U, None, None, None),
    ("", None, None, E, None, None, None),
    ("   \n ", None, None, E, None, None, None),
    (None, None, None, E, None, None, None),
    ("—", None, None, E, None, None, None),
]

# --- real strings from the seeds (000, 002, 003, 004 targets; 001 targets and actuals) ------------
SEEDS: list[Row] = [
    # 000 (烟台 2021 目标表)
    ("392万人左右", None, None, Q, AP, "3920000", "人"),
    ("100%", None, None, Q, None, "100", "%"),
    ("作用显著", None, None, L, None, None, None),
    ("保持年度基金收支平衡", None, None, L, None, None, None),
    ("≧90%", None, None, Q, GE, "90", "%"),
    ("稳步提升", None, None, L, None, None, None),
    ("10%", None, None, Q, None, "10", "%"),
    ("1200万以上", None, None, Q, GE, "12000000", None),
    ("每年1次以上", None, None, Q, GE, "1", "次"),
    ("健康有序运行", None, None, L, None, None, None),
    ("逐步减缓", None, None, L, None, None, None),
    ("≧80%", None, None, Q, GE, "80", "%"),
    ("≧28%", None, None, Q, GE, "28", "%"),
    ("≧70%", None, None, Q, GE, "70", "%"),
    ("≧13", None, None, Q, GE, "13", None),
    ("成效明显", None, None, L, None, None, None),
    ("200个", None, None, Q, None, "200", "个"),
    ("2批次", None, None, Q, None, "2", "批次"),
    ("2个月", None, None, Q, None, "2", "个月"),
    ("50%", None, None, Q, None, "50", "%"),
    ("500万元", None, None, Q, None, "5000000", "元"),
    ("≥4次", None, None, Q, GE, "4", "次"),
    ("≥90%", None, None, Q, GE, "90", "%"),
    ("≤60分钟", None, None, Q, LE, "60", "分钟"),
    ("≥100%；", None, None, Q, GE, "100", "%"),
    ("248万人左右", None, None, Q, AP, "2480000", "人"),
    ("15%以上", None, None, Q, GE, "15", "%"),
    ("90%以上", None, None, Q, GE, "90", "%"),
    ("纳入长期护理的定点医护机构合格率80%以上", None, None, Q, GE, "80", "%"),
    ("长期护理保险合规费用按月拨付及时率90%以上", None, None, Q, GE, "90", "%"),
    ("95%以上", None, None, Q, GE, "95", "%"),
    ("实地宣传不少于100次，报纸、电视、广播等稿件不少于5篇", None, None, L, None, None, None),
    ("0.1%以上", None, None, Q, GE, "0.1", "%"),
    ("当年资金支出额≤当年筹资总额", None, None, L, None, None, None),
    # 002 (青海 2021 公开表: 指标性质 / 指标值 / 度量单位 columns)
    ("5", "≥", "台", Q, GE, "5", "台"),
    ("1", "≥", "次", Q, GE, "1", "次"),
    ("1", "≥", "个", Q, GE, "1", "个"),
    ("90", "≥", "%", Q, GE, "90", "%"),
    ("100", "＝", "%", Q, EQ, "100", "%"),
    ("100", "≤", "%", Q, LE, "100", "%"),
    ("优良中低差", "定性", None, L, None, None, None),
    ("1", "≥", "篇", Q, GE, "1", "篇"),
    ("30", "≥", "人数", Q, GE, "30", "人"),
    ("2", "≥", "万册", Q, GE, "20000", "册"),
    ("500", "≤", "元/平方\n米", Q, LE, "500", "元/平方米"),
    ("150000", "≥", "人", Q, GE, "150000", "人"),
    ("20", "≥", "人次", Q, GE, "20", "人次"),
    ("高中低", "定性", None, L, None, None, None),
    ("500", "≥", "本", Q, GE, "500", "本"),
    ("1500", "≥", "家", Q, GE, "1500", "家"),
    ("30", "≥", "天", Q, GE, "30", "天"),
    ("6", "≤", "万元", Q, LE, "60000", "元"),
    ("455", "≥", "万人", Q, GE, "4550000", "人"),
    ("44283", "≥", "人", Q, GE, "44283", "人"),
    ("30", "≤", "天", Q, LE, "30", "天"),
    ("100000", "≤", "元", Q, LE, "100000", "元"),
    ("80", "≥", "台（套）", Q, GE, "80", "台"),
    ("10", "≤", "%", Q, LE, "10", "%"),
    ("10", "≥", "年", Q, GE, "10", "年"),
    ("3", "≤", "元", Q, LE, "3", "元"),
    ("1000", "≥", "套", Q, GE, "1000", "套"),
    ("2000", "≥", "册", Q, GE, "2000", "册"),
    ("90", "＝", "%", Q, EQ, "90", "%"),
    ("4000", "≤", "元", Q, LE, "4000", "元"),
    ("4000000", "≥", "人", Q, GE, "4000000", "人"),
    # 003 (招远 2023)
    ("≤5元/年/人", None, None, Q, LE, "5", "元/年/人"),
    ("≥190000人", None, None, Q, GE, "190000", "人"),
    ("≥2000人", None, None, Q, GE, "2000", "人"),
    ("=100%", None, None, Q, EQ, "100", "%"),
    ("显著", None, None, L, None, None, None),
    ("≤16万", None, None, Q, LE, "160000", None),
    ("≤950万元", None, None, Q, LE, "9500000", "元"),
    ("≤520元/年/人", None, None, Q, LE, "520", "元/年/人"),
    ("≥15900 人", None, None, Q, GE, "15900", "人"),
    ("≤35000 元/年/人", None, None, Q, LE, "35000", "元/年/人"),
    ("≥120人", None, None, Q, GE, "120", "人"),
    ("=0.00%", None, None, Q, EQ, "0", "%"),
    ("≤9.37 万", None, None, Q, LE, "93700", None),
    ("≥2次", None, None, Q, GE, "2", "次"),
    ("≥95%", None, None, Q, GE, "95", "%"),
    ("≤30000 元/人", None, None, Q, LE, "30000", "元/人"),
    ("≥40人", None, None, Q, GE, "40", "人"),
    # 004 (环翠 2020)
    ("及时", None, None, L, None, None, None),
    ("全年持续实施", None, None, L, None, None, None),
    ("≥85%", None, None, Q, GE, "85", "%"),
    ("0起", None, None, Q, None, "0", "起"),
    ("≥28", None, None, Q, GE, "28", None),
    ("逐步扩大", None, None, L, None, None, None),
    ("明显提高", None, None, L, None, None, None),
    ("合理支出稽查费用", None, None, L, None, None, None),
    ("433 家", None, None, Q, None, "433", "家"),
    ("2 个", None, None, Q, None, "2", "个"),
    ("0 起", None, None, Q, None, "0", "起"),
    ("到位", None, None, L, None, None, None),
    ("180 人", None, None, Q, None, "180", "人"),
    ("完整", None, None, L, None, None, None),
    ("2020.12.31", None, None, DL, None, None, None),
    (
        "2019 年 11 月底,将 180 名离休人员名单纳入医院医保管理系统,12 月开始实施。",
        None,
        None,
        L,
        None,
        None,
        None,
    ),
    # 001 (烟台 2019 自评表: targets and actuals)
    ("400.3 万人", None, None, Q, None, "4003000", "人"),
    ("13 万人", None, None, Q, None, "130000", "人"),
    ("56.74 万人", None, None, Q, None, "567400", "人"),
    ("65.50%", None, None, Q, None, "65.5", "%"),
    ("即时结算、便捷", None, None, L, None, None, None),
    ("全市所有定点医院全部可以即时结算", None, None, L, None, None, None),
    ("参保居民医疗负担减轻", None, None, L, None, None, None),
    ("减少年度基金收支赤字，争取年度基金收支平衡", None, None, L, None, None, None),
    ("2019 年当期赤字比 2018 年减少 1.6 亿", None, None, L, None, None, None),
    ("微信、局官方网站、医保经办机构服务大厅、报纸、广播等公开", None, None, L, None, None, None),
    ("0.11%", None, None, Q, None, "0.11", "%"),
    ("收支平衡", None, None, L, None, None, None),
    ("预算年度基金收支平衡", None, None, L, None, None, None),
    ("已经采用了定额包干、限额支付与按项目付费等结算模式", None, None, L, None, None, None),
    ("70 万元", None, None, Q, None, "700000", "元"),
    ("已实现全市所县市区全覆盖，与上年相同", None, None, L, None, None, None),
    ("74%", None, None, Q, None, "74", "%"),
    ("资助 11 万余人次困难群众参保缴费", None, None, Q, None, "110000", "人次"),
]


def _id(row: Row) -> str:
    text = (row[0] or "None").replace("\n", " ")
    return f"{text[:24]}|{row[1]}|{row[2]}"


@pytest.mark.parametrize("row", NOTATIONS + SEEDS, ids=_id)
def test_corpus(row: Row) -> None:
    text, nature, unit, kind, direction, base, base_unit = row
    value = parse(text, nature=nature, unit=unit)
    assert value.kind is kind, value.recognised
    assert value.direction is direction
    if base is None:
        assert value.base is None
    else:
        assert value.base == Decimal(base)
    assert value.unit == base_unit
    assert value.display()  # always renders


def test_corpus_has_enough_seed_strings() -> None:
    assert len(SEEDS) >= 60


def test_strictness_and_sources() -> None:
    assert parse(">3 种方式").strict and parse("超过90%").strict and parse("低于5%").strict
    assert parse("小于 3 次").strict and not parse("≥ 5 台").strict and not parse("不低于95%").strict
    assert parse("≥ 5 台").direction_source == "operator"
    assert parse("90%以上").direction_source == "word"
    assert parse("5", nature="≥", unit="台").direction_source == "column"
    assert parse("100%").direction_source is None


def test_recognised_notes() -> None:
    value = parse("400 万人以上")
    assert value.recognised == ("用语 以上", "数量级 万", "单位 人")
    assert value.number == Decimal(400) and value.magnitude == Decimal(10000)
    assert value.printed_unit == "万人"
    assert parse("≥190000人").recognised == ("运算符 ≥", "单位 人")
    assert any("余" in note for note in parse("200余人").recognised)
    assert "复合描述" in parse("甲类 16 种乙类 44 种").recognised
    assert "复合描述" in parse("一档 18 万元，二档 22 万元").recognised


def test_scales_and_relative() -> None:
    assert parse("优良中低差").scale == "five"
    assert parse("优良中低差", nature="定性").scale == "five"
    assert parse("高中低", nature="定性").scale == "hml"
    assert parse("完成/部分完成/未完成").scale == "three"
    value = parse("不低于上年")
    assert value.relative == "上年" and value.direction is Direction.POSITIVE
    assert parse("已实现全市所县市区全覆盖，与上年相同").relative == "上年"


def test_nature_column_overrides_text() -> None:
    value = parse("≤ 5", nature="≥", unit="台")
    assert value.direction is Direction.POSITIVE and value.direction_source == "column"
    assert any("不一致" in note for note in value.recognised)
    assert parse("95%", nature="定性").kind is Kind.QUALITATIVE


@pytest.mark.parametrize(
    ("text", "deadline", "resolved"),
    [
        ("11月底前", Deadline(None, 11, None, True, False), date(2022, 11, 30)),
        ("9月前", Deadline(None, 9, None, False, True), date(2022, 8, 31)),
        ("2023年12月", Deadline(2023, 12, None), date(2023, 12, 31)),
        ("完成时间为2022年12月30日", Deadline(2022, 12, 30), date(2022, 12, 30)),
        ("2019 年完成", Deadline(2019), date(2019, 12, 31)),
        ("2020.12.31", Deadline(2020, 12, 31), date(2020, 12, 31)),
        ("12月31日前", Deadline(None, 12, 31), date(2022, 12, 31)),
        ("2019年11月20日完成", Deadline(2019, 11, 20), date(2019, 11, 20)),
        ("2月底前", Deadline(None, 2, None, True), date(2022, 2, 28)),
        ("1月前", Deadline(None, 1, None, False, True), date(2021, 12, 31)),
        ("年底前完成", Deadline(None, 12, None, True), date(2022, 12, 31)),
    ],
)
def test_deadlines(text: str, deadline: Deadline, resolved: date) -> None:
    value = parse(text)
    assert value.kind is Kind.DEADLINE
    assert value.deadline == deadline
    assert value.deadline.resolve(2022) == resolved


def test_deadline_without_year_needs_one() -> None:
    with pytest.raises(ValueError):
        Deadline(None, 11, None, True).resolve()


@pytest.mark.parametrize("text", ["2月30日前", "13月底前", "2019年13月"])
def test_impossible_dates_are_not_deadlines(text: str) -> None:
    assert parse(text).kind is not Kind.DEADLINE


def test_compatible_and_adopt_unit() -> None:
    target = parse("230 万人左右")
    actual = parse("232.28 万")
    assert compatible(target, actual)
    adopted = adopt_unit(actual, target)
    assert adopted.unit == "人" and adopted.base == Decimal("2322800")
    bare = adopt_unit(parse("400.3"), parse("400 万人以上"))
    assert bare.base == Decimal("4003000") and bare.unit == "人" and bare.printed_unit == "万人"
    assert adopt_unit(parse("93"), parse("92%")).unit == "%"
    assert not compatible(parse("5 人"), parse("5 元"))
    assert not compatible(parse("5%"), parse("5 人"))
    assert not compatible(parse("5 人"), parse("5 人次"))
    assert compatible(parse("2 亿元"), parse("1200 万元"))
    assert not compatible(parse("显著"), parse("5%"))
    # an actual that already has a unit keeps it
    assert adopt_unit(parse("5 元"), parse("5 人")).unit == "元"


def test_display() -> None:
    assert parse("≥ 5 台").display() == "≥5台"
    assert parse(">3 种方式").display() == ">3种"
    assert parse("11 万余人次").display() == "11万余人次"
    assert parse("优良中低差", nature="定性").display() == "定性：优良中低差（优良中低差）"
    assert parse("2019 年完成").display() == "期限 2019年"
    assert parse(None).display() == "（空）"
    assert parse("abc%%").display().startswith("无法识别")
