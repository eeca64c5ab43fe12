"""整改事项: one problem of one project-year, the unit responsible, the deadline, and its way through
待整改 → 已反馈 → 已确认 (or 退回 → 已反馈 again). Every change is a named action of ``actions`` (the
transitions are one table there) and is kept in the history."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Source(models.TextChoices):
    REVIEW = "review", "审核"
    RECHECK = "recheck", "复核"
    MONITORING = "monitoring", "监控"


class RectifyStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已反馈"
    CONFIRMED = "confirmed", "已确认"
    RETURNED = "returned", "退回"


#: statuses in which the item still waits for something (the unit or the reviewer)
PENDING = (RectifyStatus.OPEN, RectifyStatus.ANSWERED, RectifyStatus.RETURNED)


class RectifyItemQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=PENDING)

    def with_file_count(self):
        """Each item with ``file_count``: the files of the unit's account, not removed."""
        return self.annotate(
            file_count=models.Count("evidence", filter=Q(evidence__removed_at__isnull=True), distinct=True)
        )

    def overdue(self, today: datetime.date | None = None):
        """Past the deadline and not confirmed."""
        return self.pending().filter(deadline__lt=today or timezone.localdate())


class RectifyItem(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="rectify_items", verbose_name="项目"
    )
    unit = models.ForeignKey(
        "projects.Unit", on_delete=models.PROTECT, related_name="rectify_items", verbose_name="责任单位"
    )
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    recheck_item = models.ForeignKey(
        "recheck.RecheckItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectify_items",
        verbose_name="来源复核记录",
    )
    problem = models.TextField("整改事项")
    deadline = models.DateField("整改期限")
    status = models.CharField(
        "状态", max_length=20, choices=RectifyStatus.choices, default=RectifyStatus.OPEN
    )
    account = models.TextField("整改情况（单位反馈）", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="反馈人",
    )
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    review_comment = models.TextField("确认或退回意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    reviewed_at = models.DateTimeField("确认或退回时间", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    opened_at = models.DateTimeField("提出时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(verbose_name="整改事项变更记录")

    objects = RectifyItemQuerySet.as_manager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = verbose_name
        ordering = ["deadline", "pk"]
        indexes = [
            # a unit's open items (its home page) and a project's (its page)
            models.Index(fields=["unit", "status", "deadline"], name="rectify_unit_status"),
            models.Index(fields=["project", "status"], name="rectify_project_status"),
        ]
        constraints = [
            models.CheckConstraint(name="rectify_problem_required", condition=~Q(problem="")),
            models.CheckConstraint(
                name="rectify_answered_has_account",
                condition=~Q(status__in=["answered", "confirmed"]) | ~Q(account=""),
            ),
            models.CheckConstraint(
                name="rectify_returned_has_comment", condition=~Q(status="returned") | ~Q(review_comment="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · 整改事项 #{self.pk}"

    @property
    def overdue(self) -> bool:
        return self.status in PENDING and self.deadline < timezone.localdate()
