"""The region's 结果应用 rule is edited in the admin (validated by the model, audited by its history);
decisions are read there, changed only by finance on the 结果应用 page (a reason is required)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApplicationRule, BudgetDecision
from .rules import DEFAULT_RULE


@admin.register(ApplicationRule)
class ApplicationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["region", "grade", "action", "reduction_percent"]
    list_filter = ["region", "grade", "action"]

    def get_form(self, request, obj=None, **kwargs):
        defaults = "；".join(f"{grade} → {proposal.text}" for grade, proposal in DEFAULT_RULE.items())
        kwargs.setdefault("help_texts", {})["grade"] = f"未配置的等级按默认规则：{defaults}。"
        return super().get_form(request, obj, **kwargs)


@admin.register(BudgetDecision)
class BudgetDecisionAdmin(SimpleHistoryAdmin):
    list_display = ["project", "action", "reduction_percent", "basis_grade", "decided_by", "decided_at"]
    list_filter = ["action", "basis_grade"]
    search_fields = ["project__name"]
    readonly_fields = [f.name for f in BudgetDecision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
