"""The 自评表 as a page shows it: the indicator block with the rowspans of the printed form, the
subtotals and the budget block. Presenters: they arrange data the view has loaded and run no query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from projects.models import BudgetLine, Project

from .. import workflow
from ..engine import LEVEL1, LEVEL2, EvaluationResult, Flag
from ..forms import BudgetForm, IndicatorEntryForm
from ..models import Evaluation, Indicator
from ..weights import header_weight

#: engine flags not worth a chip while entering: the explanation already says "封顶" and "推测…请确认"
#: (the direction is part of the approved targets, not of the results), and the reported scores are
#: replaced by the computed ones on submission
_ENTRY_HIDDEN_FLAGS = {Flag.CAPPED, Flag.REPORTED_SCORE_DIFFERS, Flag.DIRECTION_SUGGESTED}
#: the chip colour of an engine flag ("danger" unless listed)
_FLAG_LEVEL = {
    Flag.DIRECTION_SUGGESTED: "info",
    Flag.OVERSHOOT: "warn",
    Flag.OVERSHOOT_DEDUCTED: "warn",
    Flag.DEVIATION_NOTE_REQUIRED: "warn",
    Flag.DEADLINE_LATE: "warn",
    Flag.TARGET_ZERO: "info",
}


@dataclass
class SheetRow:
    """One row of the indicator block: an indicator, or a level-2 category printed as "无"."""

    level1: str
    level2: str
    indicator: Indicator | None = None
    level1_cell: dict | None = None  # {"label", "weight", "rowspan"} on the first row of a level 1
    level2_cell: dict | None = None  # {"label", "rowspan"} on the first row of a level 2
    form: IndicatorEntryForm | None = None
    show_band: bool = False
    suggested_band: str | None = None
    flags: list[tuple[str, str]] = field(default_factory=list)
    review_flags: list = field(default_factory=list)
    message: str = ""
    message_level: str = ""

    @property
    def needs_check(self) -> bool:
        """The row carries a review flag beyond mere information."""
        return any(flag.level != "info" for flag in self.review_flags)

    @property
    def anchor(self) -> str:
        return f"ind-{self.indicator.pk}" if self.indicator else f"empty-{self.level1}-{self.level2}"


def _level2_rank(code: str) -> int:
    codes = list(LEVEL2)
    return codes.index(code) if code in codes else len(codes)


def build_sheet(
    project: Project,
    evaluation: Evaluation,
    indicators: list[Indicator],
    result: EvaluationResult,
    *,
    caps: workflow.Capabilities | None = None,
    review: bool = False,
    bound: dict[int, IndicatorEntryForm] | None = None,
    row_messages: dict[int, tuple[str, str]] | None = None,
) -> list[SheetRow]:
    """The indicator block grouped by level 1 and level 2 with the rowspans of the printed form.

    Level-1 blocks follow the order of the indicators (the order of the source), level-2 groups the
    vocabulary's order; empty level-2 categories ("无") keep their place. ``result``: the engine's result
    of these indicators (in their order); ``caps``: the user's, for the entry forms (none: read-only);
    ``review``: with the reviewer's flags; ``bound``: indicator pk → the form the user sent;
    ``row_messages``: indicator pk → (message, level) shown in the row.
    """
    rows = _layout(project, evaluation, indicators)
    results = {ind.pk: res for ind, res in zip(indicators, result.indicators, strict=True)}
    scheme = evaluation.scheme.engine_scheme()
    for row in rows:
        if row.indicator is not None:
            _fill_row(row, results[row.indicator.pk], scheme, caps, review, bound or {}, row_messages or {})
    return rows


def sheet_row(
    project: Project,
    evaluation: Evaluation,
    indicators: list[Indicator],
    result: EvaluationResult,
    indicator_pk: int,
    *,
    caps: workflow.Capabilities,
    bound: dict[int, IndicatorEntryForm] | None = None,
    row_messages: dict[int, tuple[str, str]] | None = None,
) -> SheetRow:
    """The row of one indicator as :func:`build_sheet` gives it in entry mode (its category cells
    included), without building the others: what an inline save answers."""
    row = next(
        r for r in _layout(project, evaluation, indicators) if r.indicator and r.indicator.pk == indicator_pk
    )
    scored = next(
        res for ind, res in zip(indicators, result.indicators, strict=True) if ind.pk == indicator_pk
    )
    _fill_row(row, scored, evaluation.scheme.engine_scheme(), caps, False, bound or {}, row_messages or {})
    return row


def _layout(project: Project, evaluation: Evaluation, indicators: list[Indicator]) -> list[SheetRow]:
    """The rows in print order with their level-1 and level-2 cells, not filled yet."""
    groups: dict[str, dict[str, list[Indicator | None]]] = {}
    for indicator in indicators:  # the blocks' order is level1_order's
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(indicator)
    for level1, level2 in project.empty_level2 or []:
        groups.setdefault(level1, {}).setdefault(level2, [None])

    declared = evaluation.declared_level1_weights or {}
    rows: list[SheetRow] = []
    for level1, level2_groups in groups.items():
        level1_rows = sum(len(members) for members in level2_groups.values())
        weight = header_weight(
            declared.get(level1), (ind.weight for members in level2_groups.values() for ind in members if ind)
        )
        first_of_level1 = True
        for level2 in sorted(level2_groups, key=_level2_rank):
            members = level2_groups[level2]
            for position, indicator in enumerate(members):
                row = SheetRow(level1=level1, level2=level2, indicator=indicator)
                if first_of_level1:
                    row.level1_cell = {
                        "label": LEVEL1.get(level1, level1),
                        "weight": weight,
                        "rowspan": level1_rows,
                    }
                    first_of_level1 = False
                if position == 0:
                    row.level2_cell = {"label": LEVEL2.get(level2, level2), "rowspan": len(members)}
                rows.append(row)
    return rows


def _fill_row(row: SheetRow, scored, scheme, caps, review: bool, bound: dict, row_messages: dict) -> None:
    """The row's content: flags, band, the entry form (when the user may enter), its message."""
    indicator = row.indicator
    row.suggested_band = scored.suggested_band if Flag.BAND_REQUIRED in scored.flags else None
    row.show_band = workflow.needs_band(indicator)
    hidden = _ENTRY_HIDDEN_FLAGS if not review else set()
    row.flags = [
        (flag.label, _FLAG_LEVEL.get(flag, "danger"))
        for flag in Flag
        if flag.value in (indicator.flags or []) and flag not in hidden
    ]
    if review:
        row.review_flags = workflow.indicator_review_flags(indicator, scheme)
    if caps is not None and caps.can_enter and not review:
        row.form = bound.get(indicator.pk) or IndicatorEntryForm(
            indicator=indicator, scheme=scheme, can_edit_plan=caps.can_edit_plan
        )
        if row.form.is_bound:
            row.show_band = row.show_band or bool(row.form.data.get(row.form.add_prefix("band")))
    if indicator.pk in row_messages:
        row.message, row.message_level = row_messages[indicator.pk]


