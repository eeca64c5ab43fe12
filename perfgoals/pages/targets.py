"""The target tree as the target stage shows it: what the engine read in each target, and the rows
grouped by level 1 and level 2 with their forms, readings and last year's values. Presenters: they run
no query."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import workflow
from ..engine import LEVEL1, LEVEL2, Direction, Kind, parse, vocabulary
from ..engine.nature import read_name
from ..engine.values import format_decimal
from ..forms import TargetForm
from ..intake.rollover import relative_suggestion
from ..models import Indicator
from ..weights import WeightSums

_SOURCE_LABELS_DIRECTION = {
    "user": "已人工确认",
    "column": "按指标性质列",
    "operator": "按符号识别",
    "word": "按用语识别",
    "name": "按指标名称推测",
    "default": "未标明方向，暂按正向",
}


def target_reading(indicator: Indicator) -> dict:
    """What the engine read in a target, for display beside the field (pure: no query)."""
    value = parse(
        indicator.target_text, nature=indicator.nature_printed or None, unit=indicator.unit_printed or None
    )
    kind = Kind(indicator.target_kind) if indicator.target_kind in Kind._value2member_map_ else value.kind
    direction = (
        Direction(indicator.direction) if indicator.direction in Direction._value2member_map_ else None
    )
    shown = ""
    if kind is Kind.QUANTITATIVE and value.number is not None:
        shown = (
            f"{direction.symbol if direction else ''}{format_decimal(value.number)}{value.printed_unit or ''}"
        )
    elif kind is Kind.DEADLINE and value.deadline is not None:
        shown = value.deadline.display()
    elif kind is Kind.QUALITATIVE and value.scale:
        shown = {"three": "完成/部分完成/未完成", "five": "优良中低差", "hml": "高中低"}.get(value.scale, "")
    suggested = workflow.direction_suggested(indicator)
    hint = ""
    if suggested and indicator.direction_source == "name":
        signal = read_name(indicator.name)
        if signal.ambiguous:
            hint = f"名称中的“{signal.keyword}”方向不明（{signal.reason}），暂按正向（≥）计"
        elif signal.keyword:
            label = direction.label if direction else ""
            hint = f"按名称中的“{signal.keyword}”推测为{label}（{signal.reason}）"
    elif suggested:
        hint = "未标明方向，暂按正向（≥）计"
    return {
        "kind": kind.label,
        "kind_code": kind.value,
        "direction": direction.label if direction and kind is Kind.QUANTITATIVE else "",
        "direction_code": direction.value if direction else "",
        "value": shown,
        "source": _SOURCE_LABELS_DIRECTION.get(indicator.direction_source, "")
        if kind is Kind.QUANTITATIVE
        else "",
        "suggested": suggested,
        "unreadable": workflow.target_unreadable(indicator),
        "hint": hint,
    }


@dataclass
class TargetRow:
    """One indicator of the target tree, with its category cells, form, reading and last year's values."""

    indicator: Indicator
    level1_cell: dict | None = None
    level2_cell: dict | None = None
    form: TargetForm | None = None
    reading: dict = field(default_factory=dict)
    carried: object = None
    suggestion: str = ""
    review_flags: list = field(default_factory=list)
    #: on the review page: the same library entry's targets in the region-year (intake.peers.Peers)
    peers: object = None
    #: the automatic checks about this indicator (workflow.target_checks: below last year's actual, a
    #: level 2 of qualitative indicators only), shown in the row on the editor and the review page
    checks: list = field(default_factory=list)
    first_in_group: bool = False
    last_in_group: bool = False
    message: str = ""
    message_level: str = ""

    @property
    def anchor(self) -> str:
        return f"tgt-{self.indicator.pk}"


def build_target_rows(
    indicators: list[Indicator],
    generation: str,
    carried: dict,
    *,
    editable: bool,
    review: bool = False,
    bound: dict | None = None,
    row_messages: dict | None = None,
    checks: list | None = None,
) -> list[TargetRow]:
    """The tree grouped by level 1 and level 2 in the generation's print order, with rowspans;
    ``checks``: the automatic checks, each about an indicator shown in its row."""
    by_indicator: dict[int, list] = {}
    for check in checks or []:
        if check.indicator_id is not None:
            by_indicator.setdefault(check.indicator_id, []).append(check)
    bound = bound or {}
    row_messages = row_messages or {}
    level1_order = list(vocabulary.GENERATION_LEVEL1[generation]) + list(LEVEL1)
    level2_order = list(vocabulary.GENERATIONS[generation]) + list(LEVEL2)
    groups: dict[str, dict[str, list[Indicator]]] = {}
    for indicator in sorted(
        indicators, key=lambda i: (level1_order.index(i.level1) if i.level1 in level1_order else 99, i.order)
    ):
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(indicator)
    rows: list[TargetRow] = []
    for level1, level2_groups in groups.items():
        count = sum(len(m) for m in level2_groups.values())
        weights = [
            i.weight
            for m in level2_groups.values()
            for i in m
            if i.weight is not None and not i.not_applicable
        ]
        first = True
        for level2 in sorted(level2_groups, key=lambda c: level2_order.index(c) if c in level2_order else 99):
            members = level2_groups[level2]
            for position, indicator in enumerate(members):
                row = TargetRow(
                    indicator=indicator,
                    first_in_group=position == 0,
                    last_in_group=position == len(members) - 1,
                )
                if first:
                    row.level1_cell = {
                        "label": LEVEL1.get(level1, level1),
                        "rowspan": count,
                        "sum": sum(weights, Decimal(0)),
                    }
                    first = False
                if position == 0:
                    row.level2_cell = {"label": LEVEL2.get(level2, level2), "rowspan": len(members)}
                row.reading = target_reading(indicator)
                link = carried.get(indicator.pk)
                if link is not None:
                    row.carried = link
                    row.suggestion = relative_suggestion(indicator, link)
                if editable:
                    row.form = bound.get(indicator.pk) or TargetForm(
                        generation=generation, indicator=indicator
                    )
                if review:
                    row.review_flags = workflow.target_review_flags(indicator)
                row.checks = by_indicator.get(indicator.pk, [])
                if indicator.pk in row_messages:
                    row.message, row.message_level = row_messages[indicator.pk]
                rows.append(row)
    return rows


def level1_sums(sums: WeightSums, codes: list[str], weights_form=None) -> list[dict]:
    """Each level 1 of ``codes``: what its rows are worth, the weight its header declares, whether they
    agree, and the header's field of ``weights_form`` (when the page has one)."""
    disagree = {problem.level1 for problem in sums.problems() if problem.level1}
    out = []
    for code in codes:
        key = f"w_{code}"
        out.append(
            {
                "label": LEVEL1.get(code, code),
                "rows": sums.level1.get(code, Decimal(0)),
                "declared": sums.declared.get(code),
                "ok": code not in disagree,
                "field": weights_form[key]
                if weights_form is not None and key in weights_form.fields
                else None,
            }
        )
    return out
