"""The rule of a region (grade → proposed budget action) and finance's decision for one project-year.

The proposal is never stored: it is computed from the project-year's final grade and the region's rule
whenever it is shown (``rules``), so a later change of grade re-proposes at once. The decision is stored
apart, with the grade and proposal it was taken against, so a later change shows as a difference and
never overwrites it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..choices import Grade

#: a reduction percentage: 0.01 – 100.00
PERCENT = {"max_digits": 5, "decimal_places": 2}


class BudgetAction(models.TextChoices):
    """The budget actions of lifecycle.md §4 (结果应用)."""

    PRIORITY = "priority", "优先保障"
    AS_NEEDED = "as_needed", "据实保障"
    REDUCE = "reduce", "核减"
    CANCEL = "cancel", "取消或暂停"


def check_percent(action: str, percent) -> dict[str, list[str]]:
    """The one rule for an action's percentage: 核减 needs 0 < x ≤ 100; the other actions none."""
    if action == BudgetAction.REDUCE:
        if percent is None:
            return {"reduction_percent": ["“核减”须填写核减比例。"]}
        if not Decimal(0) < Decimal(percent) <= Decimal(100):
            return {"reduction_percent": ["核减比例须大于 0、不超过 100。"]}
    elif percent is not None:
        return {"reduction_percent": ["只有“核减”填写核减比例。"]}
    return {}


def percent_condition() -> Q:
    # "IS NOT NULL" spelled out: a CHECK whose condition is NULL passes
    reduce = Q(action=BudgetAction.REDUCE, reduction_percent__isnull=False)
    return (reduce & Q(reduction_percent__gt=0, reduction_percent__lte=100)) | (
        ~Q(action=BudgetAction.REDUCE) & Q(reduction_percent__isnull=True)
    )


class ApplicationRule(models.Model):
    """One line of a region's rule: the budget action proposed for a grade. A region without lines uses
    ``rules.DEFAULT_RULE``; a region with some lines uses the default for the grades it leaves out."""

    region = models.ForeignKey(
        "projects.Region", on_delete=models.CASCADE, related_name="application_rules", verbose_name="地区"
    )
    grade = models.CharField("等级", max_length=2, choices=Grade.choices)
    action = models.CharField("建议措施", max_length=20, choices=BudgetAction.choices)
    reduction_percent = models.DecimalField(
        "核减比例（%）", null=True, blank=True, help_text="仅“核减”填写，如 10 表示核减 10%。", **PERCENT
    )
    history = HistoricalRecords(verbose_name="结果应用规则变更记录")

    class Meta:
        verbose_name = "结果应用规则"
        verbose_name_plural = verbose_name
        ordering = ["region", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["region", "grade"], name="application_rule_once_per_grade"),
            models.CheckConstraint(name="application_rule_percent", condition=percent_condition()),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.grade}：{action_text(self.action, self.reduction_percent)}"

    def clean(self) -> None:
        errors = check_percent(self.action, self.reduction_percent)
        if errors:
            raise ValidationError(errors)


class BudgetDecision(models.Model):
    """Finance's decision on one project-year: the action (and reduction), the reason, and the grade and
    proposal it was taken against."""

    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="budget_decision",
        verbose_name="项目",
    )
    action = models.CharField("决定措施", max_length=20, choices=BudgetAction.choices)
    reduction_percent = models.DecimalField("核减比例（%）", null=True, blank=True, **PERCENT)
    reason = models.TextField("理由")
    basis_grade = models.CharField("决定时等级", max_length=2, choices=Grade.choices, blank=True)
    basis_action = models.CharField("决定时建议措施", max_length=20, choices=BudgetAction.choices, blank=True)
    basis_percent = models.DecimalField("决定时建议核减比例（%）", null=True, blank=True, **PERCENT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="决定人"
    )
    decided_at = models.DateTimeField("决定时间")
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(verbose_name="结果应用决定变更记录")

    class Meta:
        verbose_name = "结果应用决定"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(name="budget_decision_reason_required", condition=~Q(reason="")),
            models.CheckConstraint(name="budget_decision_percent", condition=percent_condition()),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {action_text(self.action, self.reduction_percent)}"

    def clean(self) -> None:
        errors = check_percent(self.action, self.reduction_percent)
        if not (self.reason or "").strip():
            errors["reason"] = ["请填写理由。"]
        if errors:
            raise ValidationError(errors)


def action_text(action: str, percent) -> str:
    """How a page prints an action: 优先保障, 核减 10%, …"""
    label = BudgetAction(action).label if action in BudgetAction.values else ""
    if action == BudgetAction.REDUCE and percent is not None:
        return f"{label} {Decimal(percent).normalize():f}%"
    return label
