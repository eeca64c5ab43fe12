"""The 自评表 as a page shows it: the indicator block with the rowspans of the printed form, the
subtotals and the budget block. Presenters: they arrange data the view has loaded and run no query."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from projects.models import Project

from .. import workflow
from ..engine import LEVEL1, LEVEL2, Flag
from ..engine.scoring import EvaluationResult
from ..forms import BudgetForm, IndicatorEntryForm
from ..models import Evaluation, Indicator

#: engine flags not worth a chip while entering: the explanation already says "封顶" and "推测…请确认"
#: (the direction is part of the approved targets, not of the results), and the reported scores are
#: replaced by the computed ones on submission
_ENTRY_HIDDEN_FLAGS = {Flag.CAPPED, Flag.REPORTED_SCORE_DIFFERS, Flag.DIRECTION_SUGGESTED}


_FLAG_LEVEL = {
    Flag.DIRECTION_SUGGESTED: "info",
    Flag.OVERSHOOT: "warn",
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
    vocabulary's order; empty level-2 categories ("无") keep their place.
    """
    scheme = evaluation.scheme.engine_scheme()
    entry = caps is not None and caps.can_enter and not review
    bound = bound or {}
    row_messages = row_messages or {}
    results = {ind.pk: res for ind, res in zip(indicators, result.indicators, strict=True)}

    groups: dict[str, dict[str, list[Indicator | None]]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(indicator)
    for level1, level2 in project.empty_level2 or []:
        groups.setdefault(level1, {}).setdefault(level2, [None])

    declared = evaluation.declared_level1_weights or {}
    rows: list[SheetRow] = []
    for level1, level2_groups in groups.items():
        level1_rows = sum(len(members) for members in level2_groups.values())
        weights = [
            ind.weight
            for members in level2_groups.values()
            for ind in members
            if ind and ind.weight is not None
        ]
        header = declared.get(level1)
        weight = (
            Decimal(str(header))
            if header not in (None, "")
            else (sum(weights, Decimal(0)) if weights else None)
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
                if indicator is not None:
                    _fill_row(
                        row,
                        indicator,
                        results[indicator.pk],
                        scheme,
                        caps,
                        entry,
                        review,
                        bound,
                        row_messages,
                    )
                rows.append(row)
    return rows


def _fill_row(row, indicator, scored, scheme, caps, entry, review, bound, row_messages) -> None:
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
    if entry:
        row.form = bound.get(indicator.pk) or IndicatorEntryForm(
            indicator=indicator, scheme=scheme, can_edit_plan=caps.can_edit_plan
        )
        if row.form.is_bound:
            row.show_band = row.show_band or bool(row.form.data.get(row.form.add_prefix("band")))
    if indicator.pk in row_messages:
        row.message, row.message_level = row_messages[indicator.pk]


def subtotals(result: EvaluationResult) -> list[dict]:
    return [
        {
            "name": sub.name,
            "score": sub.capped_score,
            "weight": sub.declared_weight if sub.declared_weight is not None else sub.weight_sum,
        }
        for sub in result.subtotals.values()
    ]


def budget_rows(project: Project) -> dict:
    lines = {line.source: line for line in project.budget_lines.all()}
    totals = project.budget_totals()
    return {
        "totals": totals,
        "lines": [(label, lines.get(source)) for source, label in BudgetForm.SOURCES],
    }
