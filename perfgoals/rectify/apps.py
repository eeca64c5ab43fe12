from django.apps import AppConfig


class RectifyConfig(AppConfig):
    """整改事项: opened by finance or the reviewing department, answered by the unit, confirmed or returned.

    Registers the overdue 整改 follow-up signal of the overview (``oversight.signals.FOLLOW_UPS``) and
    moves the overview's generation on each change of an item, so that the overview imports nothing of
    this room."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.rectify"
    label = "rectify"
    verbose_name = "整改"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ..oversight import signals as oversight_signals
        from ..signals import bump
        from . import overview
        from .models import RectifyItem

        if overview.OVERDUE not in oversight_signals.FOLLOW_UPS:
            oversight_signals.FOLLOW_UPS.append(overview.OVERDUE)
        post_save.connect(bump, sender=RectifyItem, dispatch_uid="oversight-bump-save-RectifyItem")
        post_delete.connect(bump, sender=RectifyItem, dispatch_uid="oversight-bump-delete-RectifyItem")
