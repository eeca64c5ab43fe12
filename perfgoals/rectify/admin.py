"""整改事项 are read in the admin; they change only through the 整改 pages' named actions."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import RectifyItem


@admin.register(RectifyItem)
class RectifyItemAdmin(SimpleHistoryAdmin):
    list_display = ["number", "project", "unit", "source", "deadline", "status"]
    list_filter = ["status", "source"]
    search_fields = ["project__name", "problem"]
    readonly_fields = [f.name for f in RectifyItem._meta.fields]

    @admin.display(description="编号", ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
