"""A region's rule (grade → proposed budget action), the default when a region has configured none, and
the reduction an action means in 万元 — written once, used by the table, the export and the actions.

Default (lifecycle.md §4, 结果应用): 优 → 优先保障; 良 → 据实保障; 中 → 核减一定比例; 差 → 取消或暂停下一年度
预算安排. The document leaves the 中 percentage to each region ("一定比例"); the default takes 10 %
(``DEFAULT_REDUCTION``) until the region sets its own in the admin (结果应用规则).

The reduction applies to next year's budget, so its base (``reduction_base``) is next year's proposal
when the model holds one — the budget of the project's next project-year (the rollover's, found through
``Indicator.carried_from``, else the same unit and name a year later: Σ its budget lines' 全年预算数, else
年初预算数, as its goal table prints 年度资金总额) — and otherwise this year's 全年预算数 (Σ budget lines'
``annual``, 万元), which the pages then say in words (``BASE_FALLBACK_NOTE``). The reduction is the base
× the percentage ÷ 100 for 核减, the whole base for 取消或暂停, nothing for 优先保障 and 据实保障; rounded
half-up to 0.01 万元 per project, as the summary table prints it, and the 合计 is the sum of the printed
rows.
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


#: what the pages say when the base is this year's budget (no next project-year holds a proposal yet)
BASE_FALLBACK_NOTE = "尚无下一年度项目的申报预算，按本年度全年预算数计算"
BASE_NEXT = "下一年度申报预算数"
BASE_THIS = "本年度全年预算数"


def reduction_base(budget, next_budget) -> tuple[Decimal | None, bool]:
    """(the base of the reduction, whether it is next year's proposal)."""
    if next_budget is not None:
        return Decimal(next_budget), True
    return (None if budget is None else Decimal(budget)), False


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
