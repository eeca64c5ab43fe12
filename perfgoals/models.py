"""Performance goals of a project-year: the indicator tree, the evaluation, the scoring schemes.

Parsing and scoring are done by the pure engine (`perfgoals.engine`); these models store what
was printed or entered, what the engine made of it, and guard the invariants that must hold
whatever code writes to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .choices import LEVEL1_CHOICES, LEVEL2_CHOICES, Grade, Nature, Status, ValueBasis
from .engine import vocabulary
from .engine.schemes import Scheme, SchemeError

SCORE = {"max_digits": 6, "decimal_places": 2}
VALUE = {"max_digits": 24, "decimal_places": 6}

#: the four fields 财预〔2021〕101号 adds to each indicator, with their lengths (the form, the import and
#: the database hold the same limits; 取值依据 is a choice)
STANDARD_101_LENGTHS = {"explanation": 500, "scoring_standard": 500, "data_source": 300}
STANDARD_101_FIELDS = ("explanation", "scoring_standard", "data_source", "basis")


def reported_above(reported: Decimal | None, computed: Decimal | None) -> Decimal | None:
    """How far a reported score (or total) exceeds the computed one: reported − computed when it is
    higher, else None (nothing reported, nothing computed, or not higher). Written once for the entry
    page, the review page and the 自评表 export (#12)."""
    if reported is None or computed is None or reported <= computed:
        return None
    return reported - computed


def _level2_matches_level1() -> Q:
    """Q that holds when an indicator's level 2 belongs to its level 1 (from the vocabulary)."""
    condition = Q()
    for level1 in vocabulary.LEVEL1:
        codes = [code for code in vocabulary.LEVEL2 if vocabulary.level1_of(code) == level1]
        condition |= Q(level1=level1, level2__in=codes)
    return condition


class ScoringScheme(models.Model):
    """A region's scoring rules, held as data (the engine's Scheme as JSON).

    Built-in schemes come from the engine (山东 2019, 财政部); administrators may add others.
    """

    code = models.SlugField("代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    params = models.JSONField("参数", help_text="评分规则参数（JSON），保存时由评分引擎校验。")
    is_default = models.BooleanField("默认方案", default=False)
    built_in = models.BooleanField("系统内置", default=False, editable=False)

    class Meta:
        verbose_name = "评分方案"
        verbose_name_plural = verbose_name
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_scheme"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            Scheme.from_dict(self.params)
        except (SchemeError, TypeError, KeyError) as exc:
            raise ValidationError({"params": f"评分方案参数无效：{exc}"}) from exc

    def engine_scheme(self) -> Scheme:
        """The engine's immutable Scheme for these parameters."""
        return Scheme.from_dict(self.params)


class RegionScheme(models.Model):
    """Which scheme a region uses, for one year or (year empty) for every year."""

    region = models.ForeignKey("projects.Region", on_delete=models.CASCADE, verbose_name="地区")
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, help_text="留空表示各年度通用")
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, verbose_name="评分方案")

    class Meta:
        verbose_name = "地区评分方案"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="region_scheme_unique_year"),
            models.UniqueConstraint(
                fields=["region"], condition=Q(year__isnull=True), name="region_scheme_one_general"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year or '各年度'} · {self.scheme}"


class FinanceReview(models.Model):
    """Whether a region's finance bureau is the last level of the review (lifecycle.md §1, §3: bottom-up,
    unit → department → finance): with a stage on, the department's approval forwards the project-year
    to finance, which accepts it or returns it with a comment to the department or to the unit. A region
    without a row (or with both off) reviews as before: the department's approval is final."""

    region = models.OneToOneField(
        "projects.Region", on_delete=models.CASCADE, related_name="finance_review", verbose_name="地区"
    )
    evaluations = models.BooleanField(
        "绩效自评报财政审核",
        default=False,
        help_text="勾选后，主管部门审核通过的绩效自评须经本地区财政部门审核通过才锁定。",
    )
    targets = models.BooleanField(
        "绩效目标报财政审核",
        default=False,
        help_text="勾选后，主管部门批复（评为优、良）的绩效目标须经本地区财政部门审核通过才生效。",
    )
    history = HistoricalRecords(verbose_name="财政审核设置变更记录")

    class Meta:
        verbose_name = "财政审核设置"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        stages = [label for on, label in ((self.targets, "绩效目标"), (self.evaluations, "绩效自评")) if on]
        return f"{self.region} · 财政审核：{'、'.join(stages) or '不参与'}"


