"""The audit log and the sign-in records in the admin: Chinese, read-only.

axes' own admin (AXES_ENABLE_ADMIN) is off: its labels are English. Every column and field here is a
method with a Chinese name, so that the list and the detail page read in Chinese whatever the third
party's field names are. Nothing can be added or edited; an administrator may delete a failure count
(登录失败计数) to end a lockout early, and that deletion is in the admin's own log.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .models import AuditEntry, LoginFailure, LoginLockout, LoginRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by whoever may view the model; never added or changed here."""

    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（空）"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "actor_display",
        "action",
        "model_name",
        "object_repr",
        "summary",
        "ip_address",
    ]
    list_filter = ["action", "model_name"]
    search_fields = ["object_repr", "actor_name", "object_id"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor_display",
        "ip_address",
        "action",
        "model_name",
        "object_id",
        "object_repr",
        "change_table",
    ]
    readonly_fields = fields

    @admin.display(description="操作人", ordering="actor_name")
    def actor_display(self, obj: AuditEntry) -> str:
        return obj.actor_name or "系统（命令或后台任务）"

    @admin.display(description="变更内容")
    def summary(self, obj: AuditEntry) -> str:
        parts = [
            f"{change.get('label', name)}：{_value(change.get('old'))} → {_value(change.get('new'))}"
            for name, change in (obj.changes or {}).items()
        ]
        text = "；".join(parts)
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.display(description="变更内容（原值 → 新值）")
    def change_table(self, obj: AuditEntry):
        if not obj.changes:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (change.get("label", name), _value(change.get("old")), _value(change.get("new")))
                for name, change in obj.changes.items()
            ),
        )
        return format_html("<table><tr><th>字段</th><th>原值</th><th>新值</th></tr>{}</table>", rows)


class _SignInAdmin(ReadOnlyAdmin):
    """The columns the three sign-in records share."""

    search_fields = ["username", "ip_address"]

    @admin.display(description="用户名", ordering="username")
    def user_name(self, obj) -> str:
        return obj.username or "—"

    @admin.display(description="IP 地址", ordering="ip_address")
    def address(self, obj) -> str:
        return obj.ip_address or "—"

    @admin.display(description="浏览器")
    def browser(self, obj) -> str:
        return obj.user_agent

    @admin.display(description="登录页面")
    def page(self, obj) -> str:
        return obj.path_info


@admin.register(LoginRecord)
class LoginRecordAdmin(_SignInAdmin):
    list_display = ["login_time", "user_name", "address", "logout", "browser"]
    date_hierarchy = "attempt_time"
    fields = ["login_time", "logout", "user_name", "address", "browser", "page"]
    readonly_fields = fields

    @admin.display(description="登录时间", ordering="attempt_time")
    def login_time(self, obj):
        return obj.attempt_time

    @admin.display(description="退出时间", ordering="logout_time")
    def logout(self, obj):
        return obj.logout_time or "—"


class LockedOutFilter(admin.SimpleListFilter):
    """axes' field is titled "Access lock out": the filter in Chinese."""

    title = "是否导致锁定"
    parameter_name = "locked_out"

    def lookups(self, request, model_admin):
        return [("1", "已锁定"), ("0", "未锁定")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(locked_out=self.value() == "1")
        return queryset


@admin.register(LoginFailure)
class LoginFailureAdmin(_SignInAdmin):
    list_display = ["failure_time", "user_name", "address", "locked", "browser"]
    list_filter = [LockedOutFilter]
    date_hierarchy = "attempt_time"
    fields = ["failure_time", "user_name", "address", "locked", "browser", "page"]
    readonly_fields = fields

    @admin.display(description="失败时间", ordering="attempt_time")
    def failure_time(self, obj):
        return obj.attempt_time

    @admin.display(description="已锁定", boolean=True, ordering="locked_out")
    def locked(self, obj) -> bool:
        return obj.locked_out


@admin.register(LoginLockout)
class LoginLockoutAdmin(_SignInAdmin):
    """The failures counted towards a lockout (dropped after the cool-off period). Deleting one ends
    its lockout at once (解除锁定)."""

    list_display = ["last_failure", "user_name", "address", "failures", "browser"]
    fields = ["last_failure", "user_name", "address", "failures", "browser", "page"]
    readonly_fields = fields

    @admin.display(description="最近失败时间", ordering="attempt_time")
    def last_failure(self, obj):
        return obj.attempt_time

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, obj) -> int:
        return obj.failures_since_start

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
