"""What the 复核 pages show: rows arranged from loaded records, and the gap by department."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..models import Indicator
from .actions import RecheckTotal, recheck_total, round_score
from .models import ItemStatus, RecheckItem, RecheckScore


@dataclass
class ItemRow:
    item: RecheckItem
    self_total: Decimal | None
    self_grade: str
    recheck: RecheckTotal
    final: bool

    @property
    def gap(self) -> Decimal | None:
        """复核总分 − 自评得分 (negative: the self-evaluation was higher)."""
        if self.self_total is None:
            return None
        return self.recheck.total - self.self_total


def item_rows(items) -> list[ItemRow]:
    """One row per item: the stored 复核 result of a finished item, the live one of an item in progress."""
    rows = []
    for item in items:
        evaluation = item.evaluation
        if item.status == ItemStatus.DONE:
            result = RecheckTotal(Decimal(0), Decimal(0), item.recheck_total, item.recheck_grade)
        else:
            result = recheck_total(item)
        rows.append(
            ItemRow(item, evaluation.total_score, evaluation.grade, result, item.status == ItemStatus.DONE)
        )
    return rows


@dataclass
class DepartmentGap:
    name: str
    count: int
    self_mean: Decimal
    recheck_mean: Decimal

    @property
    def gap(self) -> Decimal:
        return self.recheck_mean - self.self_mean


def department_gaps(rows: list[ItemRow]) -> list[DepartmentGap]:
    """Mean 自评得分 and 复核总分 of each department's finished items, largest overstatement first."""
    groups: dict[str, list[ItemRow]] = defaultdict(list)
    for row in rows:
        if row.final and row.self_total is not None:
            groups[row.item.evaluation.project.department.name].append(row)
    out = [
        DepartmentGap(
            name,
            len(members),
            round_score(sum((r.self_total for r in members), Decimal(0)) / len(members)),
            round_score(sum((r.recheck.total for r in members), Decimal(0)) / len(members)),
        )
        for name, members in groups.items()
    ]
    return sorted(out, key=lambda g: (g.gap, g.name))


@dataclass
class IndicatorRow:
    indicator: Indicator
    recheck: RecheckScore | None
    error: dict | None = None


def indicator_rows(item: RecheckItem, errors: dict | None = None) -> list[IndicatorRow]:
    scores = {s.indicator_id: s for s in RecheckScore.objects.filter(item=item).select_related("updated_by")}
    indicators = Indicator.objects.filter(project_id=item.evaluation.project_id).order_by("order")
    errors = errors or {}
    return [IndicatorRow(i, scores.get(i.pk), errors.get(i.pk)) for i in indicators]


#: the columns of the 复核 result table (xlsx), and their number formats
RESULT_HEADER = [
    "序号",
    "项目名称",
    "实施单位",
    "主管部门",
    "抽取原因",
    "抽取时风险分",
    "自评得分",
    "自评等级",
    "复核总分",
    "复核等级",
    "差额（复核−自评）",
    "状态",
    "复核发现",
]
RESULT_FORMATS = [None, None, None, None, None, "0.00", "0.00", None, "0.00", None, "0.00", None, None]


def result_table(rows: list[ItemRow]) -> list[list]:
    """The 复核 result table: one row per sampled evaluation, the numbers as Decimals."""
    return [
        [
            row.item.order,
            row.item.evaluation.project.name,
            row.item.evaluation.project.unit.name,
            row.item.evaluation.project.department.name,
            row.item.get_reason_display(),
            row.item.risk_score,
            row.self_total,
            row.self_grade,
            row.recheck.total,
            row.recheck.grade,
            row.gap,
            row.item.get_status_display() + ("" if row.final else "（暂计）"),
            row.item.findings,
        ]
        for row in rows
    ]
