from django.apps import AppConfig


class PerfgoalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals"
    verbose_name = "绩效目标与自评"
