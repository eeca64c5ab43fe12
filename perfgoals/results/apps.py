from django.apps import AppConfig


class ResultsConfig(AppConfig):
    """结果应用: grade → proposed budget action (by the region's rule) → finance's decision."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.results"
    label = "results"
    verbose_name = "结果应用"
