"""An evidence file (佐证材料) of a project-year, attached to one of its indicators or to the whole.

A file may instead support the unit's account of a 整改事项 (``rectify_item``): it is stored and checked
the same way, but listed and downloaded only on the 整改 pages (``rectify``, whose access rule decides
who reads it); the project's own lists leave it out (``EvidenceQuerySet.of_results``).

The file lives in Django's storage (``STORAGES["default"]``: the local disk, or an S3-compatible object
storage shared by every host). A file is never deleted by the application: removing it records who,
when and why (``removed_*``) and hides it from the pages; the history keeps every change.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


def evidence_path(instance: Evidence, filename: str) -> str:
    """A storage name that says nothing of the user's file name (kept in ``original_name``)."""
    return f"evidence/{instance.project_id}/{uuid.uuid4().hex}"


class EvidenceQuerySet(models.QuerySet):
    def active(self) -> EvidenceQuerySet:
        return self.filter(removed_at__isnull=True)

    def of_results(self) -> EvidenceQuerySet:
        """The files of the self-evaluation (the project-year and its indicators), not those of 整改."""
        return self.filter(rectify_item__isnull=True)


class Evidence(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="evidence", verbose_name="项目"
    )
    indicator = models.ForeignKey(
        "perfgoals.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name="指标",
        help_text="留空表示整个项目的佐证材料（如盖章的自评报告）。",
    )
    rectify_item = models.ForeignKey(
        "rectify.RectifyItem",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name="整改事项",
        help_text="单位反馈整改情况时附上的佐证材料；这类文件只在整改事项页列出和下载。",
    )
    file = models.FileField("文件", upload_to=evidence_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100, help_text="按文件内容识别。")
    sha256 = models.CharField("SHA-256", max_length=64)
    description = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    removed_at = models.DateTimeField("删除时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="删除人",
    )
    removal_reason = models.CharField("删除原因", max_length=500, blank=True)
    history = HistoricalRecords(verbose_name="佐证材料变更记录")

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = verbose_name
        ordering = ["project", "indicator_id", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["project", "removed_at"], name="evidence_project_active")]
        constraints = [
            models.CheckConstraint(
                name="evidence_removal_recorded",
                condition=Q(removed_at__isnull=True, removal_reason="")
                | (Q(removed_at__isnull=False) & ~Q(removal_reason="")),
            ),
            models.CheckConstraint(name="evidence_not_empty", condition=Q(size__gt=0)),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
