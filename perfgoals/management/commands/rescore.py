"""Rescore every project-year of a region and/or a year with the engine (bulk, set-based writes).

    python manage.py rescore [--region NAME] [--year Y] [--scheme CODE] [--chunk 500] [--no-history]
                             [--workers N | --celery [--wait [--timeout SECONDS]]]
    python manage.py rescore --resume RUN_ID [--workers N | --celery [--wait ...]]

An operator's command (after a scheme change, an engine upgrade, a data repair): no user scope
applies. Each call is a run (`perfgoals.rescore_runs`, visible in the admin under 批量重算) cut into
chunks of ``--chunk`` projects; changed scores are recorded in the history with the reason
"批量重算 #<run>".

- ``--workers N`` (default): the chunks in N local processes, one a CPU core; with PostgreSQL on the
  same machine one more than the cores was fastest (bench/RESULTS.md: 3 on 2 cores). Needs no Redis.
- ``--celery``: one Celery task a chunk (a group), taken by the workers of every host; ``--wait``
  prints the progress until the run is finished (or ``--timeout`` seconds have passed).
- ``--resume RUN_ID``: the run's failed chunks, and those left running by a dead worker, again.
"""

from __future__ import annotations

import getpass
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from perfgoals import rescore_runs
from perfgoals.models import RescoreRun, ScoringScheme
from perfgoals.tasks import queue_rescore
from projects.models import Region


class Command(BaseCommand):
    help = "批量重算项目自评得分（可按地区、年度、评分方案筛选），变化的得分写入变更记录。"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="地区名称，如 烟台市；省略则为全部地区")
        parser.add_argument("--year", type=int, help="年度；省略则为全部年度")
        parser.add_argument("--scheme", help="评分方案代码；只重算使用该方案的项目")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="本机并行进程数（每个占一个 CPU 核；数据库在同一台机器时可设为核数加 1），默认 1",
        )
        parser.add_argument(
            "--chunk", type=int, default=500, help="每块（每个事务、每个任务）的项目数，默认 500"
        )
        parser.add_argument(
            "--no-history", action="store_true", help="不写变更记录（仅用于重建后的初次计算）"
        )
        parser.add_argument(
            "--celery", action="store_true", help="以 Celery 任务分发到各台主机的 worker（需要 Redis）"
        )
        parser.add_argument("--wait", action="store_true", help="与 --celery 一起使用：等待完成并显示进度")
        parser.add_argument(
            "--timeout", type=float, default=3600, help="与 --wait 一起使用：最多等待的秒数，默认 3600"
        )
        parser.add_argument(
            "--resume", type=int, metavar="RUN_ID", help="继续一次批量重算：重做失败和中断的块"
        )

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError("--workers 必须大于等于 1。")
        if options["chunk"] < 1:
            raise CommandError("--chunk 必须大于等于 1。")
        if options["wait"] and not options["celery"]:
            raise CommandError("--wait 只能与 --celery 一起使用。")
        if options["celery"] and options["workers"] > 1:
            raise CommandError("--celery 与 --workers 不能同时使用：任务由各主机的 worker 执行。")
        started = time.perf_counter()
        if options["resume"]:
            if any(options[name] for name in ("region", "year", "scheme", "no_history")):
                raise CommandError(
                    "--resume 沿用原来的范围，不能再指定 --region、--year、--scheme 或 --no-history。"
                )
            run = RescoreRun.objects.filter(pk=options["resume"]).first()
            if run is None:
                raise CommandError(f"没有编号为 {options['resume']} 的批量重算。")
            chunk_ids = rescore_runs.reopen_run(run.pk)
            self.stdout.write(f"继续批量重算 #{run.pk}（{run.scope_label}）：待处理 {len(chunk_ids)} 块。")
        else:
            run = rescore_runs.plan_run(
                **self._scope(options),
                chunk=options["chunk"],
                history=not options["no_history"],
                mode=RescoreRun.Mode.CELERY if options["celery"] else RescoreRun.Mode.PROCESSES,
                origin=f"命令行（{_os_user()}）",
            )
            chunk_ids = rescore_runs.pending_chunk_ids(run.pk)
            self.stdout.write(
                f"批量重算 #{run.pk}（{run.scope_label}）：{run.projects} 个项目，分为 {run.chunk_count} 块。"
            )
        if options["celery"]:
            if not settings.REDIS_URL:
                self.stdout.write("未配置 REDIS_URL：任务在本进程内依次执行。")
            queue_rescore(run, chunk_ids)  # no transaction is open: sent at once
            if not options["wait"]:
                self.stdout.write(
                    f"已排入队列 {len(chunk_ids)} 个任务。查看进度：管理后台“批量重算”#{run.pk}；"
                    f"中断后继续：python manage.py rescore --resume {run.pk} --celery"
                )
                return
            self._wait(run.pk, options["timeout"])
        else:
            rescore_runs.run_in_processes(run, workers=options["workers"], chunk_ids=chunk_ids)
        self._report(run.pk, time.perf_counter() - started)

    def _scope(self, options) -> dict:
        scope = {"region": None, "year": options["year"], "scheme": None}
        if options["region"]:
            scope["region"] = Region.objects.filter(name=options["region"]).first()
            if scope["region"] is None:
                raise CommandError(f"没有名为“{options['region']}”的地区。")
        if options["scheme"]:
            scope["scheme"] = ScoringScheme.objects.filter(code=options["scheme"]).first()
            if scope["scheme"] is None:
                raise CommandError(f"没有代码为“{options['scheme']}”的评分方案。")
        return scope

    def _wait(self, run_id: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            figures = rescore_runs.run_progress(run_id)
            text = rescore_runs.progress_text(figures)
            if text != last:
                self.stdout.write(text)
                last = text
            if figures["finished"]:
                rescore_runs.settle_run(run_id)
                return
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"等待超时（{timeout:g} 秒）：批量重算 #{run_id} 仍在进行，任务不受影响。"
                    f"可稍后查看管理后台，或用 python manage.py rescore --resume {run_id} --celery 继续中断的块。"
                )
            time.sleep(1)

    def _report(self, run_id: int, seconds: float) -> None:
        run = RescoreRun.objects.get(pk=run_id)
        figures = rescore_runs.run_progress(run_id)
        self.stdout.write(
            f"批量重算 #{run.pk} {run.get_status_display()}：重算 {figures['projects_done']} 个项目、"
            f"{run.indicators} 条指标，用时 {seconds:.1f} 秒；"
            f"得分变化的指标 {run.indicators_changed} 条，自评 {run.evaluations_changed} 个。"
        )
        if figures["failed"]:
            errors = run.chunks.filter(status="failed").values_list("number", "error")[:5]
            for number, error in errors:
                self.stderr.write(f"第 {number} 块失败：{error}")
            raise CommandError(
                f"{figures['failed']} 块失败。修复后可用 python manage.py rescore --resume {run.pk} 继续。"
            )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "未知用户"
