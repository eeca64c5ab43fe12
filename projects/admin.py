"""Admin for organisations, memberships and projects (in Chinese, with useful lists and filters).

A project's evaluation (its status, score and grade columns and filters, its evaluation and indicator
inlines) is added by `perfgoals.admin`, which registers its own ProjectAdmin in place of this one.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BudgetLine, Department, Membership, Project, ProjectGrant, Region, Unit

admin.site.site_header = "绩效目标与绩效自评系统 · 管理后台"
admin.site.site_title = "绩效管理后台"
admin.site.index_title = "系统管理"


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "finance_bureau"]
    search_fields = ["name", "finance_bureau"]
    inlines = [DepartmentInline]


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "region"]
    list_filter = ["department__region", "department"]
    search_fields = ["name", "department__name"]
    list_select_related = ["department__region"]

    @admin.display(description="地区", ordering="department__region__name")
    def region(self, obj: Unit):
        return obj.department.region


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "department", "region"]
    list_filter = ["role", "region", "department"]
    search_fields = ["user__username", "user__first_name"]
    autocomplete_fields = ["unit", "department", "region"]
    list_select_related = ["user", "unit", "department", "region"]


@admin.register(ProjectGrant)
class ProjectGrantAdmin(admin.ModelAdmin):
    """Read-only: a grant is made and taken back by the action that assigns the work (e.g. 复核)."""

    list_display = ["user", "project", "reason", "granted_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "project__name", "reason"]
    list_select_related = ["user", "project", "granted_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "department_name", "unit", "budget_annual"]
    list_filter = ["year", "region", "department"]
    search_fields = ["name", "unit__name", "department__name"]
    list_select_related = ["unit", "department"]
    autocomplete_fields = ["unit"]
    inlines = [BudgetLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("budget_lines")

    @admin.display(description="主管部门", ordering="department__name")
    def department_name(self, obj: Project) -> str:
        return obj.department.name

    @admin.display(description="全年预算数（万元）")
    def budget_annual(self, obj: Project):
        return obj.budget_totals()["annual"]
