"""Admin for organisations, memberships and projects (in Chinese, with useful lists and filters)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from perfgoals.models import Evaluation, Indicator

from .models import BudgetLine, Department, Membership, Project, Region, Unit

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


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "order",
        "level1",
        "level2",
        "name",
        "target_text",
        "actual_text",
        "weight",
        "score",
        "reported_score",
    ]
    readonly_fields = ["score"]


class EvaluationInline(admin.StackedInline):
    model = Evaluation
    extra = 0
    fields = [
        "scheme",
        "status",
        "execution_score",
        "total_score",
        "grade",
        "printed_total",
        "low_score_explanation",
    ]
    readonly_fields = ["execution_score", "total_score", "grade"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "year",
        "department_name",
        "unit",
        "budget_annual",
        "status",
        "total_score",
        "grade",
    ]
    list_filter = ["year", "region", "department", "evaluation__status", "evaluation__grade"]
    search_fields = ["name", "unit__name", "department__name"]
    list_select_related = ["unit", "department", "evaluation"]
    autocomplete_fields = ["unit"]
    inlines = [BudgetLineInline, EvaluationInline, IndicatorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("budget_lines")

    @admin.display(description="主管部门", ordering="department__name")
    def department_name(self, obj: Project) -> str:
        return obj.department.name

    @admin.display(description="全年预算数（万元）")
    def budget_annual(self, obj: Project):
        return obj.budget_totals()["annual"]

    @admin.display(description="状态", ordering="evaluation__status")
    def status(self, obj: Project) -> str:
        evaluation = getattr(obj, "evaluation", None)
        return evaluation.get_status_display() if evaluation else "—"

    @admin.display(description="自评得分", ordering="evaluation__total_score")
    def total_score(self, obj: Project):
        evaluation = getattr(obj, "evaluation", None)
        return evaluation.total_score if evaluation else None

    @admin.display(description="等级", ordering="evaluation__grade")
    def grade(self, obj: Project) -> str:
        evaluation = getattr(obj, "evaluation", None)
        return evaluation.grade if evaluation else ""
