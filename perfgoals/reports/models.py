"""The department's report wording and the generated annual packages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .style import DEFAULT, DEFAULT_SECTIONS, SCORES_AS_PRINTED, SCORES_TWO_PLACES, Style, check_sections

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


def _default_sections() -> list[list[str]]:
    return [list(section) for section in DEFAULT_SECTIONS]


class ReportStyle(models.Model):
    """How a region prints its 自评材料 (see :mod:`.style`); a region without one prints the default."""

    region = models.OneToOneField(
        "projects.Region", on_delete=models.CASCADE, related_name="report_style", verbose_name="地区"
    )
    form_title = models.CharField(
        "自评表标题", max_length=100, default=DEFAULT.form_title, help_text="如“市级预算项目支出绩效自评表”。"
    )
    attachment_numbers = models.BooleanField(
        "打印附件编号", default=DEFAULT.attachment_numbers, help_text="每张自评表上方打印“附件 N”。"
    )
    total_row_grade = models.BooleanField(
        "总分行打印自评等级", default=DEFAULT.total_row_grade, help_text="不勾选时总分行只打印总分。"
    )
    scores = models.CharField(
        "得分打印方式",
        max_length=20,
        default=DEFAULT.scores,
        choices=[(SCORES_TWO_PLACES, "保留两位小数（100.00）"), (SCORES_AS_PRINTED, "按原样（100、9.5）")],
    )
    empty_category_text = models.CharField(
        "无指标二级指标的文字",
        max_length=20,
        blank=True,
        default=DEFAULT.empty_category_text,
        help_text="二级指标下没有三级指标时三级指标栏打印的文字，可留空。",
    )
    blank_undeclared_level1 = models.BooleanField(
        "未列分值的一级指标留空",
        default=DEFAULT.blank_undeclared_level1,
        help_text="原表未打印一级指标（及其分值）时，一级指标栏留空。",
    )
    sections = models.JSONField(
        "绩效评价报告结构",
        default=_default_sections,
        help_text="[[字段, 标题], …]，字段可选 work_overview、results_overview、problems、next_steps。",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords(verbose_name="自评材料版式变更记录")

    class Meta:
        verbose_name = "自评材料版式"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.region} 自评材料版式"

    def clean(self) -> None:
        try:
            check_sections(self.sections)
        except ValueError as error:
            raise ValidationError({"sections": str(error)}) from error

    def as_style(self) -> Style:
        return Style(
            form_title=self.form_title,
            attachment_numbers=self.attachment_numbers,
            total_row_grade=self.total_row_grade,
            scores=self.scores,
            empty_category_text=self.empty_category_text,
            blank_undeclared_level1=self.blank_undeclared_level1,
            sections=tuple(check_sections(self.sections)),
        )


def style_of(region_id: int | None) -> Style:
    """The region's style (one query), else the default."""
    if region_id is None:
        return DEFAULT
    record = ReportStyle.objects.filter(region_id=region_id).first()
    return record.as_style() if record else DEFAULT
