from django.apps import AppConfig


class GoalTablesConfig(AppConfig):
    """The goal tables as each region publishes them; adds the department-year's goal workbook to the
    report packages (registered here, so that the reports room imports nothing of this one)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "perfgoals.goaltables"
    label = "goaltables"
    verbose_name = "绩效目标表"

    def ready(self) -> None:
        from ..reports import packages
        from . import tables

        entry = (tables.PACKAGE_DESCRIPTION, tables.package_files)
        if entry not in packages.EXTRA_HEAD_FILES:
            packages.EXTRA_HEAD_FILES.append(entry)
