from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    """Read-only: evidence is added and removed by the unit on the project's pages (with history)."""

    list_display = [
        "original_name",
        "project",
        "indicator",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "removed_at",
    ]
    list_filter = ["content_type", "removed_at"]
    search_fields = ["original_name", "sha256", "project__name"]
    list_select_related = ["project", "indicator", "uploaded_by"]
    raw_id_fields = ["project", "indicator"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
