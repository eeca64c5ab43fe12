"""Choice lists of the projects app."""

from django.db import models


class Role(models.TextChoices):
    UNIT_USER = "unit_user", "填报人（实施单位）"
    SUPERVISOR = "supervisor", "审核人（主管部门）"
    FINANCE = "finance", "财政审阅人"
    #: engaged by a region's finance bureau for 复核: sees only the projects assigned to it (ProjectGrant)
    THIRD_PARTY = "third_party", "第三方评价机构"
    ADMIN = "admin", "系统管理员"


class BudgetSource(models.TextChoices):
    CURRENT_YEAR = "current_year", "当年财政拨款"
    CARRYOVER = "carryover", "上年结转资金"
    OTHER = "other", "其他资金"
