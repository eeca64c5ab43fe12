"""A publication (公开) of one department-year: what was published, by whom and when, frozen.

``contents`` holds what the public pages show, copied when it was published (project names, level
names as printed, target texts, scores as printed), so that a later edit of a project changes nothing
that was published. A withdrawn publication (撤回) is kept with its reason and is no longer shown."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    GOALS = "goals", "预算公开（绩效目标表）"
    RESULTS = "results", "决算公开（绩效自评结果）"


def new_slug() -> str:
    """The public address of a publication: not guessable from ids or from other publications."""
    return secrets.token_urlsafe(16)


class Publication(models.Model):
    department = models.ForeignKey(
        "projects.Department", on_delete=models.PROTECT, related_name="publications", verbose_name="主管部门"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("公开类型", max_length=10, choices=Kind.choices)
    slug = models.CharField("公开地址", max_length=40, unique=True, default=new_slug, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="公开人"
    )
    published_at = models.DateTimeField("公开时间")
    contents = models.JSONField("公开内容", help_text="公开时冻结的项目及数据，之后的修改不影响已公开内容。")
    excluded = models.JSONField("未公开项目", default=list, blank=True, help_text="未纳入公开的项目及原因。")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤回人",
    )
    withdraw_reason = models.TextField("撤回理由", blank=True)
    history = HistoricalRecords(verbose_name="公开变更记录")

    class Meta:
        verbose_name = "绩效信息公开"
        verbose_name_plural = verbose_name
        ordering = ["-published_at", "-pk"]
        constraints = [
            # one publication of each kind in force per department-year: to change it, withdraw it first
            models.UniqueConstraint(
                fields=["department", "year", "kind"],
                condition=Q(withdrawn_at__isnull=True),
                name="publication_one_in_force",
            ),
            models.CheckConstraint(
                name="publication_withdrawal_complete",
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdraw_reason="")
                | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdraw_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year} 年度{self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        # what was published stays as published: only a withdrawal changes a stored publication
        if self.pk is not None:
            stored = (
                type(self).objects.filter(pk=self.pk).values("contents", "excluded", "kind", "year").first()
            )
            if stored and (
                stored["contents"] != self.contents
                or stored["excluded"] != self.excluded
                or stored["kind"] != self.kind
                or stored["year"] != self.year
            ):
                raise ValidationError("已公开的内容不能修改；如需更正，请撤回后重新公开。")
        super().save(*args, **kwargs)

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None

    @property
    def projects(self) -> list[dict]:
        return list(self.contents.get("projects", []))

    @property
    def project_ids(self) -> list[int]:
        return [p["id"] for p in self.projects]
