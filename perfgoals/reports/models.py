"""The department's report wording and the generated annual packages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

#: the four sections of the 绩效评价报告, in print order: field name → heading
SECTIONS: dict[str, str] = {
    "work_overview": "一、自评工作开展情况",
    "results_overview": "二、自评结果概述",
    "problems": "三、存在的问题及原因",
    "next_steps": "四、下一步工作措施",
}


class DepartmentReportText(models.Model):
    """The wording of a department's 绩效评价报告 for one year.

    A blank section means "the text generated from the data": it follows every change of scores
    and budgets. A section the department has edited keeps its wording; ``generated_snapshot`` holds
    what the generated text was when it was edited, so the page can say when the data has moved on
    since. Finalising freezes all four sections as they then read.
    """

    department = models.ForeignKey(
        "projects.Department", on_delete=models.CASCADE, related_name="report_texts", verbose_name="主管部门"
    )
    year = models.PositiveSmallIntegerField("年度")
    work_overview = models.TextField(SECTIONS["work_overview"], blank=True)
    results_overview = models.TextField(SECTIONS["results_overview"], blank=True)
    problems = models.TextField(SECTIONS["problems"], blank=True)
    next_steps = models.TextField(SECTIONS["next_steps"], blank=True)
    generated_snapshot = models.JSONField("编辑时的生成文本", default=dict, blank=True)
    is_final = models.BooleanField("已定稿", default=False)
    finalized_at = models.DateTimeField("定稿时间", null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="定稿人",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords(verbose_name="报告文字变更记录")

    class Meta:
        verbose_name = "绩效评价报告文字"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="report_text_unique_department_year"),
            models.CheckConstraint(
                name="report_text_final_has_time", condition=Q(is_final=False) | Q(finalized_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度{self.department}绩效评价报告"


class PackageScope(models.TextChoices):
    DEPARTMENT = "department", "部门"
    REGION = "region", "地区"


class PackageStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "生成失败"


class ReportPackage(models.Model):
    """An annual package: every 自评表, summary and report of a department or a region in one ZIP.

    A department package covers one department (one year, or every year when ``year`` is empty); a
    region package every department of a region, or of all regions when ``region`` is empty (for
    administrators). Built by the Celery task ``reports.build_package``, which writes ``progress`` as it goes.
    """

    scope = models.CharField("范围", max_length=20, choices=PackageScope.choices)
    region = models.ForeignKey(
        "projects.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="地区",
    )
    department = models.ForeignKey(
        "projects.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="主管部门",
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, help_text="留空表示全部年度")
    status = models.CharField(
        "状态", max_length=20, choices=PackageStatus.choices, default=PackageStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    file = models.FileField("文件", upload_to="reports/packages/", blank=True)
    project_count = models.PositiveIntegerField("项目数", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_packages",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    build = models.PositiveIntegerField(
        "生成次数", default=0, help_text="每次重新生成加一；旧一次生成的部分结果迟到时被忽略。"
    )
    heartbeat_at = models.DateTimeField(
        "最近进展", null=True, blank=True, help_text="生成过程每有进展即更新；长时间无进展视为中断。"
    )

    class Meta:
        verbose_name = "自评报告包"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="package_progress_0_100", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="package_scope_matches",
                condition=Q(scope=PackageScope.DEPARTMENT, department__isnull=False)
                | Q(scope=PackageScope.REGION, department__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_status_display()}）"

    @property
    def label(self) -> str:
        """What the package covers, as a Chinese phrase: "烟台市医疗保障局 2019 年度"."""
        year = f"{self.year} 年度" if self.year else "全部年度"
        if self.scope == PackageScope.DEPARTMENT:
            return f"{self.department} {year}"
        return f"{self.region or '全部地区'} {year}"

    @property
    def finished(self) -> bool:
        return self.status in (PackageStatus.DONE, PackageStatus.FAILED)

    @property
    def is_stale(self) -> bool:
        """Queued or running without any progress for ``REPORT_PACKAGE_STALE_MINUTES``: its worker died
        (a crash leaves "生成中" until the broker redelivers, if ever); its owner may rebuild it."""
        if self.status not in (PackageStatus.QUEUED, PackageStatus.RUNNING):
            return False
        last = self.heartbeat_at or self.started_at or self.created_at
        minutes = int(getattr(settings, "REPORT_PACKAGE_STALE_MINUTES", 30))
        return last is not None and last < timezone.now() - timedelta(minutes=minutes)
