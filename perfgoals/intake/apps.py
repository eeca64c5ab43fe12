from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Bringing data in and carrying it forward: Excel import, year rollover, indicator library."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.intake"
    label = "intake"
    verbose_name = "导入与指标库"
