"""Admin for publications: read only (a publication is made and withdrawn by the named actions only)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(SimpleHistoryAdmin):
    list_display = ["department", "year", "kind", "published_by", "published_at", "withdrawn_at"]
    list_filter = ["kind", "year"]
    list_select_related = ["department", "published_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
