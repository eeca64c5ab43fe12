"""Guessing an indicator's direction (正向 / 反向) from its name: a lexicon of words, each with its reason.

A bare target such as "70 万元" or "100%" says nothing about whether more is better. The name usually
does: "补助成本" and "被投诉次数" are better when lower, "满意度" and "及时率" when higher. The guess is
only ever a *suggestion*: scoring flags it (``DIRECTION_SUGGESTED``, direction source "name") so that
the unit confirms it, and the explanation quotes the word and its reason.

Every entry of :data:`LEXICON` is a :class:`Cue`: the word, the direction it points to (None for a word
that points both ways) and a short Chinese reason. How a name is read (:func:`read_name`):

0. A *reduction* word (:data:`REDUCTION_KEYWORDS`: 减轻, 降低, 节约, 挽回, 降幅 …) anywhere → positive: the
   name measures how much of something bad was removed ("负担减轻程度", "发生率降低", "节约资金").
1. Otherwise the word that ends *last* in the name decides, the longest first when two end at the same
   place: a Chinese name is head-final, the measure word comes at the end. So "违规行为公示率" is about
   publishing (公示率: positive) although it names violations, "群众投诉办结率" about closing complaints,
   "违规资金追回率" about recovering money, while "安全事故发生率" and "项目结转结余率" are rates of
   something that should stay low; "人均培训成本控制率" is read by the longer "成本控制率" (a cap, ≤).
2. A word that points both ways ("控制率": blood-pressure control is better when higher, a spending
   control rate against a cap when lower; "检出率") gives no direction of its own: the scorer falls back
   to positive, and the unit must confirm it as with any guess; the reason says why.
3. No word → no signal: the scorer falls back to positive and flags it.

The lexicon was built from the seed tables (``/work/shared/seeds``) and published 绩效目标表 of other
provinces; ``tests/engine/test_nature.py`` checks it on realistic rows and measures it on the seeds
against the directions the units printed.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from .valuetypes import Direction

__all__ = [
    "COST_KEYWORDS",
    "LEXICON",
    "NEGATIVE_KEYWORDS",
    "POSITIVE_KEYWORDS",
    "REDUCTION_KEYWORDS",
    "Cue",
    "NameSignal",
    "direction_signal",
    "read_name",
    "suggest_direction",
]

_POS = Direction.POSITIVE
_NEG = Direction.NEGATIVE


@dataclass(frozen=True)
class Cue:
    """One word of the lexicon: the direction it points to (None: both ways) and why, in Chinese."""

    word: str
    direction: Direction | None
    reason: str


@dataclass(frozen=True)
class NameSignal:
    """What a name says about the direction: the deciding word (None without one), its direction
    (None when the word points both ways, or without a word) and its reason."""

    direction: Direction | None
    keyword: str | None
    reason: str | None

    @property
    def ambiguous(self) -> bool:
        """A word was found that points both ways."""
        return self.keyword is not None and self.direction is None


def _cues(direction: Direction | None, reason: str, *words: str) -> tuple[Cue, ...]:
    return tuple(Cue(word, direction, reason) for word in words)


#: a reduction of something bad is better when higher (checked before every other word)
REDUCTION_KEYWORDS: tuple[str, ...] = (
    "减轻",
    "减少",
    "降低",
    "节约",
    "节省",
    "挽回",
    "降幅",
    "下降幅度",
    "压缩",
    "降价幅度",
)
_REDUCTION_REASON = "衡量减少、节约或挽回的程度，越高越好"

#: the lexicon: every word with its direction and reason (order does not matter: the last word decides)
LEXICON: tuple[Cue, ...] = (
    # --- money spent, burdens, losses: lower is better
    *_cues(_NEG, "属于花费或负担，越低越好", "成本", "超概算", "赤字", "负担", "费用支出", "人均费用"),
    *_cues(_NEG, "属于损失，越低越好", "损失", "损失率", "损毁率", "损坏率", "损耗率", "破损率", "灭失率"),
    *_cues(_NEG, "属于超出预算的支出，越低越好", "超支", "超支率", "超预算"),
    *_cues(
        _NEG,
        "预算管理指标：结转结余越少，资金使用越及时",
        "结转结余率",
        "结余结转率",
        "结转率",
        "结余率",
        "结转结余资金",
        "沉淀资金",
        "闲置资金",
    ),
    *_cues(
        _NEG,
        "控制在上限以内的比率，越低越好",
        "成本控制率",
        "经费控制率",
        "费用控制率",
        "支出控制率",
        "预算控制率",
        "开支控制率",
        "三公经费",
        "行政成本",
    ),
    # --- bad events, errors, durations: lower is better
    *_cues(_NEG, "属于投诉，越少越好", "投诉", "投诉率", "投诉量", "投诉次数", "上访", "信访量"),
    *_cues(
        _NEG,
        "属于差错或故障，越少越好",
        "故障率",
        "误差率",
        "差错率",
        "错误率",
        "出错率",
        "失误率",
        "失败率",
        "退回率",
        "变更率",
        "返工率",
        "不良",
        "不合格率",
        "超标率",
        "漏报率",
        "误报率",
        "重复率",
    ),
    *_cues(
        _NEG,
        "属于不良事件的发生，越少越好",
        "事故",
        "事故率",
        "事故发生率",
        "发生率",
        "发生数",
        "发生次数",
        "案发率",
        "犯罪率",
        "火灾",
        "灾害损失",
        "受灾",
    ),
    *_cues(
        _NEG,
        "属于发病或死亡，越低越好",
        "发病率",
        "患病率",
        "感染率",
        "死亡率",
        "病死率",
        "死亡人数",
        "伤亡",
        "复发率",
    ),
    *_cues(_NEG, "属于违规违法，越少越好", "违规", "违法", "违纪", "违章"),
    *_cues(
        _NEG,
        "属于污染、排放或消耗，越低越好",
        "污染",
        "排放",
        "碳排放",
        "能耗",
        "物耗",
        "漏损率",
        "超标",
        "受害率",
        "隐患",
    ),
    *_cues(
        _NEG,
        "医疗费用控制指标：患者负担和费用占比越低越好",
        "药占比",
        "耗占比",
        "次均费用",
        "均次费用",
        "自付比例",
        "自负比例",
        "自付费用",
        "平均住院日",
    ),
    *_cues(
        _NEG,
        "属于未达标、不满意或逾期的比例，越低越好",
        "不满意率",
        "不满意度",
        "不达标率",
        "未达标率",
        "不及时率",
        "逾期",
        "逾期率",
        "欠薪",
        "坏账",
        "信访",
        "超期",
        "拖欠",
    ),
    *_cues(
        _NEG,
        "属于流失或闲置，越低越好",
        "流失率",
        "辍学率",
        "空置率",
        "闲置率",
        "撂荒",
        "失业率",
        "贫困发生率",
        "返贫",
    ),
    *_cues(
        _NEG,
        "属于耗用的时间，越短越好",
        "响应时间",
        "等待时间",
        "办理时间",
        "处理时间",
        "排队时间",
        "时长",
        "周期",
        "耗时",
        "用时",
        "时限",
        "办理时限",
    ),
    # --- measure words of a rate that is better when higher (they win over the subjects above when
    # they come last: "违规行为公示率", "投诉办结率")
    *_cues(_POS, "满意程度，越高越好", "满意度", "满意率", "好评率"),
    *_cues(
        _POS,
        "报销、补偿或救助的比例，越高越好",
        "报销比例",
        "报销率",
        "补偿比例",
        "救助比例",
        "保障比例",
    ),
    *_cues(
        _POS,
        "治理或达标排放的比例，越高越好（即使名称中含污染、排放等字样）",
        "治理率",
        "治理面积",
        "达标排放",
        "优良天数",
        "优良率",
    ),
    *_cues(
        _POS,
        "参与或普及的比例，越高越好",
        "就业率",
        "入学率",
        "巩固率",
        "普及率",
        "参与率",
        "出勤率",
        "签约率",
        "建档率",
        "随访率",
        "回访率",
        "准点率",
        "畅通率",
        "可用率",
        "在线率",
        "联网率",
        "归档率",
        "上报率",
    ),
    *_cues(_POS, "覆盖越广越好", "覆盖率", "覆盖面"),
    *_cues(_POS, "完成比例，越高越好", "完成率", "达标率", "合格率", "通过率", "符合率"),
    *_cues(_POS, "按时办理的比例，越高越好", "及时率", "及时性", "按时率", "准时率"),
    *_cues(_POS, "准确程度，越高越好", "准确率", "准确性", "精准度", "正确率"),
    *_cues(_POS, "知晓的人越多越好", "知晓率", "知晓度", "知晓面"),
    *_cues(
        _POS,
        "处理、整改或查处问题的比例，越高越好（即使名称中含违规、投诉等字样）",
        "处理率",
        "办结率",
        "受理率",
        "结案率",
        "处置率",
        "查处率",
        "查结率",
        "整改率",
        "整改完成率",
        "纠正率",
        "销号率",
        "反馈率",
        "答复率",
        "回复率",
    ),
    *_cues(
        _POS,
        "公开、公示或披露的比例，越高越好（即使公开的是违规事项）",
        "公示率",
        "公开率",
        "公开度",
        "披露率",
        "曝光率",
        "通报率",
    ),
    *_cues(_POS, "追回或回收的比例，越高越好", "追回率", "回收率", "收回率", "清退率", "挽损率"),
    *_cues(
        _POS,
        "资金到位或执行的比例，越高越好",
        "到位率",
        "到账率",
        "执行率",
        "支付率",
        "结算率",
        "拨付率",
        "兑付率",
        "支出进度",
    ),
    *_cues(
        _POS,
        "利用或运行的比例，越高越好",
        "利用率",
        "使用率",
        "应用率",
        "运行率",
        "正常率",
        "完好率",
        "开工率",
        "完工率",
        "保有率",
        "参保率",
        "采纳率",
        "落实率",
        "入住率",
        "上线率",
        "应保尽保",
    ),
    *_cues(
        _POS,
        "救治或存活的比例，越高越好",
        "成活率",
        "存活率",
        "治愈率",
        "救治率",
        "接种率",
        "筛查率",
        "管理率",
        "规范管理率",
    ),
    # --- words that point both ways: a suggestion only, the unit must confirm
    *_cues(
        None,
        "“控制率”可正可反：控制在上限内的比率越低越好，疾病、疫情、血压等的控制率越高越好",
        "控制率",
    ),
    *_cues(None, "“检出率”可正可反：筛查检出越多越好，不合格检出越少越好", "检出率"),
    *_cues(None, "“变化率”可正可反：需看变化的是什么", "变化率", "变动率"),
    *_cues(
        None,
        "“标准”可正可反：补助、待遇标准达到为正向，开支、工资标准不超过为反向",
        "标准",
        "补助标准",
        "补贴标准",
        "筹集标准",
    ),
)

#: the words of the lexicon by direction, for those who read them as lists
COST_KEYWORDS: tuple[str, ...] = ("成本", "超支", "超概算", "损失", "赤字", "负担", "费用支出")
POSITIVE_KEYWORDS: tuple[str, ...] = tuple(cue.word for cue in LEXICON if cue.direction is _POS)
NEGATIVE_KEYWORDS: tuple[str, ...] = tuple(cue.word for cue in LEXICON if cue.direction is _NEG)

_BY_WORD = {cue.word: cue for cue in LEXICON}
if len(_BY_WORD) != len(LEXICON):  # pragma: no cover
    raise RuntimeError("a word appears twice in nature.LEXICON")
_NO_SIGNAL = NameSignal(None, None, None)


def read_name(indicator_name: str | None) -> NameSignal:
    """What an indicator's name says about its direction (see the module docstring). Never raises."""
    if not indicator_name:
        return _NO_SIGNAL
    if type(indicator_name) is str:
        return _read_name_cached(indicator_name)
    return _read_name(str(indicator_name))


