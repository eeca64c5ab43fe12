"""Choice lists of the projects app."""

from django.db import models


class Role(models.TextChoices):
    UNIT_USER = "unit_user", "填报人（实施单位）"
    SUPERVISOR = "supervisor", "审核人（主管部门）"
    FINANCE = "finance", "财政审阅人"
    ADMIN = "admin", "系统管理员"


class BudgetSource(models.TextChoices):
    CURRENT_YEAR = "current_year", "当年财政拨款"
    CARRYOVER = "carryover", "上年结转资金"
    OTHER = "other", "其他资金"
