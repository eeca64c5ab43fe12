"""python manage.py build_indicator_library — (re)build the indicator library from the projects."""

from django.core.management.base import BaseCommand

from perfgoals.intake.services import build_library


class Command(BaseCommand):
    help = "从已提交目标的项目重建指标库（已审定的条目只更新使用次数）。"

    def handle(self, *args, **options) -> None:
        report = build_library()
        self.stdout.write(
            self.style.SUCCESS(
                f"指标库：新增 {report.created} 条，更新 {report.updated} 条，"
                f"移除 {report.removed} 条，共 {report.total} 条。"
            )
        )
