from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """佐证材料: files attached to an indicator's actual value or to a project-year."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.evidence"
    label = "evidence"
    verbose_name = "佐证材料"
