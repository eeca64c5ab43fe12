"""Rescore every project-year of a region and/or a year with the engine (bulk, set-based writes).

    python manage.py rescore [--region NAME] [--year Y] [--workers 1] [--chunk 500] [--no-history]

An operator's command (after a scheme change, an engine upgrade, a data repair): no user scope
applies. Changed scores are recorded in the history with the reason "批量重算 <run>"; see
`perfgoals.rescore.rescore_projects`. ``--workers``: one process a CPU core; with PostgreSQL on the
same machine one more than the cores was fastest (bench/RESULTS.md: 3 on 2 cores).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from perfgoals.models import Evaluation
from perfgoals.rescore import rescore_in_processes
from projects.models import Region


class Command(BaseCommand):
    help = "批量重算项目自评得分（可按地区、年度筛选），变化的得分写入变更记录。"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="地区名称，如 烟台市；省略则为全部地区")
        parser.add_argument("--year", type=int, help="年度；省略则为全部年度")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="并行进程数（每个占一个 CPU 核；数据库在同一台机器时可设为核数加 1），默认 1",
        )
        parser.add_argument("--chunk", type=int, default=500, help="每个事务的项目数，默认 500")
        parser.add_argument(
            "--no-history", action="store_true", help="不写变更记录（仅用于重建后的初次计算）"
        )

    def handle(self, *args, **options):
        evaluations = Evaluation.objects.all()
        if options["region"]:
            if not Region.objects.filter(name=options["region"]).exists():
                raise CommandError(f"没有名为“{options['region']}”的地区。")
            evaluations = evaluations.filter(project__region__name=options["region"])
        if options["year"]:
            evaluations = evaluations.filter(project__year=options["year"])
        ids = list(evaluations.values_list("project_id", flat=True))
        started = time.perf_counter()
        stats = rescore_in_processes(
            ids,
            workers=options["workers"],
            chunk=options["chunk"],
            history=not options["no_history"],
            label=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"重算 {stats.projects} 个项目、{stats.indicators} 条指标，用时 {seconds:.1f} 秒；"
            f"得分变化的指标 {stats.indicators_changed} 条，自评 {stats.evaluations_changed} 个。"
        )
