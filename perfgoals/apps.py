from django.apps import AppConfig


class PerfgoalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals"
    verbose_name = "绩效目标与自评"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from projects.models import Project

        from . import lookups  # noqa: F401  (registers ``field__any_of`` for every query of the project)
        from .models import Evaluation
        from .signals import bump, evaluations_rescored

        # figures stored in the cache are older than the data once a score, a status or a value moves
        for model in (Evaluation, Project):
            post_save.connect(bump, sender=model, dispatch_uid=f"oversight-bump-save-{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"oversight-bump-delete-{model.__name__}")
        evaluations_rescored.connect(bump, dispatch_uid="oversight-bump-rescored")
