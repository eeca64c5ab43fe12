from django.apps import AppConfig


class GoalTablesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.goaltables"
    label = "goaltables"
    verbose_name = "绩效目标表"
