"""Admin for scoring schemes, evaluations and indicators."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Evaluation, Indicator, RegionScheme, ReviewAction, ScoringScheme


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default", "built_in"]
    list_filter = ["is_default", "built_in"]
    search_fields = ["name", "code"]


@admin.register(RegionScheme)
class RegionSchemeAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "scheme"]
    list_filter = ["region", "scheme"]


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = [
        "project",
        "year",
        "status",
        "execution_score",
        "total_score",
        "grade",
        "printed_total",
        "complete",
    ]
    list_filter = ["status", "grade", "project__year", "project__department", "scheme"]
    search_fields = ["project__name", "project__unit__name"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]

    @admin.display(description="年度", ordering="project__year")
    def year(self, obj: Evaluation) -> int:
        return obj.project.year


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "project",
        "level1",
        "level2",
        "target_text",
        "actual_text",
        "weight",
        "score",
        "reported_score",
    ]
    list_filter = ["level1", "level2", "target_kind", "direction", "project__year", "project__department"]
    search_fields = ["name", "target_text", "actual_text", "project__name"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]


@admin.register(ReviewAction)
class ReviewActionAdmin(admin.ModelAdmin):
    """The review log is written by the workflow only: readable here, never edited."""

    list_display = ["created_at", "evaluation", "action", "user", "from_status", "to_status", "comment"]
    list_filter = ["action", "evaluation__project__year", "evaluation__project__department"]
    search_fields = ["evaluation__project__name", "comment", "user__username"]
    list_select_related = ["evaluation__project", "user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
