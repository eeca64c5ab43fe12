from django.apps import AppConfig


class ResultsConfig(AppConfig):
    """结果应用: grade → proposed budget action (by the region's rule) → finance's decision."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.results"
    label = "results"
    verbose_name = "结果应用"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ..recheck.models import RecheckItem
        from ..signals import bump
        from .models import ApplicationRule, BudgetDecision

        # the 结果应用 合计 kept in the cache follow the grade (a finished 复核), the rule and the decisions
        for model in (ApplicationRule, BudgetDecision, RecheckItem):
            post_save.connect(bump, sender=model, dispatch_uid=f"results-bump-save-{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"results-bump-delete-{model.__name__}")