class Evaluation(models.Model):
    """The self-evaluation of one project-year: status, totals, grade and what the unit printed."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="evaluation", verbose_name="项目"
    )
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, verbose_name="评分方案")
    # indexed by evaluation_status_score (status, total_score) below, whose prefix serves status lookups
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    execution_rate = models.DecimalField("预算执行率", max_digits=12, decimal_places=6, null=True, blank=True)
    execution_score = models.DecimalField("预算执行得分", null=True, blank=True, **SCORE)
    total_score = models.DecimalField("自评得分", null=True, blank=True, **SCORE)
    grade = models.CharField("自评等级", max_length=2, choices=Grade.choices, blank=True)
    complete = models.BooleanField("评分完整", default=False)
    warnings = models.JSONField("提示", default=list, blank=True)
    low_score_explanation = models.TextField("80 分以下原因分析及拟采取措施", blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    declared_level1_weights = models.JSONField("表头一级指标分值", default=dict, blank=True)
    printed_execution_rate = models.DecimalField(
        "表中执行率", max_digits=12, decimal_places=6, null=True, blank=True
    )
    printed_execution_score = models.DecimalField("表中执行得分", null=True, blank=True, **SCORE)
    printed_total = models.DecimalField("表中总分", null=True, blank=True, **SCORE)
    printed_grade = models.CharField("表中等级", max_length=2, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_total = models.DecimalField(
        "提交时总分",
        null=True,
        blank=True,
        help_text="填报单位提交审核时系统计算的总分（即其自报总分）。",
        **SCORE,
    )
    submitted_grade = models.CharField("提交时等级", max_length=2, choices=Grade.choices, blank=True)
    targets_approved_at = models.DateTimeField(
        "目标批复时间",
        null=True,
        blank=True,
        help_text="在本系统中批复绩效目标的时间；批复后分值随目标确定，不可再改。",
    )
    target_grade = models.CharField(
        "目标评审等级",
        max_length=2,
        choices=Grade.choices,
        blank=True,
        help_text="主管部门审核绩效目标时评定的等级（优、良批复；中退回修改后重新提交；差不予通过）。",
    )
    reopened_at = models.DateTimeField(
        "重新开放时间",
        null=True,
        blank=True,
        help_text="审核通过后由审核人重新开放的时间；重新开放后分值和预算数（A）不可再改。",
    )
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="自评变更记录")

    class Meta:
        verbose_name = "绩效自评"
        verbose_name_plural = verbose_name
        # the lists filter by status and sort by score: a region's first pages are read from this index
        indexes = [models.Index(fields=["status", "total_score"], name="evaluation_status_score")]
        constraints = [
            models.CheckConstraint(
                name="evaluation_scores_in_range",
                condition=(Q(total_score__isnull=True) | Q(total_score__gte=0, total_score__lte=100))
                & (Q(execution_score__isnull=True) | Q(execution_score__gte=0)),
            ),
            models.CheckConstraint(
                name="evaluation_rate_not_negative",
                condition=Q(execution_rate__isnull=True) | Q(execution_rate__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} 自评"

    @property
    def reported_total(self) -> Decimal | None:
        """The total the unit reported: at submission, else the one printed in an imported form."""
        return self.submitted_total if self.submitted_total is not None else self.printed_total

    @property
    def reported_total_above(self) -> Decimal | None:
        """How far the reported total exceeds the computed one (None when it does not, #12)."""
        return reported_above(self.reported_total, self.total_score)

    @property
    def execution_printed_blank(self) -> bool:
        """The imported form printed the 预算执行 score blank (seed 001 附件2) while the system computes
        one: the outputs keep the cell blank and the review flags it (``workflow.flags``). Only until
        the unit submits its own figures (then the computed score is the unit's)."""
        return (
            self.submitted_total is None
            and self.printed_total is not None
            and self.printed_execution_score is None
            and self.execution_score is not None
        )


class Indicator(models.Model):
    """A level-3 indicator (三级指标) of a project-year, with its target, actual and score.

    The texts are kept as printed or entered; the parsed fields and the score are what the engine
    made of them and are rewritten by `services.recompute`.
    """

    # no index of its own: the unique (project, order) index below serves every lookup by project, and
    # each index more is one more write on every score the bulk rescoring changes
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name="项目",
        db_index=False,
    )
    order = models.PositiveIntegerField("序号")
    level1 = models.CharField("一级指标", max_length=20, choices=LEVEL1_CHOICES)
    level2 = models.CharField("二级指标", max_length=30, choices=LEVEL2_CHOICES)
    level1_printed = models.CharField("一级指标（原文）", max_length=50, blank=True)
    level2_printed = models.CharField("二级指标（原文）", max_length=50, blank=True)
    name = models.CharField("三级指标", max_length=300)
    nature_printed = models.CharField("指标性质（原文）", max_length=10, blank=True)
    unit_printed = models.CharField("度量单位（原文）", max_length=30, blank=True)
    target_text = models.TextField("年度指标值（A）")
    direction_override = models.CharField(
        "指标方向（人工确认）",
        max_length=10,
        choices=Nature.choices,
        blank=True,
        help_text="留空则按指标值文字识别；人工选择优先。",
    )
    direction_note = models.CharField(
        "方向更正理由",
        max_length=300,
        blank=True,
        help_text="主管部门审核时更正指标方向的理由，填报单位在本行看到。",
    )
    # what the engine read (rewritten on every recompute)
    target_kind = models.CharField("指标值类型", max_length=20, blank=True)
    direction = models.CharField("指标方向", max_length=10, blank=True)
    direction_source = models.CharField("方向来源", max_length=10, blank=True)
    target_value = models.DecimalField("指标值（数值）", null=True, blank=True, **VALUE)
    target_unit = models.CharField("指标值单位", max_length=30, blank=True)
    weight = models.DecimalField("分值", null=True, blank=True, **SCORE)
    actual_text = models.TextField("实际完成值（B）", blank=True)
    actual_kind = models.CharField("实际值类型", max_length=20, blank=True)
    actual_value = models.DecimalField("实际值（数值）", null=True, blank=True, **VALUE)
    actual_unit = models.CharField("实际值单位", max_length=30, blank=True)
    band = models.CharField("定性评定档次", max_length=30, blank=True)
    band_score = models.DecimalField("档次内得分", null=True, blank=True, **SCORE)
    not_applicable = models.BooleanField("不适用", default=False)
    score = models.DecimalField("得分", null=True, blank=True, **SCORE)
    score_explanation = models.CharField("计算说明", max_length=300, blank=True)
    flags = models.JSONField("提示", default=list, blank=True)
    reported_score = models.DecimalField("自报得分（表中得分）", null=True, blank=True, **SCORE)
    deviation_note = models.TextField("偏差原因分析及改进措施", blank=True)
    # 财预〔2021〕101号: what the indicator means, how it is scored, where its value comes from, and the
    # standard its target was set against (carried by the import, the rollover and the library)
    explanation = models.CharField(
        "指标解释",
        max_length=STANDARD_101_LENGTHS["explanation"],
        blank=True,
        help_text="指标的含义和计算口径。",
    )
    scoring_standard = models.CharField(
        "评(扣)分标准",
        max_length=STANDARD_101_LENGTHS["scoring_standard"],
        blank=True,
        help_text="完成到什么程度得多少分、未完成如何扣分。",
    )
    data_source = models.CharField(
        "数据来源/佐证",
        max_length=STANDARD_101_LENGTHS["data_source"],
        blank=True,
        help_text="实际完成值从哪里取得，年底以什么材料佐证。",
    )
    basis = models.CharField(
        "取值依据", max_length=10, choices=ValueBasis.choices, blank=True, help_text="指标值依据的标准。"
    )
    #: the library entry the indicator was chosen from (its name key, intake.library.name_key); empty:
    #: the entry is found by the indicator's own name through intake.LibraryName
    library_key = models.CharField("指标库条目", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    history = HistoricalRecords(verbose_name="指标变更记录")

    class Meta:
        verbose_name = "绩效指标"
        verbose_name_plural = verbose_name
        ordering = ["project", "order"]
        # the indicator library finds every indicator of an entry by its spellings (intake.library);
        # a name is not changed by rescoring, so the index costs bulk score updates nothing
        indexes = [
            models.Index(fields=["name"], name="indicator_name"),
            # the review page's peers of a library entry (intake.peers): only linked rows are indexed
            models.Index(fields=["library_key"], name="indicator_library_key", condition=~Q(library_key="")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "order"], name="indicator_unique_position"),
            models.CheckConstraint(name="indicator_level2_in_level1", condition=_level2_matches_level1()),
            models.CheckConstraint(
                name="indicator_weight_not_negative", condition=Q(weight__isnull=True) | Q(weight__gte=0)
            ),
            models.CheckConstraint(
                name="indicator_score_within_weight",
                condition=Q(score__isnull=True)
                | (Q(score__gte=0) & (Q(weight__isnull=True) | Q(score__lte=F("weight")))),
            ),
            models.CheckConstraint(
                name="indicator_band_score_not_negative",
                condition=Q(band_score__isnull=True) | Q(band_score__gte=0),
            ),
            models.CheckConstraint(
                name="indicator_reported_score_not_negative",
                condition=Q(reported_score__isnull=True) | Q(reported_score__gte=0),
            ),
            models.CheckConstraint(
                name="indicator_basis_known", condition=Q(basis="") | Q(basis__in=ValueBasis.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    #: where the engine's direction is only a guess (from the name, or the bare-number default)
    GUESSED_SOURCES = frozenset({"name", "default"})

    @property
    def direction_guessed(self) -> bool:
        """The engine read a number but only guessed its direction, and nobody has confirmed it."""
        return (
            not self.direction_override
            and self.target_kind == "quantitative"
            and self.direction_source in self.GUESSED_SOURCES
        )

    @property
    def filled_101(self) -> int:
        """How many of the four 101号 fields are filled (指标解释, 评(扣)分标准, 数据来源/佐证, 取值依据)."""
        return sum(1 for name in STANDARD_101_FIELDS if (getattr(self, name) or "").strip())

    @property
    def direction_label(self) -> str:
        """The direction the engine scored with, in words (正向（≥）…)."""
        return dict(Nature.choices).get(self.direction, self.direction or "—")

    @property
    def reported_above(self) -> Decimal | None:
        """How far the unit's reported score exceeds the computed one (None when it does not, #12)."""
        return None if self.not_applicable else reported_above(self.reported_score, self.score)

    @property
    def text_actual(self) -> bool:
        """Words where a number is expected: a text actual ("见附件") against a quantitative target."""
        return (
            self.target_kind == "quantitative"
            and self.actual_kind in ("qualitative", "unreadable")
            and bool((self.actual_text or "").strip())
        )

    def clean(self) -> None:
        if self.level1 and self.level2 and vocabulary.level1_of(self.level2) != self.level1:
            raise ValidationError({"level2": "二级指标不属于所选一级指标。"})
        if self.weight is not None and self.weight < 0:
            raise ValidationError({"weight": "分值不能为负数。"})


class ReviewActionKind(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    RETURN = "return", "退回修改"
    APPROVE = "approve", "审核通过"
    REOPEN = "reopen", "重新开放"
    SUBMIT_TARGETS = "submit_targets", "提交绩效目标"
    RETURN_TARGETS = "return_targets", "退回绩效目标"
    APPROVE_TARGETS = "approve_targets", "批复绩效目标"
    REFUSE_TARGETS = "refuse_targets", "绩效目标不予通过"
    CORRECT_DIRECTION = "correct_direction", "更正指标方向"
    PUBLISH = "publish", "决算公开"
    # the region's finance bureau as the last level (FinanceReview): the department's approval forwards
    FORWARD = "forward", "审核通过，报财政审核"
    FORWARD_TARGETS = "forward_targets", "批复绩效目标，报财政审核"
    FINANCE_ACCEPT = "finance_accept", "财政审核通过"
    FINANCE_TO_DEPT = "finance_to_dept", "财政退回主管部门"
    FINANCE_TO_UNIT = "finance_to_unit", "财政退回填报单位"
    FINANCE_ACCEPT_TARGETS = "finance_targets", "财政审核通过绩效目标"
    FINANCE_TARGETS_TO_DEPT = "finance_targets_dept", "财政退回绩效目标至主管部门"
    FINANCE_TARGETS_TO_UNIT = "finance_targets_unit", "财政退回绩效目标至填报单位"
    FINANCE_REOPEN = "finance_reopen", "财政重新开放"
    UNPUBLISH = "unpublish", "撤回公开"


class ReviewAction(models.Model):
    """One step of the review workflow of a self-evaluation: who did what, when, and why.

    Written only by `perfgoals.workflow`; a return or a reopening always carries its comment (the
    database refuses one without), which the unit reads on its project page.
    """

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="review_actions", verbose_name="绩效自评"
    )
    action = models.CharField("操作", max_length=20, choices=ReviewActionKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="操作人",
    )
    comment = models.TextField("意见 / 理由", blank=True)
    grade = models.CharField(
        "评审等级", max_length=2, choices=Grade.choices, blank=True, help_text="绩效目标审核评定的等级。"
    )
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="review_action_comment_required",
                condition=~Q(
                    action__in=[
                        ReviewActionKind.RETURN,
                        ReviewActionKind.RETURN_TARGETS,
                        ReviewActionKind.REFUSE_TARGETS,
                        ReviewActionKind.REOPEN,
                        ReviewActionKind.CORRECT_DIRECTION,
                        ReviewActionKind.UNPUBLISH,
                        ReviewActionKind.FINANCE_TO_DEPT,
                        ReviewActionKind.FINANCE_TO_UNIT,
                        ReviewActionKind.FINANCE_TARGETS_TO_DEPT,
                        ReviewActionKind.FINANCE_TARGETS_TO_UNIT,
                        ReviewActionKind.FINANCE_REOPEN,
                    ]
                )
                | ~Q(comment=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_action_display()}"


class RescoreRun(models.Model):
    """One bulk rescoring of a scope (a region and/or a year, optionally one scheme), cut into chunks.

    Written only by `perfgoals.rescore_runs`; the chunks are the unit of work (one transaction, one
    Celery task each) and the run's counts are summed from them when it settles.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "部分失败"

    class Mode(models.TextChoices):
        CELERY = "celery", "Celery 任务"
        PROCESSES = "processes", "本机进程"

    region = models.ForeignKey(
        "projects.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="地区",
        help_text="留空表示全部地区",
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, help_text="留空表示全部年度")
    scheme = models.ForeignKey(
        ScoringScheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评分方案",
        help_text="留空表示不限方案",
    )
    history = models.BooleanField("写变更记录", default=True)
    mode = models.CharField("执行方式", max_length=10, choices=Mode.choices, default=Mode.PROCESSES)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起人",
    )
    origin = models.CharField("来源", max_length=200, blank=True, help_text="如：命令行（操作系统用户）")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    projects = models.PositiveIntegerField("项目数", default=0)
    chunk_count = models.PositiveIntegerField("块数", default=0)
    indicators = models.PositiveIntegerField("已重算指标数", default=0)
    indicators_changed = models.PositiveIntegerField("得分变化的指标数", default=0)
    evaluations_changed = models.PositiveIntegerField("得分变化的自评数", default=0)

    class Meta:
        verbose_name = "批量重算"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"批量重算 #{self.pk}"

    @property
    def scope_label(self) -> str:
        parts = [str(self.region) if self.region_id else "全部地区"]
        parts.append(f"{self.year} 年度" if self.year else "全部年度")
        if self.scheme_id:
            parts.append(str(self.scheme))
        return " · ".join(parts)


class RescoreChunk(models.Model):
    """A list of project ids of a run, rescored in one transaction (by one task or one process)."""

    class Status(models.TextChoices):
        PENDING = "pending", "等待"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    run = models.ForeignKey(
        RescoreRun, on_delete=models.CASCADE, related_name="chunks", verbose_name="批量重算"
    )
    number = models.PositiveIntegerField("序号")
    project_ids = models.JSONField("项目 ID", default=list)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    queued_at = models.DateTimeField("排队时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    projects = models.PositiveIntegerField("项目数", default=0)
    indicators = models.PositiveIntegerField("已重算指标数", default=0)
    indicators_changed = models.PositiveIntegerField("得分变化的指标数", default=0)
    evaluations_changed = models.PositiveIntegerField("得分变化的自评数", default=0)
    error = models.TextField("错误信息", blank=True)

    class Meta:
        verbose_name = "批量重算分块"
        verbose_name_plural = verbose_name
        ordering = ["run_id", "number"]  # not "run": that joins the run (and FOR UPDATE would lock it)
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="rescore_chunk_unique_number")]
        indexes = [models.Index(fields=["status", "started_at"], name="rescore_chunk_status_started")]

    def __str__(self) -> str:
        return f"批量重算 #{self.run_id} 第 {self.number} 块"


class ScoreChange(models.Model):
    """The compact history of a bulk rescoring: one row per project-year a run changed, listing every
    indicator whose computed fields it changed with the score before and after (they may be equal
    when only a reading moved), when, and the run (its change reason).

    A bulk rescoring of the province changes up to 1.5 million indicators. One full simple_history
    copy of each (every column, five indexes) cost the database about twice what one narrow row per
    indicator cost, and one row per project-year, its changes as a list, costs less again: 15 times
    fewer rows and index entries, the table 2.5 times smaller and a fifth less WAL in a rescoring
    (`bench/rescore.py`, issue #18). The 变更记录 (`pages.history`) reads each listed change beside the
    full history (`entries`) and attributes it to the run, so a later edit by a person is not shown
    as having moved the score. The engine's readings (kind, direction, value, explanation) are not
    kept: a bulk rescoring changes no input, so they follow from the inputs of the time (in the full
    history) and the engine and scheme of the time. The evaluations' totals and grades keep their
    full history rows (the page version reads them). Written only by `perfgoals.rescore`
    (set-based), never edited.
    """

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        db_constraint=False,  # no per-row constraint check in a bulk write; deleted with the project
        related_name="+",
        verbose_name="项目",
    )
    changed_at = models.DateTimeField("时间")
    reason = models.CharField("原因", max_length=100)
    #: [[indicator id, score before, score after], …] by indicator id; scores as the column prints
    #: them ("18.50") or null, so that no float ever stands for a score
    changes = models.JSONField("得分变化", default=list)

    class Meta:
        verbose_name = "批量重算得分变化"
        verbose_name_plural = verbose_name
        ordering = ["project_id", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reason}：{len(self.changes)} 项指标"

    def entries(self, names: dict[int, str] | None = None) -> list[IndicatorScoreChange]:
        """The listed changes, one per indicator, scores as Decimals; ``names``: indicator id → name."""
        names = names or {}
        return [
            IndicatorScoreChange(
                indicator_id=indicator_id,
                name=names.get(indicator_id),
                old_score=None if old is None else Decimal(old),
                new_score=None if new is None else Decimal(new),
                changed_at=self.changed_at,
                reason=self.reason,
            )
            for indicator_id, old, new in self.changes
        ]


@dataclass(frozen=True)
class IndicatorScoreChange:
    """One indicator's score change listed in a `ScoreChange` row (with the indicator's current name,
    None once deleted)."""

    indicator_id: int
    name: str | None
    old_score: Decimal | None
    new_score: Decimal | None
    changed_at: datetime
    reason: str
