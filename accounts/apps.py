from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in security and the audit log: failed-login throttling (django-axes, with the site's own
    address rule and lockout page), the password page, and who changed which account, role or scoring
    scheme, when, from what to what."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与安全审计"

    def ready(self) -> None:
        # the tracked models are named by label, so that this app imports neither projects nor perfgoals
        from . import audit

        audit.connect()
