"""The audit log, and the sign-in records of django-axes under Chinese names for the admin.

`AuditEntry` is one change of an audited object (users, groups, role assignments, scoring schemes,
see `accounts.audit`) or one sign-in or sign-out: who did it, when, from which address, and for a
change each field's old and new value. Entries are written by signal handlers only and are never edited.

django-axes keeps its own tables: `AccessLog` (a sign-in, with its sign-out time), `AccessFailureLog`
(every failed sign-in, kept) and `AccessAttempt` (the failures counted towards a lockout, dropped after
the cool-off period). The proxies below show them in the admin in Chinese, read-only.
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    CHANGE = "change", "修改"
    DELETE = "delete", "删除"
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出登录"


class AuditEntry(models.Model):
    """Who did what to which object, when, and what it was before and after."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    #: the actor's user name as it was (kept when the account is deleted); empty: a command or a task
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=10, choices=AuditAction.choices)
    #: the object's model as "app_label.model_name", and its name as the admin shows it
    model = models.CharField("对象类型代码", max_length=100, db_index=True)
    model_name = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=200)
    #: field name → {"label": field's name, "old": value, "new": value}, values as people read them
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id", "created_at"], name="audit_object_time")]

    def __str__(self) -> str:
        who = self.actor_name or "系统"
        return f"{self.created_at:%Y-%m-%d %H:%M} {who} {self.get_action_display()} {self.object_repr}"


class LoginRecord(AccessLog):
    class Meta:
        proxy = True
        verbose_name = "登录记录"
        verbose_name_plural = verbose_name


class LoginFailure(AccessFailureLog):
    class Meta:
        proxy = True
        verbose_name = "登录失败记录"
        verbose_name_plural = verbose_name


class LoginLockout(AccessAttempt):
    class Meta:
        proxy = True
        verbose_name = "登录失败计数（锁定）"
        verbose_name_plural = verbose_name
