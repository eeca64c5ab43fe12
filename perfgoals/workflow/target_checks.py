"""The automatic checks of a set of targets (绩效目标), written once: the target editor's submit checklist,
the submission itself and the target review page all read them from here.

What reviewers check by hand today (lifecycle.md §1; 财预〔2021〕101号 核心绩效目标和指标设置及取值指引):

=====================  ==============================================================  ========
code                   the rule                                                        severity
=====================  ==============================================================  ========
``weights``            the weights add up as the scheme requires (:mod:`perfgoals.weights`:  blocking
                       execution weight + the rows = the total; each declared level-1
                       header = its rows)
``no_cost``            a table of 2021 or later has a 成本 indicator (level 1 成本指标, or  blocking
                       the 2019 layout's level-2 成本指标 under 产出)
``no_satisfaction``    a 满意度 indicator is set (101号: "原则上应设置"; a project without   notice
                       service recipients may have a reason, the reviewer judges)
``qualitative_only``   a level 2 is not made of qualitative indicators only (定量为主、     notice
                       定性为辅)
``below_last_year``    a quantitative target is not easier than last year's actual for     notice
                       the same indicator (≥: below it; ≤: above it), in the same
                       unit only (no conversion: the overview's SQL signal is this
                       rule on the stored readings) — 目标是否偏低
=====================  ==============================================================  ========

A *blocking* check refuses a submission (nothing saved) and lists itself among what the unit must still
do; a *notice* (提示) is shown to the unit before it submits and to the reviewer among the items to look
at, and refuses nothing.

Pure functions over loaded rows: ``indicators`` are indicator-like objects (``pk``, ``name``, ``level1``,
``level2``, ``target_text``, ``target_kind``, ``direction``, ``nature_printed``, ``unit_printed``,
``weight``, ``not_applicable``), last year's values come as :class:`LastYear` (loaded by
:mod:`.last_year`), the scheme is anything with ``execution_weight`` and ``total``. No query here; the
values are read with the pure engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..engine import Direction, Kind, adopt_unit, parse, vocabulary
from ..engine.units import normalise_text
from ..weights import weight_sums
from .text import fmt

BLOCKING = "blocking"
NOTICE = "notice"

#: the Chinese name of a severity, as the pages print it
SEVERITY_LABELS = {BLOCKING: "须修改", NOTICE: "提示"}

#: the first year whose goal tables must carry 成本指标 (财预〔2021〕101号)
COST_REQUIRED_FROM = 2021

#: where a check of the whole table points on the page
TABLE_ANCHOR = "targets-table"
WEIGHTS_ANCHOR = "level1-weights"

QUALITATIVE_NATURE = "定性"


@dataclass(frozen=True)
class TargetCheck:
    """One finding: its code, a Chinese sentence naming the indicator (or the category), its severity,
    where it points on the page, and the indicator it is about (None: the whole table)."""

    code: str
    text: str
    severity: str
    anchor: str = TABLE_ANCHOR
    indicator_id: int | None = None
    #: the sentence without the indicator's name, for its own row ("" : the text itself)
    detail: str = ""

    @property
    def row_text(self) -> str:
        return self.detail or self.text

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    @property
    def level(self) -> str:
        """The page's flag level: a blocking check is "danger", a notice "warn"."""
        return "danger" if self.blocking else "warn"

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


@dataclass(frozen=True)
class LastYear:
    """Last year's target and actual of the same indicator, and how they were found: through the
    rollover's link (``via == "rollover"``) or by the project's and the indicator's names (``"name"``)."""

    year: int
    target_text: str
    actual_text: str
    nature_printed: str = ""
    unit_printed: str = ""
    via: str = "rollover"


def _active(indicators: Iterable) -> list:
    return [indicator for indicator in indicators if not indicator.not_applicable]


def _label(indicator) -> str:
    """“二级指标”“三级指标” as the sentences name an indicator."""
    return f"{vocabulary.level2_name(indicator.level2)}“{indicator.name}”"


def is_qualitative(indicator) -> bool:
    """The indicator is qualitative: read so from its target, or marked 定性 by the unit."""
    return (
        indicator.target_kind == Kind.QUALITATIVE
        or (indicator.nature_printed or "").strip() == QUALITATIVE_NATURE
    )


def is_cost(indicator) -> bool:
    """A 成本 indicator: level 1 成本指标 (2021 layout) or level 2 成本指标 under 产出 (2019 layout)."""
    return indicator.level1 == "cost" or indicator.level2 == "output_cost"


# --- the rules -------------------------------------------------------------------------------------


def weight_checks(indicators: Iterable, scheme, declared: Mapping | None) -> list[TargetCheck]:
    """The weights against the scheme's total and the declared level-1 headers (:mod:`perfgoals.weights`).
    The total is not checked while an applicable indicator has no weight: that row's own problem."""
    active = _active(indicators)
    sums = weight_sums(active, scheme, declared)
    out = []
    for problem in sums.problems():
        if problem.level1:
            text = (
                f"{vocabulary.level1_name(problem.level1)}：表头 {fmt(problem.expected)} 分，"
                f"各项分值合计 {fmt(problem.found)} 分，不一致"
            )
        elif active and sums.complete:
            text = (
                f"分值合计 {fmt(problem.found)} 分（含预算执行 {fmt(scheme.execution_weight)} 分），"
                f"应为总分 {fmt(problem.expected)} 分"
            )
        else:
            continue
        out.append(TargetCheck("weights", text, BLOCKING, WEIGHTS_ANCHOR))
    return out


