"""Admin for scoring schemes, evaluations and indicators, and the evaluation part of a project's page.

An evaluation's status, scores, grade and version, and an indicator's score and what the engine read,
are read-only here: the status changes through the workflow (with its review log), the scores through
the engine (`recompute`, `rescore`), so that the total always matches the indicators and every step is
in the review log. The scoring scheme of an existing evaluation is read-only for the same reason (its
scores were computed with it); which scheme a region uses is set in 地区评分方案.
"""

from collections.abc import Mapping

from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from projects.admin import ProjectAdmin as BaseProjectAdmin
from projects.models import Project

from .engine import Direction, Flag, Kind
from .engine.schemes import OPTION_HELP
from .engine.values import format_decimal
from .models import (
    Evaluation,
    FinanceReview,
    Indicator,
    RegionScheme,
    RescoreChunk,
    RescoreRun,
    ReviewAction,
    ScoreChange,
    ScoringScheme,
)
from .pages.targets import _SOURCE_LABELS_DIRECTION
from .rescore_runs import progress_text, run_progress
from .scoring import SCORED_FIELDS, recompute
from .workflow.versions import bump_evaluation, lock_evaluation

#: the Chinese names of the codes the engine stores (the admin never shows ge / quantitative / word)
KIND_LABELS = {kind.value: kind.label for kind in Kind}
DIRECTION_LABELS = {direction.value: direction.label for direction in Direction}
DIRECTION_SOURCE_LABELS = dict(_SOURCE_LABELS_DIRECTION)
FLAG_LABELS = {flag.value: flag.label for flag in Flag}


def code_filter(field: str, title: str, labels: Mapping[str, str]) -> type[admin.SimpleListFilter]:
    """A list filter on a column of codes that offers each code by its Chinese name."""

    class CodeFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(labels.items())

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    CodeFilter.title = title
    CodeFilter.__name__ = f"{field.title().replace('_', '')}Filter"
    return CodeFilter


def _label(labels: Mapping[str, str], code) -> str:
    return labels.get(code, code) if code else "—"


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default", "built_in"]
    list_filter = ["is_default", "built_in"]
    search_fields = ["name", "code"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("params")
        if field is not None:
            # every option of a scheme in words (the engine's OPTION_HELP), under the JSON field
            field.help_text = format_html(
                '{}<ul class="scheme-options">{}</ul>',
                "评分规则参数（JSON），保存时由评分引擎校验。可用字段：",
                format_html_join("", "<li><code>{}</code>：{}</li>", OPTION_HELP.items()),
            )
        return form


@admin.register(RegionScheme)
class RegionSchemeAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "scheme"]
    list_filter = ["region", "scheme"]


@admin.register(FinanceReview)
class FinanceReviewAdmin(SimpleHistoryAdmin):
    """Whether a region's finance bureau is the last level of the review (its changes in the history).
    A change applies to the next department approval: what already awaits finance stays with it."""

    list_display = ["region", "targets", "evaluations"]
    list_filter = ["targets", "evaluations"]


#: an evaluation's fields written by the workflow and the engine only
EVALUATION_COMPUTED = [
    "status",
    "execution_rate",
    "execution_score",
    "total_score",
    "grade",
    "complete",
    "warnings",
    "review_comment",
    "computed_at",
    "submitted_at",
    "submitted_total",
    "submitted_grade",
    "reopened_at",
    "version",
]

#: an indicator's fields written by the engine only (what it read of the texts, and the score)
INDICATOR_COMPUTED = [*SCORED_FIELDS, "version"]

#: the engine's codes and raw numbers shown in words (the stored fields stay read-only)
INDICATOR_SHOWN_AS = {
    "target_kind": "target_kind_shown",
    "direction": "direction_shown",
    "direction_source": "direction_source_shown",
    "target_value": "target_value_shown",
    "actual_kind": "actual_kind_shown",
    "actual_value": "actual_value_shown",
    "flags": "flags_shown",
}


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

    exclude = ["warnings"]  # shown as its messages (warnings_shown), never a form field

    def get_readonly_fields(self, request, obj=None):
        # a new evaluation names its project and scheme; an existing one keeps them
        computed = ["warnings_shown" if name == "warnings" else name for name in EVALUATION_COMPUTED]
        return [*computed, *(["project", "scheme"] if obj is not None else [])]

    @admin.display(description="提示")
    def warnings_shown(self, obj: Evaluation) -> str:
        messages = [w.get("message", "") if isinstance(w, dict) else str(w) for w in obj.warnings or []]
        return "；".join(m for m in messages if m) or "—"

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
    list_filter = [
        "level1",
        "level2",
        code_filter("target_kind", "指标值类型", KIND_LABELS),
        code_filter("direction", "指标方向", DIRECTION_LABELS),
        "project__year",
        "project__department",
    ]
    search_fields = ["name", "target_text", "actual_text", "project__name"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]
    readonly_fields = [INDICATOR_SHOWN_AS.get(name, name) for name in INDICATOR_COMPUTED]
    exclude = list(INDICATOR_SHOWN_AS)  # shown by the methods below, never a form field

    @admin.display(description="指标值类型")
    def target_kind_shown(self, obj: Indicator) -> str:
        return _label(KIND_LABELS, obj.target_kind)

    @admin.display(description="指标方向")
    def direction_shown(self, obj: Indicator) -> str:
        return _label(DIRECTION_LABELS, obj.direction)

    @admin.display(description="方向来源")
    def direction_source_shown(self, obj: Indicator) -> str:
        return _label(DIRECTION_SOURCE_LABELS, obj.direction_source)

    @admin.display(description="指标值（数值）")
    def target_value_shown(self, obj: Indicator) -> str:
        return "—" if obj.target_value is None else format_decimal(obj.target_value)

    @admin.display(description="实际值类型")
    def actual_kind_shown(self, obj: Indicator) -> str:
        return _label(KIND_LABELS, obj.actual_kind)

    @admin.display(description="实际值（数值）")
    def actual_value_shown(self, obj: Indicator) -> str:
        return "—" if obj.actual_value is None else format_decimal(obj.actual_value)

    @admin.display(description="提示")
    def flags_shown(self, obj: Indicator) -> str:
        return "、".join(FLAG_LABELS.get(code, code) for code in obj.flags or []) or "—"

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            rescore_after_admin_edit(obj.project, f"管理员修改指标「{obj.name}」")
            moved_from = form.initial.get("project") if "project" in form.changed_data else None
            if moved_from:
                rescore_after_admin_edit(Project.objects.get(pk=moved_from), f"管理员移出指标「{obj.name}」")

    def delete_model(self, request, obj):
        project = obj.project
        with transaction.atomic():
            super().delete_model(request, obj)
            rescore_after_admin_edit(project, f"管理员删除指标「{obj.name}」")

    def delete_queryset(self, request, queryset):
        projects = {indicator.project for indicator in queryset.select_related("project")}
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            for project in projects:
                rescore_after_admin_edit(project, "管理员批量删除指标")


