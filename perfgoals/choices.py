"""Choice lists of the perfgoals app. The indicator vocabulary itself lives in the engine."""

from django.db import models

from .engine import vocabulary


def _level1_choices() -> list[tuple[str, str]]:
    return [(code, vocabulary.level1_name(code)) for code in vocabulary.LEVEL1]


def _level2_choices() -> list[tuple[str, str]]:
    return [(code, vocabulary.level2_name(code)) for code in vocabulary.LEVEL2]


LEVEL1_CHOICES = _level1_choices()
LEVEL2_CHOICES = _level2_choices()


class Status(models.TextChoices):
    """Lifecycle of a project-year (domain doc, 'Lifecycle')."""

    DRAFT = "draft", "目标草稿"
    TARGETS_SUBMITTED = "targets_submitted", "目标已提交"
    #: approved by the department, awaiting finance (a region whose finance reviews targets last)
    TARGETS_FINANCE = "targets_finance", "目标待财政审核"
    TARGETS_APPROVED = "targets_approved", "目标已批复"
    ENTERING = "entering", "自评填报中"
    SUBMITTED = "submitted", "自评已提交"
    #: approved by the department, awaiting finance (a region whose finance reviews self-evaluations last)
    FINANCE_PENDING = "finance_pending", "待财政审核"
    RETURNED = "returned", "已退回修改"
    APPROVED = "approved", "自评已审核"
    PUBLISHED = "published", "已公开"


#: statuses in which the unit may still change actual values (not a draft: results follow approved targets)
EDITABLE_STATUSES = {Status.TARGETS_APPROVED, Status.ENTERING, Status.RETURNED}
#: statuses that await the region's finance bureau, the optional last level of the review
FINANCE_STATUSES = {Status.TARGETS_FINANCE, Status.FINANCE_PENDING}
#: statuses in which the data is locked (only a supervisor may reopen, with a reason)
LOCKED_STATUSES = {Status.APPROVED, Status.PUBLISHED}


class Grade(models.TextChoices):
    EXCELLENT = "优", "优"
    GOOD = "良", "良"
    FAIR = "中", "中"
    POOR = "差", "差"


class Nature(models.TextChoices):
    """指标性质 as a user chooses it; empty means 'as read from the target text'."""

    POSITIVE = "ge", "正向（≥）"
    NEGATIVE = "le", "反向（≤）"
    EQUAL = "eq", "等于（＝）"
    APPROX = "approx", "约等于（≈）"


class ValueBasis(models.TextChoices):
    """取值依据 of an indicator's target (财预〔2021〕101号): the standard the value was set against."""

    PLAN = "plan", "计划标准"
    INDUSTRY = "industry", "行业标准"
    HISTORY = "history", "历史标准"
    OTHER = "other", "其他"