def _read_name(indicator_name: str) -> NameSignal:
    name = "".join(unicodedata.normalize("NFKC", indicator_name).split())
    for keyword in REDUCTION_KEYWORDS:
        if keyword in name:
            return NameSignal(_POS, keyword, _REDUCTION_REASON)
    best: Cue | None = None
    best_end = -1
    # only the words whose first character the name has (the one with the last end wins, the
    # longest among those: the order the words are tried in does not matter)
    for cue in _cues_starting_with(name):
        start = name.rfind(cue.word)
        if start < 0:
            continue
        end = start + len(cue.word)
        if end > best_end or (end == best_end and best is not None and len(cue.word) > len(best.word)):
            best, best_end = cue, end
    if best is None:
        return _NO_SIGNAL
    return NameSignal(best.direction, best.word, best.reason)


_read_name_cached = functools.lru_cache(maxsize=4096)(_read_name)

#: first character → the lexicon's words starting with it
_BY_FIRST: dict[str, tuple[Cue, ...]] = {}
for _cue in LEXICON:
    _BY_FIRST[_cue.word[0]] = (*_BY_FIRST.get(_cue.word[0], ()), _cue)


def _cues_starting_with(name: str) -> list[Cue]:
    by_first = _BY_FIRST
    return [cue for char in set(name) if char in by_first for cue in by_first[char]]


def direction_signal(indicator_name: str | None) -> tuple[Direction | None, str | None]:
    """The direction suggested by an indicator's name and the word that suggested it.

    ``(None, None)`` when the name carries no signal; ``(None, word)`` when its word points both ways.
    Never raises.
    """
    signal = read_name(indicator_name)
    return signal.direction, signal.keyword


def suggest_direction(indicator_name: str | None) -> Direction | None:
    """The direction an indicator's name suggests (see the module docstring), or None without a signal."""
    return read_name(indicator_name).direction