def cost_checks(year: int | None, indicators: Iterable) -> list[TargetCheck]:
    """A table of 2021 or later without any applicable 成本 indicator."""
    active = _active(indicators)
    if not active or year is None or year < COST_REQUIRED_FROM or any(is_cost(i) for i in active):
        return []
    return [
        TargetCheck(
            "no_cost",
            f"成本指标：{COST_REQUIRED_FROM} 年起的绩效目标表须设置成本指标（经济成本、社会成本或生态环境成本），"
            "本表没有成本指标",
            BLOCKING,
        )
    ]


def satisfaction_checks(indicators: Iterable) -> list[TargetCheck]:
    """No applicable 满意度 indicator."""
    active = _active(indicators)
    if not active or any(i.level1 == "satisfaction" for i in active):
        return []
    return [
        TargetCheck(
            "no_satisfaction",
            "满意度指标：未设置满意度指标；有明确服务对象的项目原则上应设置（如服务对象满意度）",
            NOTICE,
        )
    ]


def qualitative_checks(indicators: Iterable) -> list[TargetCheck]:
    """Each level 2 whose applicable indicators are all qualitative (one finding per level 2)."""
    groups: dict[str, list] = {}
    for indicator in _active(indicators):
        groups.setdefault(indicator.level2, []).append(indicator)
    out = []
    for level2, members in groups.items():
        if all(is_qualitative(i) for i in members):
            name = vocabulary.level2_name(level2)
            if len(members) == 1:
                what = f"唯一的指标“{members[0].name}”为定性指标"
                detail = f"{name}只有这一项，且为定性指标"
            else:
                names = "、".join(f"“{i.name}”" for i in members)
                what = f"全部 {len(members)} 项指标（{names}）均为定性指标"
                detail = f"{name}的 {len(members)} 项指标均为定性指标"
            advice = "应设置可量化的指标（定量为主、定性为辅）"
            out.append(
                TargetCheck(
                    "qualitative_only",
                    f"{name}：{what}，{advice}",
                    NOTICE,
                    f"tgt-{members[0].pk}",
                    members[0].pk,
                    detail=f"{detail}，{advice}",
                )
            )
    return out


def _last_actual(last: LastYear, target):
    """Last year's actual as a value in this year's target's unit, or None when it cannot be compared."""
    previous_target = parse(
        last.target_text, nature=last.nature_printed or None, unit=last.unit_printed or None
    )
    actual = adopt_unit(parse(last.actual_text, unit=last.unit_printed or None), previous_target)
    if not actual.is_quantitative:
        return None
    # the same unit as this year's target, without converting one unit into another: the overview's
    # signal ``target_below_last_year`` (oversight.signals) compares the stored readings in SQL, which
    # cannot convert, so both compare only values read in the same (base) unit
    if actual.unit != target.unit:
        return None
    return actual


def below_last_year_check(indicator, last: LastYear | None) -> TargetCheck | None:
    """A ≥ target below last year's actual, or a ≤ target above it: easier than what was achieved."""
    if last is None or indicator.not_applicable or indicator.target_kind != Kind.QUANTITATIVE:
        return None
    if indicator.direction not in (Direction.POSITIVE, Direction.NEGATIVE):
        return None
    target = parse(
        indicator.target_text,
        nature=indicator.nature_printed or None,
        unit=indicator.unit_printed or None,
    )
    if not target.is_quantitative:
        return None
    actual = _last_actual(last, target)
    if actual is None:
        return None
    found = "按上年同名指标" if last.via == "name" else "上年"
    shown = normalise_text(last.actual_text)
    target_shown = normalise_text(indicator.target_text)
    if indicator.direction == Direction.POSITIVE:
        bound = target.base
        if bound is None or bound >= actual.base:
            return None
        detail = f"本年目标 {target_shown} 低于{found}（{last.year} 年）实际完成值 {shown}，目标是否偏低"
    else:
        bound = target.high if target.high is not None else target.base
        if bound is None or bound <= actual.base:
            return None
        detail = (
            f"本年目标 {target_shown} 宽于{found}（{last.year} 年）实际完成值 {shown}"
            "（反向指标，上限高于上年实际），目标是否偏低"
        )
    return TargetCheck(
        "below_last_year",
        f"{_label(indicator)}：{detail}",
        NOTICE,
        f"tgt-{indicator.pk}",
        indicator.pk,
        detail,
    )


def last_year_checks(indicators: Iterable, last_year: Mapping[int, LastYear]) -> list[TargetCheck]:
    """:func:`below_last_year_check` for each indicator with last year's values."""
    found = (below_last_year_check(i, last_year.get(i.pk)) for i in indicators)
    return [check for check in found if check is not None]


def check_targets(
    year: int | None,
    indicators: Iterable,
    scheme,
    declared: Mapping | None = None,
    last_year: Mapping[int, LastYear] | None = None,
) -> list[TargetCheck]:
    """Every check of a set of targets: the blocking ones first, then the notices, each in page order."""
    indicators = list(indicators)
    found = [
        *weight_checks(indicators, scheme, declared),
        *cost_checks(year, indicators),
        *satisfaction_checks(indicators),
        *qualitative_checks(indicators),
        *last_year_checks(indicators, last_year or {}),
    ]
    return [c for c in found if c.blocking] + [c for c in found if not c.blocking]


def counted(checks: Iterable[TargetCheck]) -> dict[str, int]:
    """How many findings of each code (for the review queue's one-line summary)."""
    counts: dict[str, int] = {}
    for check in checks:
        counts[check.code] = counts.get(check.code, 0) + 1
    return counts


__all__ = [
    "BLOCKING",
    "COST_REQUIRED_FROM",
    "NOTICE",
    "SEVERITY_LABELS",
    "LastYear",
    "TargetCheck",
    "below_last_year_check",
    "check_targets",
    "cost_checks",
    "counted",
    "is_cost",
    "is_qualitative",
    "last_year_checks",
    "qualitative_checks",
    "satisfaction_checks",
    "weight_checks",
]
