"""python manage.py load_demo [--with-demo-accounts] — load the seed documents (idempotent) and, when
asked, the demo accounts (refused under production settings: their password is public)."""

from django.core.management.base import BaseCommand, CommandError

from perfgoals.demo import DEMO_PASSWORD, DemoAccountsRefused, load_demo


class Command(BaseCommand):
    help = (
        "载入五份公开文件中的 49 个项目（可重复运行，不会重复载入或覆盖已有数据）；"
        "加 --with-demo-accounts 同时创建演示账号（生产环境配置下拒绝）。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--with-demo-accounts",
            action="store_true",
            help=(
                f"同时创建演示账号（系统管理员 admin 及各角色账号，密码均为 {DEMO_PASSWORD}）；"
                "仅供演示和测试。"
            ),
        )

    def handle(self, *args, with_demo_accounts: bool = False, **options) -> None:
        try:
            report = load_demo(accounts=with_demo_accounts)
        except DemoAccountsRefused as exc:
            raise CommandError(str(exc)) from None
        accounts = f"，演示账号 {report.users_created} 个" if with_demo_accounts else "（未创建演示账号）"
        self.stdout.write(
            self.style.SUCCESS(
                f"新建项目 {report.projects_created} 个（已存在跳过 {report.projects_skipped} 个），"
                f"指标 {report.indicators_created} 条{accounts}。"
            )
        )
        if report.users_created:
            self.stdout.write(f"演示账号密码均为 {DEMO_PASSWORD}（见 README），切勿用于正式环境。")
