from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The annual self-evaluation outputs: 自评表, summary table, 绩效评价报告, report packages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.reports"
    label = "reports"
    verbose_name = "自评报告"
