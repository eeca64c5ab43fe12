"""Models of the intake app: import batches, the indicator library, and the links a year rollover
leaves between a new indicator and last year's."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from perfgoals.choices import LEVEL1_CHOICES, LEVEL2_CHOICES, Nature, ValueBasis
from perfgoals.models import STANDARD_101_LENGTHS


class ImportKind(models.TextChoices):
    GOALS = "goals", "绩效目标表（新建项目或覆盖草稿）"
    RESULTS = "results", "完成情况（已有项目的实际完成值）"


class BatchStatus(models.TextChoices):
    PENDING = "pending", "等待解析"
    PARSING = "parsing", "正在解析"
    PREVIEW = "preview", "待确认"
    REJECTED = "rejected", "文件有错误"
    CONFIRMED = "confirmed", "已确认，等待导入"
    IMPORTING = "importing", "正在导入"
    DONE = "done", "已导入"
    FAILED = "failed", "导入失败"
    CANCELLED = "cancelled", "已取消"


#: statuses in which a task still has work to do
ACTIVE_STATUSES = {BatchStatus.PENDING, BatchStatus.PARSING, BatchStatus.CONFIRMED, BatchStatus.IMPORTING}
#: statuses in which nothing will read the uploaded file again (see batches.clean_uploads)
FINISHED_STATUSES = {BatchStatus.DONE, BatchStatus.CANCELLED, BatchStatus.FAILED, BatchStatus.REJECTED}


def _upload_to(instance: ImportBatch, filename: str) -> str:
    # never use the uploaded name as a path: the stored name is ours, the original is kept aside
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ImportBatch(models.Model):
    """One uploaded workbook and what became of it: preview, errors, progress and outcome.

    The batch is the import log: a refused file leaves its batch (status "文件有错误" with the
    errors) and nothing else. ``preview`` holds the rows as parsed, ``errors`` and ``warnings`` lists
    of {sheet, row, column, field, message}; ``result`` what the import wrote.

    The stored workbook is deleted once the batch is finished (or its preview abandoned) for longer than
    ``settings.IMPORT_UPLOAD_RETENTION_DAYS`` (``batches.clean_uploads``); the row stays, with its
    preview, errors and result, ``file`` emptied and ``file_removed_at`` set.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_batches",
        verbose_name="上传人",
    )
    kind = models.CharField("导入内容", max_length=10, choices=ImportKind.choices, default=ImportKind.GOALS)
    year = models.PositiveSmallIntegerField(
        "默认年度", null=True, blank=True, help_text="文件中没有年度时使用"
    )
    file = models.FileField(
        "文件",
        upload_to=_upload_to,
        max_length=300,
        blank=True,
        help_text="超过保留期限清理后为空（见“文件清理时间”）。",
    )
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("文件大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=BatchStatus.choices, default=BatchStatus.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    progress_note = models.CharField("进度说明", max_length=200, blank=True)
    preview = models.JSONField("预览", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    result = models.JSONField("导入结果", default=dict, blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file_removed_at = models.DateTimeField(
        "文件清理时间",
        null=True,
        blank=True,
        help_text="上传的文件超过保留期限后被删除的时间；批次记录保留。",
    )

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="import_batch_progress_percent", condition=Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        """True while a task is (or should be) working on the batch."""
        return self.status in ACTIVE_STATUSES

    @property
    def file_removed(self) -> bool:
        """True once the uploaded file was deleted after the retention period."""
        return self.file_removed_at is not None

    @property
    def can_confirm(self) -> bool:
        """A preview whose file is still there can be confirmed."""
        return self.status == BatchStatus.PREVIEW and not self.file_removed


class LibraryIndicator(models.Model):
    """A common indicator of the library: its usual levels, direction, unit and typical target.

    Built from the indicators of projects whose targets are at least submitted (drafts of other units
    stay private), one library per region (a region's names and targets are not shown to another
    region's users) unless ``settings.INTAKE_LIBRARY_SHARED`` makes one shared library; administrators curate entries (a curated entry keeps its texts when the library is
    rebuilt, only its usage count is refreshed) or hide them.
    """

    region = models.ForeignKey(
        "projects.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="library_indicators",
        verbose_name="地区",
        help_text="条目来自该地区的项目，只向该地区的用户推荐；为空表示各地区共享"
        "（设置 INTAKE_LIBRARY_SHARED 开启时）。",
    )
    name = models.CharField("三级指标", max_length=300)
    name_key = models.CharField(
        "检索键",
        max_length=300,
        help_text=(
            "去掉序号、空白、“的”字与括号、顿号等标点后的指标名称，"
            "用于合并同名指标（如“参保人员的满意度”与“参保人员满意度”）。"
        ),
    )
    level1 = models.CharField("一级指标", max_length=20, choices=LEVEL1_CHOICES)
    level2 = models.CharField("二级指标", max_length=30, choices=LEVEL2_CHOICES)
    direction = models.CharField("指标方向", max_length=10, choices=Nature.choices, blank=True)
    qualitative = models.BooleanField("定性指标", default=False)
    unit = models.CharField("度量单位", max_length=30, blank=True)
    typical_target = models.CharField("常见目标值", max_length=200, blank=True)
    # 财预〔2021〕101号: the texts most used with this indicator (a suggestion fills them in)
    explanation = models.CharField("指标解释", max_length=STANDARD_101_LENGTHS["explanation"], blank=True)
    scoring_standard = models.CharField(
        "评(扣)分标准", max_length=STANDARD_101_LENGTHS["scoring_standard"], blank=True
    )
    data_source = models.CharField(
        "数据来源/佐证", max_length=STANDARD_101_LENGTHS["data_source"], blank=True
    )
    basis = models.CharField("取值依据", max_length=10, choices=ValueBasis.choices, blank=True)
    usage_count = models.PositiveIntegerField("使用次数", default=0)
    curated = models.BooleanField(
        "已审定",
        default=False,
        help_text="审定后重建指标库不再改写名称、层级、方向、单位、目标值和指标解释等 101 号文四项。",
    )
    hidden = models.BooleanField("不推荐", default=False, help_text="隐藏后不再出现在填报建议中。")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "指标库条目"
        verbose_name_plural = "指标库"
        ordering = ["level1", "level2", "-usage_count", "name"]
        indexes = [models.Index(fields=["level1", "level2"], name="library_levels")]
        constraints = [
            models.UniqueConstraint(fields=["region", "name_key"], name="library_region_name_key"),
            models.UniqueConstraint(
                fields=["name_key"], condition=Q(region__isnull=True), name="library_shared_name_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CarriedIndicator(models.Model):
    """What a year rollover copied into a new indicator: last year's indicator and its values.

    The values are copied, not only linked, so that last year's actual stays visible beside the new
    target even if last year's project is later corrected or deleted.
    """

    indicator = models.OneToOneField(
        "perfgoals.Indicator", on_delete=models.CASCADE, related_name="carried_from", verbose_name="本年指标"
    )
    previous = models.ForeignKey(
        "perfgoals.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name="上年指标",
    )
    previous_year = models.PositiveSmallIntegerField("上年年度")
    previous_target_text = models.TextField("上年指标值", blank=True)
    previous_actual_text = models.TextField("上年实际完成值", blank=True)
    previous_actual_value = models.DecimalField(
        "上年实际值（数值）", max_digits=24, decimal_places=6, null=True, blank=True
    )
    previous_actual_unit = models.CharField("上年实际值单位", max_length=30, blank=True)
    previous_score = models.DecimalField("上年得分", max_digits=6, decimal_places=2, null=True, blank=True)
    previous_weight = models.DecimalField("上年分值", max_digits=6, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="结转人"
    )
    created_at = models.DateTimeField("结转时间", auto_now_add=True)

    class Meta:
        verbose_name = "结转指标"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.indicator} ← {self.previous_year}"


class LibraryName(models.Model):
    """A raw indicator name seen in the data, with its library key: the spellings of one entry
    ("1、参保率", "参保率") are found by key without reading every indicator of a region."""

    name = models.CharField("三级指标", max_length=300)
    name_key = models.CharField("检索键", max_length=300)

    class Meta:
        verbose_name = "指标名称写法"
        verbose_name_plural = "指标名称写法"
        # declared here rather than as unique=True / db_index=True, which on PostgreSQL add a second
        # (varchar_pattern_ops) index to each column for LIKE 'x%': names are only ever looked up whole
        constraints = [models.UniqueConstraint(fields=["name"], name="library_name_unique")]
        indexes = [models.Index(fields=["name_key"], name="library_name_key")]

    def __str__(self) -> str:
        return self.name
