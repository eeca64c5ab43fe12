from django.apps import AppConfig


class PublicationConfig(AppConfig):
    """公开: publishing a department-year's goal tables and self-evaluation results."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.publication"
    label = "publication"
    verbose_name = "绩效信息公开"
