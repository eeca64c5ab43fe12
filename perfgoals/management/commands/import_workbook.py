"""python manage.py import_workbook FILE.xlsx [--dry-run] — import goal tables or results from Excel.

The same reader, checks and single transaction as the upload page. Without --user the command acts
for the system (every unit; rows must name their 实施单位 unless a department has only one); with
--user it acts exactly as that user would on the page (own unit only).
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from perfgoals.engine import Direction
from perfgoals.intake import tasks
from perfgoals.intake.models import ImportKind
from perfgoals.intake.services import Actor, ImportRefused, apply_plan, can_import, plan_import


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入绩效目标表或完成情况；先检查整个文件，有任何错误则不写入。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示预览，不写入数据库")
        parser.add_argument(
            "--kind",
            choices=[k.value for k in ImportKind],
            default=ImportKind.GOALS,
            help="goals：绩效目标表（默认）；results：已有项目的完成情况",
        )
        parser.add_argument("--year", type=int, help="文件中没有年度时使用的年度")
        parser.add_argument("--user", help="以该用户身份导入（按其单位范围检查）；不填则以系统身份导入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出预览")

    def handle(self, *args, **options) -> None:
        actor = Actor(None)
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户「{options['user']}」。")
            if not can_import(user):
                raise CommandError(f"用户「{user.username}」不是实施单位填报人，不能导入。")
            actor = Actor(user)
        path = options["file"]
        try:
            with open(path, "rb") as handle:
                plan = plan_import(
                    handle, actor=actor, kind=options["kind"], year=options["year"], source_name=path
                )
        except OSError as exc:
            raise CommandError(f"无法打开文件：{exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(plan.preview(), ensure_ascii=False, indent=1))
        else:
            self._print_plan(plan, verbose=options["verbosity"] > 1)
        if not plan.ok:
            raise CommandError(f"文件有 {len(plan.errors) + plan.errors_dropped} 个错误，没有导入任何数据。")
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("--dry-run：检查通过，未写入数据库。"))
            return
        try:
            report = apply_plan(plan, actor=actor)
        except ImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(problem.text())
            raise CommandError("导入被拒绝，没有写入任何数据。") from exc
        if plan.feeds_library:
            tasks.queue_library_update(report.project_ids)
        self.stdout.write(self.style.SUCCESS("导入完成：" + report.text()))

    def _print_plan(self, plan, *, verbose: bool) -> None:
        summary = plan.summary()
        self.stdout.write(
            f"读取 {summary['rows_read']} 行：项目 {summary['projects']} 个（新建 {summary['created']}、"
            f"覆盖草稿 {summary['replaced']}、填写完成情况 {summary['results']}），"
            f"指标 {summary['indicators']} 条。"
        )
        for problem in plan.errors:
            self.stderr.write(self.style.ERROR("错误 " + problem.text()))
        if plan.errors_dropped:
            self.stderr.write(self.style.ERROR(f"另有 {plan.errors_dropped} 个错误未列出。"))
        for problem in plan.warnings:
            self.stdout.write("提示 " + problem.text())
        for planned in plan.projects:
            self.stdout.write(
                f"· {planned.action_label}：{planned.year} 年 {planned.unit.name} · {planned.name}"
                f"（{len(planned.indicators)} 个指标）"
            )
            for problem in planned.warnings:
                self.stdout.write("    提示 " + problem.message)
            for item in planned.indicators:
                if verbose:
                    target = item.target
                    self.stdout.write(
                        f"    第 {item.row.row} 行 {item.data.name}：{target.display()}"
                        + (f"，分值 {item.data.weight}" if item.data.weight is not None else "")
                        + (
                            f"，人工确认方向 {Direction(item.data.direction_override).label}"
                            if item.data.direction_override
                            else ""
                        )
                        + (
                            f"，档次 {item.data.band} 得分 {item.data.band_score}"
                            if item.data.band_score is not None
                            else ""
                        )
                        + ("，不适用" if item.data.not_applicable else "")
                    )
                for warning in item.warnings:
                    self.stdout.write(f"    提示 工作表「{item.row.sheet}」第 {item.row.row} 行：{warning}")
