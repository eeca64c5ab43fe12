"""Guessing an indicator's direction (正向 / 反向) from its name.

A bare target such as "70 万元" or "100%" says nothing about whether more is better. The name usually
does: "补助成本" and "被投诉次数" are better when lower, "满意度" and "及时率" when higher. The guess is
only ever a *suggestion*: scoring flags it (``DIRECTION_SUGGESTED``) so that the user confirms it.

The keyword lists, checked in this order:

0. :data:`REDUCTION_KEYWORDS` → positive. A name that measures a *reduction* ("负担减轻程度",
   "挽回基金损失", "发生率降低", "节约资金", "降幅") is better when higher, even though it names a
   cost or a bad event.
1. :data:`COST_KEYWORDS` → negative. Money spent, burdens and losses are "lower is better" whatever
   the measure word: "成本控制率 ≤100%" stays negative because of 成本; "个人负担比例" is negative
   because of 负担.
2. :data:`POSITIVE_KEYWORDS` → positive. Measure words of a rate that is better when higher
   (满意度, 覆盖率, 完成率, 及时率, 合格率, 准确率, 知晓率, 处理率 …). They win over the subjects in
   step 3: "违规违法行为举报处理率" is about handling reports, the higher the better.
3. :data:`NEGATIVE_KEYWORDS` → negative: counts and rates of bad events and durations
   (投诉, 故障率, 误差率, 差错率, 错误率, 事故, 违规, 违法, 发生率, 不良, 响应时间, 等待时间, 办理时间,
   时长, 周期 …).
4. Otherwise None: no signal, the scorer falls back to positive and flags it.

"控制率" on its own is deliberately in neither list: "成本控制率" is caught by 成本, and seed 002 also
prints "人均培训成本控制率 ≥ 90 %" — the printed nature column wins over any name guess anyway.
"""

from __future__ import annotations

import functools
import unicodedata

from .values import Direction

__all__ = [
    "COST_KEYWORDS",
    "NEGATIVE_KEYWORDS",
    "POSITIVE_KEYWORDS",
    "REDUCTION_KEYWORDS",
    "direction_signal",
    "suggest_direction",
]

#: a reduction of something bad is better when higher (checked before everything else)
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
)

#: always negative: money spent, burdens, losses (checked first)
COST_KEYWORDS: tuple[str, ...] = ("成本", "超支", "超概算", "损失", "赤字", "负担", "费用支出")

#: positive measure words (checked second; they override the subjects of NEGATIVE_KEYWORDS)
POSITIVE_KEYWORDS: tuple[str, ...] = (
    "满意度",
    "满意率",
    "覆盖率",
    "覆盖面",
    "完成率",
    "及时率",
    "及时性",
    "合格率",
    "准确率",
    "准确性",
    "知晓率",
    "知晓度",
    "达标率",
    "处理率",
    "办结率",
    "受理率",
    "到位率",
    "到账率",
    "执行率",
    "利用率",
    "使用率",
    "正常率",
    "运行率",
    "参保率",
    "支付率",
    "公开率",
    "公开度",
    "采纳率",
    "落实率",
    "通过率",
    "保有率",
    "开工率",
    "完工率",
    "应用率",
    "符合率",
    "精准度",
    "结算率",
    "回收率",
)

#: negative subjects and durations (checked last)
NEGATIVE_KEYWORDS: tuple[str, ...] = (
    "投诉",
    "故障率",
    "误差率",
    "差错率",
    "错误率",
    "出错率",
    "事故",
    "违规",
    "违法",
    "发生率",
    "发生数",
    "不良",
    "响应时间",
    "等待时间",
    "办理时间",
    "处理时间",
    "时长",
    "周期",
    "变更率",
    "退回率",
    "失败率",
)


def direction_signal(indicator_name: str | None) -> tuple[Direction | None, str | None]:
    """The direction suggested by an indicator's name and the keyword that suggested it.

    Returns ``(None, None)`` when the name carries no signal. Never raises.
    """
    if not indicator_name:
        return None, None
    if type(indicator_name) is str:
        return _direction_signal_cached(indicator_name)
    return _direction_signal(indicator_name)


def _direction_signal(indicator_name: str) -> tuple[Direction | None, str | None]:
    name = "".join(unicodedata.normalize("NFKC", indicator_name).split())
    for keyword in REDUCTION_KEYWORDS:
        if keyword in name:
            return Direction.POSITIVE, keyword
    for keyword in COST_KEYWORDS:
        if keyword in name:
            return Direction.NEGATIVE, keyword
    for keyword in POSITIVE_KEYWORDS:
        if keyword in name:
            return Direction.POSITIVE, keyword
    for keyword in NEGATIVE_KEYWORDS:
        if keyword in name:
            return Direction.NEGATIVE, keyword
    return None, None


_direction_signal_cached = functools.lru_cache(maxsize=4096)(_direction_signal)


def suggest_direction(indicator_name: str | None) -> Direction | None:
    """The direction an indicator's name suggests (see the module docstring), or None without a signal."""
    return direction_signal(indicator_name)[0]