def level1_order(project: Project, indicators: Iterable[Indicator]) -> list[str]:
    """The level-1 blocks in the table's order: as the indicators come (the source's order), then the
    empty categories the project keeps ("无")."""
    order = dict.fromkeys(indicator.level1 for indicator in indicators)
    for level1, _ in project.empty_level2 or []:
        order.setdefault(level1)
    return list(order)


def subtotals(result: EvaluationResult, order: Iterable[str] = ()) -> list[dict]:
    """Each level 1's score against its weight (the header's when declared), for the result bar, in
    ``order`` (:func:`level1_order`, the table's), any other after it in the engine's order."""
    place = {code: i for i, code in enumerate(order)}
    ordered = sorted(result.subtotals.values(), key=lambda sub: place.get(sub.level1, len(place)))
    return [
        {
            "name": sub.name,
            "score": sub.capped_score,
            "weight": sub.declared_weight if sub.declared_weight is not None else sub.weight_sum,
        }
        for sub in ordered
    ]


def budget_rows(lines: Iterable[BudgetLine], totals: dict) -> dict:
    """The budget block: 年度资金总额 (``Project.budget_totals``) and one row per fund source."""
    by_source = {line.source: line for line in lines}
    return {
        "totals": totals,
        "lines": [(label, by_source.get(source)) for source, label in BudgetForm.SOURCES],
    }
