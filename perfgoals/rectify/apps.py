from django.apps import AppConfig


class RectifyConfig(AppConfig):
    """整改事项: opened by finance or the reviewing department, answered by the unit, confirmed or returned."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.rectify"
    label = "rectify"
    verbose_name = "整改"
