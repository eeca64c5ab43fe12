"""Admin of the intake app: the indicator library (curated here) and the import log."""

from django.contrib import admin, messages
from django.db import transaction

from .models import CarriedIndicator, ImportBatch, LibraryIndicator
from .services import build_library


@admin.register(LibraryIndicator)
class LibraryIndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "level1",
        "level2",
        "direction",
        "unit",
        "typical_target",
        "usage_count",
        "curated",
        "hidden",
    ]
    list_editable = ["curated", "hidden"]
    list_filter = ["curated", "hidden", "level1", "level2", "direction", "qualitative"]
    search_fields = ["name", "name_key", "typical_target"]
    readonly_fields = ["name_key", "usage_count", "updated_at"]
    actions = ["mark_curated", "mark_hidden", "rebuild"]

    @staticmethod
    def _mark(queryset, field: str) -> int:
        """Each entry saved (not one UPDATE), so that the audit log names who changed which entry."""
        changed = 0
        with transaction.atomic():
            for entry in queryset.filter(**{field: False}).select_for_update():
                setattr(entry, field, True)
                entry.save(update_fields=[field])
                changed += 1
        return changed

    @admin.action(description="标记为已审定")
    def mark_curated(self, request, queryset):
        updated = self._mark(queryset, "curated")
        self.message_user(request, f"已审定 {updated} 条。", messages.SUCCESS)

    @admin.action(description="设为不推荐")
    def mark_hidden(self, request, queryset):
        updated = self._mark(queryset, "hidden")
        self.message_user(request, f"已隐藏 {updated} 条。", messages.SUCCESS)

    @admin.action(description="从现有项目重建指标库（不改动已审定条目的内容）")
    def rebuild(self, request, queryset):
        report = build_library()
        self.message_user(
            request,
            f"指标库已重建：新增 {report.created} 条，更新 {report.updated} 条，"
            f"移除 {report.removed} 条，共 {report.total} 条。",
            messages.SUCCESS,
        )


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "user",
        "kind",
        "status",
        "progress",
        "size",
        "created_at",
        "finished_at",
        "file_removed_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["original_name", "user__username", "sha256"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CarriedIndicator)
class CarriedIndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "previous_year",
        "previous_target_text",
        "previous_actual_text",
        "created_at",
    ]
    list_filter = ["previous_year"]
    raw_id_fields = ["indicator", "previous", "created_by"]
    search_fields = ["indicator__name", "indicator__project__name"]
