"""A region's rule (grade → proposed budget action), the default when a region has configured none, and
the reduction an action means in 万元 — written once, used by the table, the export and the actions.

Default (lifecycle.md §4, 结果应用): 优 → 优先保障; 良 → 据实保障; 中 → 核减一定比例; 差 → 取消或暂停下一年度
预算安排. The document leaves the 中 percentage to each region ("一定比例"); the default takes 10 %
(``DEFAULT_REDUCTION``) until the region sets its own in the admin (结果应用规则).

The reduction of a project-year is its 全年预算数 (Σ budget lines' ``annual``, 万元) × the percentage
÷ 100 for 核减, the whole 全年预算数 for 取消或暂停, nothing for 优先保障 and 据实保障; rounded half-up to
0.01 万元 per project, as the summary table prints it, and the 合计 is the sum of the printed rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..choices import Grade
from .models import ApplicationRule, BudgetAction, action_text

DEFAULT_REDUCTION = Decimal("10")
#: the reduction in 万元 is rounded half-up to this place
WAN_PLACE = Decimal("0.01")


@dataclass(frozen=True)
class Proposal:
    action: str
    percent: Decimal | None = None

    @property
    def text(self) -> str:
        return action_text(self.action, self.percent)


DEFAULT_RULE: dict[str, Proposal] = {
    Grade.EXCELLENT: Proposal(BudgetAction.PRIORITY),
    Grade.GOOD: Proposal(BudgetAction.AS_NEEDED),
    Grade.FAIR: Proposal(BudgetAction.REDUCE, DEFAULT_REDUCTION),
    Grade.POOR: Proposal(BudgetAction.CANCEL),
}


def rule_for(region) -> dict[str, Proposal]:
    """The region's rule, one query: its configured lines, the default for every grade it leaves out."""
    rule = dict(DEFAULT_RULE)
    for grade, action, percent in ApplicationRule.objects.filter(region=region).values_list(
        "grade", "action", "reduction_percent"
    ):
        rule[grade] = Proposal(action, percent)
    return rule


def reduction(action: str | None, percent, budget) -> Decimal:
    """The 万元 an action takes from a budget (see the module's docstring), half-up at 0.01 万元."""
    if not action or budget is None:
        return Decimal("0.00")
    budget = Decimal(budget)
    if action == BudgetAction.CANCEL:
        amount = budget
    elif action == BudgetAction.REDUCE and percent is not None:
        amount = budget * Decimal(percent) / Decimal(100)
    else:
        amount = Decimal(0)
    return amount.quantize(WAN_PLACE, rounding=ROUND_HALF_UP)
