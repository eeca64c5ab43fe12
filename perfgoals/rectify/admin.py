"""整改事项 are read in the admin; they change only through the 整改 pages' named actions."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import RectifyItem


@admin.register(RectifyItem)
class RectifyItemAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "project", "unit", "source", "deadline", "status"]
    list_filter = ["status", "source"]
    search_fields = ["project__name", "problem"]
    readonly_fields = [f.name for f in RectifyItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
