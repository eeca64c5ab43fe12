"""A 复核 sample of a region-year, its items (one sampled evaluation each) and the per-indicator
复核得分. The unit's own scores are never written here: 复核 scores sit beside them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..choices import Grade
from ..models import SCORE


class DrawReason(models.TextChoices):
    """Why an evaluation was drawn, in the order the criteria are applied."""

    RISK = "risk", "风险"
    FUNDS = "funds", "资金"
    LOW_EXECUTION = "low_execution", "低执行"
    RANDOM = "random", "随机"


class ItemStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"


class RecheckSample(models.Model):
    """One draw: the region-year, the criteria (how many per reason) and the seed of its random share,
    so that the same criteria and seed on the same data draw the same evaluations."""

    region = models.ForeignKey(
        "projects.Region", on_delete=models.PROTECT, related_name="recheck_samples", verbose_name="地区"
    )
    year = models.PositiveSmallIntegerField("年度")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="抽取人"
    )
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)
    criteria = models.JSONField("抽取条件", help_text='各原因抽取的数量，如 {"risk": 3, "funds": 2, ...}')
    seed = models.BigIntegerField("随机种子")
    notes = models.TextField("备注", blank=True)
    history = HistoricalRecords(verbose_name="复核样本变更记录")

    class Meta:
        verbose_name = "复核样本"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region} {self.year} 年度复核样本 #{self.pk}"


class RecheckItem(models.Model):
    """One sampled evaluation: why it was drawn, its risk score then, and the 复核 result."""

    sample = models.ForeignKey(
        RecheckSample, on_delete=models.CASCADE, related_name="items", verbose_name="样本"
    )
    evaluation = models.ForeignKey(
        "perfgoals.Evaluation",
        on_delete=models.PROTECT,
        related_name="recheck_items",
        verbose_name="绩效自评",
    )
    order = models.PositiveIntegerField("序号")
    reason = models.CharField("抽取原因", max_length=20, choices=DrawReason.choices)
    risk_score = models.DecimalField("抽取时风险分", **SCORE)
    recheck_total = models.DecimalField("复核总分", null=True, blank=True, **SCORE)
    recheck_grade = models.CharField("复核等级", max_length=2, choices=Grade.choices, blank=True)
    findings = models.TextField("复核发现", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ItemStatus.choices, default=ItemStatus.IN_PROGRESS
    )
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_rechecks",
        verbose_name="第三方复核人",
        help_text="财政部门委托的第三方评价机构人员：可查看该项目并逐项复核打分；完成复核仍由财政审阅人确认。",
    )
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="复核记录变更记录")

    class Meta:
        verbose_name = "复核记录"
        verbose_name_plural = verbose_name
        ordering = ["sample", "order"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "evaluation"], name="recheck_item_once_per_sample"),
            models.UniqueConstraint(fields=["sample", "order"], name="recheck_item_unique_position"),
            models.CheckConstraint(
                name="recheck_item_done_has_total",
                condition=~Q(status="done") | Q(recheck_total__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sample} · {self.evaluation}"


class RecheckScore(models.Model):
    """The 复核得分 of one indicator of a sampled evaluation, with the reason for it."""

    item = models.ForeignKey(
        RecheckItem, on_delete=models.CASCADE, related_name="scores", verbose_name="复核记录"
    )
    indicator = models.ForeignKey(
        "perfgoals.Indicator", on_delete=models.CASCADE, related_name="recheck_scores", verbose_name="指标"
    )
    score = models.DecimalField("复核得分", **SCORE)
    reason = models.TextField("复核理由")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="复核人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="复核得分变更记录")

    class Meta:
        verbose_name = "复核得分"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["item", "indicator"], name="recheck_score_once_per_indicator"),
            models.CheckConstraint(name="recheck_score_not_negative", condition=Q(score__gte=0)),
            models.CheckConstraint(name="recheck_score_reason_required", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} 复核得分 {self.score}"
