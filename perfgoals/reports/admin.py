"""Admin for report packages and the departments' report wording."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DepartmentReportText, ReportPackage, ReportStyle


@admin.register(ReportPackage)
class ReportPackageAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "scope",
        "region",
        "department",
        "year",
        "status",
        "progress",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "scope", "year"]
    readonly_fields = [
        "progress",
        "file",
        "project_count",
        "error",
        "started_at",
        "finished_at",
        "created_at",
    ]
    raw_id_fields = ["created_by"]

    @admin.display(description="编号", ordering="pk")
    def number(self, obj: ReportPackage) -> int:
        return obj.pk


@admin.register(DepartmentReportText)
class DepartmentReportTextAdmin(SimpleHistoryAdmin):
    list_display = ["department", "year", "is_final", "updated_by", "updated_at"]
    list_filter = ["is_final", "year"]
    raw_id_fields = ["updated_by", "finalized_by"]


@admin.register(ReportStyle)
class ReportStyleAdmin(SimpleHistoryAdmin):
    list_display = ["region", "form_title", "attachment_numbers", "total_row_grade", "scores", "updated_at"]
    list_select_related = ["region"]