def rescore_after_admin_edit(project: Project, reason: str) -> None:
    """An indicator changed in the admin: the project-year's scores follow at once, and the version
    moves on so that a page opened before the edit cannot save over it (the reason is in its history)."""
    if not Evaluation.objects.filter(project_id=project.pk).exists():
        return
    bump_evaluation(lock_evaluation(project), reason)
    recompute(project)


@admin.register(ReviewAction)
class ReviewActionAdmin(ReadOnlyAdmin):
    """The review log is written by the workflow only: readable here, never edited."""

    list_display = ["created_at", "evaluation", "action", "user", "from_status", "to_status", "comment"]
    list_filter = ["action", "evaluation__project__year", "evaluation__project__department"]
    search_fields = ["evaluation__project__name", "comment", "user__username"]
    list_select_related = ["evaluation__project", "user"]


class RescoreChunkInline(admin.TabularInline):
    model = RescoreChunk
    extra = 0
    fields = [
        "number",
        "status",
        "attempts",
        "projects",
        "indicators_changed",
        "evaluations_changed",
        "started_at",
        "finished_at",
        "error",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RescoreRun)
class RescoreRunAdmin(ReadOnlyAdmin):
    """批量重算: written by `perfgoals.rescore_runs` (the `rescore` command), readable here, never edited;
    the progress is the share of chunks settled."""

    list_display = [
        "__str__",
        "scope",
        "status",
        "progress",
        "projects",
        "indicators_changed",
        "evaluations_changed",
        "created_at",
        "finished_at",
        "origin",
    ]
    list_filter = ["status", "mode", "year", "region"]
    list_select_related = ["region", "scheme"]
    inlines = [RescoreChunkInline]

    @admin.display(description="范围")
    def scope(self, obj: RescoreRun) -> str:
        return obj.scope_label

    @admin.display(description="进度")
    def progress(self, obj: RescoreRun) -> str:
        return progress_text(run_progress(obj))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["scope", "progress"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(ReadOnlyAdmin):
    """The compact history of bulk rescorings (one row per project-year and run, listing its changed
    indicator scores): readable here, never edited; the project's 变更记录 shows the same changes in
    place."""

    list_display = ["changed_at", "project", "indicator_count", "reason"]
    fields = ["project", "changed_at", "reason", "change_table"]
    readonly_fields = ["change_table"]
    search_fields = ["reason", "project__name"]
    list_select_related = ["project"]
    show_full_result_count = False  # 100,000 rows after a province's rescoring

    @admin.display(description="指标数")
    def indicator_count(self, obj: ScoreChange) -> int:
        return len(obj.changes)

    @admin.display(description="得分变化")
    def change_table(self, obj: ScoreChange) -> str:
        entries = obj.entries(
            dict(Indicator.objects.filter(project_id=obj.project_id).values_list("pk", "name"))
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e.indicator_id,
                    e.name or "（已删除）",
                    "—" if e.old_score is None else e.old_score,
                    "—" if e.new_score is None else e.new_score,
                )
                for e in entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>指标 ID</th><th>指标</th><th>原得分</th><th>新得分</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


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
    readonly_fields = ["status", "execution_score", "total_score", "grade"]

    def get_readonly_fields(self, request, obj=None):
        # obj is the project: the scheme of its existing evaluation stays (a new one is chosen)
        existing = obj is not None and Evaluation.objects.filter(project=obj).exists()
        return [*self.readonly_fields, *(["scheme"] if existing else [])]


# projects registers the project admin without the evaluation (it knows nothing of perfgoals); this one,
# with the evaluation's columns, filters and inlines, takes its place. projects.admin is imported
# above, so it has registered first whatever order the admin modules are discovered in.
admin.site.unregister(Project)


@admin.register(Project)
class ProjectAdmin(BaseProjectAdmin):
    list_display = [*BaseProjectAdmin.list_display, "status", "total_score", "grade"]
    list_filter = [*BaseProjectAdmin.list_filter, "evaluation__status", "evaluation__grade"]
    list_select_related = [*BaseProjectAdmin.list_select_related, "evaluation"]
    inlines = [*BaseProjectAdmin.inlines, EvaluationInline, IndicatorInline]

    def save_related(self, request, form, formsets, change):
        # the admin wraps the whole change in one transaction: the rescoring is part of it
        super().save_related(request, form, formsets, change)
        if any(formset.model is Indicator and formset.has_changed() for formset in formsets):
            rescore_after_admin_edit(form.instance, "管理员在项目页修改指标")

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
