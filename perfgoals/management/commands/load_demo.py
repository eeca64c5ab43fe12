"""python manage.py load_demo — load the seed documents and the demo accounts (idempotent)."""

from django.core.management.base import BaseCommand

from perfgoals.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入五份公开文件中的 49 个项目及演示账号（可重复运行，不会重复载入或覆盖已有数据）。"

    def handle(self, *args, **options) -> None:
        report = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"新建项目 {report.projects_created} 个（已存在跳过 {report.projects_skipped} 个），"
                f"指标 {report.indicators_created} 条，演示账号 {report.users_created} 个。"
            )
        )
        if report.users_created:
            self.stdout.write(f"演示账号密码均为 {DEMO_PASSWORD}（见 README）。")
