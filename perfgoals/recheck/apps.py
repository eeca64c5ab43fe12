from django.apps import AppConfig


class RecheckConfig(AppConfig):
    """抽查复核: a finance reviewer draws a sample of self-evaluations and re-scores them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.recheck"
    label = "recheck"
    verbose_name = "抽查复核"
