"""Benchmark: rescoring every score of the province, against the floor of a plain SQL UPDATE.

    .venv/bin/python bench/rescore.py [--workers 2] [--chunk 500] [--limit N] [--no-reset]
    .venv/bin/python bench/rescore.py --celery 1 2 3 [--chunk 500] [--redis-url redis://…/3]

On the database written by `bench/province.py` (perfeval_bench, or BENCH_DATABASE_URL):

1. reset (not timed): every scored field of every indicator and evaluation emptied, the history
   tables emptied, VACUUM ANALYZE — so that every row changes, as on a freshly generated province;
2. floor: one plain ``UPDATE perfgoals_indicator SET`` of the eleven columns the rescoring writes
   (``score = weight, score_explanation = '' …``) for every row, plus the same for the evaluations'
   seven columns, in one transaction, rolled back (then VACUUM, not timed);
3. rescore: `perfgoals.rescore.rescore_in_processes` over every project (``--workers`` processes,
   one chunk of ``--chunk`` projects a transaction), with history for every changed row (each
   changed indicator listed in its project's `ScoreChange` row, a full history row per evaluation);
4. repeat: the same again on the now unchanged data (nothing to write but computed_at).

With ``--celery N …``, step 3 runs once per N (each after a reset, not timed): N real
`celery -A config worker --pool solo` processes (one core each, as N single-core hosts would) take
the chunks of one rescoring run (`rescore_runs.plan_run` + `tasks.queue_rescore`, a Celery group)
from Redis, and the bench waits for the run to settle. CPU is counted per process: each worker's
user+system time from /proc/<pid>/stat, PostgreSQL's as the machine's busy time less the workers'
and this process's; reported as core-seconds per million indicators, beside the wall time and its
ratio to the plain-UPDATE floor.

The figures (and the ratio rescore / floor) are appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_URL, append, machine, setup_django  # noqa: E402

INDICATOR_FLOOR = (
    "update perfgoals_indicator set target_kind = 'quantity', direction = '≥', "
    "direction_source = 'operator', "
    "target_value = weight, target_unit = '%', actual_kind = 'quantity', actual_value = weight, "
    "actual_unit = '%', score = weight, score_explanation = '', flags = '[]'::jsonb"
)
EVALUATION_FLOOR = (
    "update perfgoals_evaluation set execution_rate = 1, execution_score = 10, total_score = 90, "
    "grade = '优', "
    "complete = true, warnings = '[]'::jsonb, computed_at = now(), updated_at = now()"
)


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy so far, all cores together (/proc/stat): Python
    processes, PostgreSQL backends and anything else running."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_seconds() -> float:
    """CPU seconds of this process's finished children (the rescoring's worker processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (/proc/<pid>/stat), its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_seconds(pid: int) -> float:
    """CPU seconds of a process and its children (a worker's pool processes, if any)."""
    total = process_seconds(pid)
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for child_pid in child.read_text().split():
            try:
                total += tree_seconds(int(child_pid))
            except (OSError, ValueError):
                pass
    return total


def celery_runs(args, ids: list[int], indicator_count: int, floor: float, line_machine: str) -> None:
    """The rescoring of every project through Celery, once per worker count in ``args.celery``."""
    import subprocess

    from django.db import connection, transaction

    from config.celery import app
    from perfgoals import rescore_runs, tasks
    from perfgoals.models import RescoreRun

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "REDIS_URL": args.redis_url, "DATABASE_URL": args.database_url}
    app.conf.update(broker_url=args.redis_url, result_backend=args.redis_url, task_always_eager=False)
    results = []
    for count in args.celery:
        with transaction.atomic(), connection.cursor() as cursor:
            reset(cursor)
        vacuum()
        app.control.purge()
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                 "--hostname", f"bench{i}@%h", "--loglevel", "WARNING", "--without-gossip",
                 "--without-mingle"],
                cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            for i in range(count)
        ]  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while len(app.control.ping(timeout=1.0) or []) < count:
                if time.monotonic() > deadline:
                    raise SystemExit("the workers did not start")
            before = {w.pid: tree_seconds(w.pid) for w in workers}
            started, busy, own = time.perf_counter(), busy_seconds(), own_seconds()
            run = rescore_runs.plan_run(chunk=args.chunk, mode=RescoreRun.Mode.CELERY, origin="bench")
            tasks.queue_rescore(run)  # autocommit: sent at once
            while not rescore_runs.run_progress(run)["finished"]:
                time.sleep(0.2)
            wall = time.perf_counter() - started
            machine_busy = busy_seconds() - busy
            worker_cpu = sum(tree_seconds(w.pid) - before[w.pid] for w in workers)
            bench_cpu = own_seconds() - own
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=60)
        run = rescore_runs.settle_run(run.pk)
        per_million = machine_busy / indicator_count * 1e6
        results.append((count, wall, worker_cpu, bench_cpu, machine_busy, per_million, run))
        print(
            f"celery {count} worker(s): {wall:.1f} s, workers {worker_cpu:.1f} core-s, machine "
            f"{machine_busy:.1f} core-s = {per_million:.0f} core-s per M indicators; {run.status}"
        )
    lines = [
        f"machine: {line_machine}",
        f"command: `python bench/rescore.py --celery {' '.join(map(str, args.celery))} --chunk {args.chunk}`"
        f" (data: `python bench/province.py --projects {len(ids)}`)",
        f"rows: {len(ids):,} projects, {indicator_count:,} indicators, every scored field emptied before "
        "each run (every row changes: every indicator listed in its project's ScoreChange row, one full "
        "history row per evaluation)",
        f"floor (one plain UPDATE of the same columns, rolled back): {floor:.1f} s",
        *(
            f"{count} worker(s): **{wall:.1f} s = {wall / floor:.1f}× the floor**; CPU of the workers "
            f"{worker_cpu:.1f} s = {worker_cpu / indicator_count * 1e6:.0f} core-s per M indicators; the "
            f"whole machine {machine_busy:.1f} s = {per_million:.0f} core-s per M indicators (of which "
            f"{machine_busy - worker_cpu - bench_cpu:.1f} s outside the workers: PostgreSQL, Redis and "
            f"anything else running); run #{run.pk} {run.get_status_display()}, "
            f"{run.indicators_changed:,} indicators changed"
            for count, wall, worker_cpu, bench_cpu, machine_busy, per_million, run in results
        ),
        "core-seconds: the whole machine's busy time during the run (/proc/stat), so a loaded machine "
        "counts other work too; the workers' own CPU is the column beside",
    ]
    print(append(f"Rescoring through Celery, {len(ids):,} projects, PostgreSQL", lines))


def reset(cursor) -> None:
    cursor.execute(
        "update perfgoals_indicator set target_kind = '', direction = '', direction_source = '', "
        "target_value = null, target_unit = '', actual_kind = '', actual_value = null, actual_unit = '', "
        "score = null, score_explanation = '', flags = '[]'::jsonb"
    )
    cursor.execute(
        "update perfgoals_evaluation set execution_rate = null, execution_score = null, total_score = null, "
        "grade = '', complete = false, warnings = '[]'::jsonb, computed_at = null"
    )
    cursor.execute(
        "truncate perfgoals_historicalindicator, perfgoals_historicalevaluation, perfgoals_scorechange"
    )


def vacuum() -> None:
    from django.db import connection

    connection.close()
    with connection.cursor() as cursor:  # autocommit outside atomic blocks: VACUUM may run
        cursor.execute("vacuum analyze perfgoals_indicator")
        cursor.execute("vacuum analyze perfgoals_evaluation")
        cursor.execute("checkpoint")


def compare_recompute(count: int, line_machine: str) -> None:
    from django.db import connection, transaction

    from perfgoals import rescore, scoring
    from perfgoals.models import Evaluation
    from projects.models import Project

    ids = list(Evaluation.objects.order_by("project_id").values_list("project_id", flat=True)[:count])
    last = ids[-1]

    def reset_sample() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "update perfgoals_indicator set target_kind = '', score = null, score_explanation = '', "
                "flags = '[]'::jsonb where project_id <= %s",
                [last],
            )
            cursor.execute(
                "update perfgoals_evaluation set total_score = null, grade = '' where project_id <= %s",
                [last],
            )

    reset_sample()
    started = time.perf_counter()
    for project in Project.objects.filter(pk__in=ids).select_related("unit__department"):
        scoring.recompute(project)
    one_by_one = time.perf_counter() - started
    reset_sample()
    started = time.perf_counter()
    stats = rescore.rescore_projects(ids, label="bench")
    bulk = time.perf_counter() - started
    lines = [
        f"machine: {line_machine}",
        f"command: `python bench/rescore.py --recompute-sample {count}` (one process, every row changed)",
        f"`recompute(project)` for each of {count:,} projects ({stats.indicators:,} indicators; "
        f"one save and one history row per changed row): {one_by_one:.1f} s = "
        f"{stats.indicators / one_by_one:,.0f} indicators/s",
        f"`rescore_projects(ids)` on the same rows: {bulk:.1f} s = "
        f"{stats.indicators / bulk:,.0f} indicators/s "
        f"(read {stats.read_seconds:.1f} s, engine {stats.score_seconds:.1f} s, write + history "
        f"{stats.write_seconds:.1f} s): **{one_by_one / bulk:.1f}× faster**",
    ]
    print(
        append(
            f"Rescoring {count:,} projects: recompute per project against the bulk service, PostgreSQL", lines
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument(
        "--limit", type=int, help="rescore only the first N projects (the floor covers as many)"
    )
    parser.add_argument(
        "--no-reset", action="store_true", help="keep the stored scores (measures a repeat only)"
    )
    parser.add_argument(
        "--recompute-sample",
        type=int,
        metavar="N",
        help="only compare, on the first N projects in one process, recompute() per project "
        "(the interactive path: one save per changed row) with rescore_projects()",
    )
    parser.add_argument("--no-repeat", action="store_true", help="skip the repeat on unchanged data")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--celery",
        type=int,
        nargs="+",
        metavar="N",
        help="rescore through a Celery run with N real worker processes, once per N (e.g. 1 2 3)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), help="the broker"
    )
    args = parser.parse_args()
    if args.celery:
        os.environ["REDIS_URL"] = args.redis_url  # before the settings are read: Celery on Redis
    setup_django(args.database_url)

    from django.db import connection, transaction

    from perfgoals import rescore
    from perfgoals.models import Evaluation

    line_machine = machine()
    if args.recompute_sample:
        compare_recompute(args.recompute_sample, line_machine)
        return
    ids = list(Evaluation.objects.order_by("project_id").values_list("project_id", flat=True))
    if args.limit:
        ids = ids[: args.limit]
    where_ind = where_ev = ""
    if args.limit:
        where_ind = f" where project_id <= {ids[-1]}"
        where_ev = f" where project_id <= {ids[-1]}"
    with connection.cursor() as cursor:
        cursor.execute(f"select count(*) from perfgoals_indicator{where_ind}")
        indicator_count = cursor.fetchone()[0]
    print(f"{len(ids):,} projects, {indicator_count:,} indicators")

    if not args.no_reset:
        with transaction.atomic(), connection.cursor() as cursor:
            reset(cursor)
        vacuum()

    # the floor: the same rows and columns, one statement each, rolled back
    started, busy = time.perf_counter(), busy_seconds()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INDICATOR_FLOOR + where_ind)
        cursor.execute(EVALUATION_FLOOR + where_ev)
        floor = time.perf_counter() - started
        floor_busy = busy_seconds() - busy
        transaction.set_rollback(True)
    vacuum()
    print(f"floor {floor:.1f} s")
    if args.celery:
        celery_runs(args, ids, indicator_count, floor, line_machine)
        return

    started, busy, python = time.perf_counter(), busy_seconds(), children_seconds() + own_seconds()
    stats = rescore.rescore_in_processes(ids, workers=args.workers, chunk=args.chunk, label="bench")
    first = time.perf_counter() - started
    first_busy = busy_seconds() - busy
    first_python = children_seconds() + own_seconds() - python
    print(f"rescore {first:.1f} s {stats}")
    connection.close()
    vacuum()

    again, repeat = None, 0.0
    if not args.no_repeat:
        started = time.perf_counter()
        again = rescore.rescore_in_processes(ids, workers=args.workers, chunk=args.chunk, label="bench")
        repeat = time.perf_counter() - started
        print(f"repeat {repeat:.1f} s {again}")

    cpu_seconds = stats.read_seconds + stats.score_seconds + stats.write_seconds
    command = "python bench/rescore.py" + "".join(
        f" {flag}"
        for flag in (
            f"--workers {args.workers}",
            f"--chunk {args.chunk}",
            f"--limit {args.limit}" if args.limit else "",
            "--no-reset" if args.no_reset else "",
            "--no-repeat" if args.no_repeat else "",
        )
        if flag
    )
    title = f"Rescoring {'the province' if not args.limit else f'{len(ids):,} projects'}, PostgreSQL"
    lines = [
        f"machine: {line_machine}",
        f"command: `{command}` (data: `python bench/province.py --projects 100000`)",
        f"rows: {len(ids):,} projects, {indicator_count:,} indicators; every scored field emptied first, so "
        f"every row changes ({stats.indicators_changed:,} indicators, "
        f"{stats.evaluations_changed:,} evaluations "
        "changed; every indicator listed in its project's ScoreChange row, one full history row per "
        "evaluation)",
        f"floor (one plain UPDATE of the same 11 indicator columns + 8 evaluation columns, rolled back): "
        f"{floor:.1f} s",
        f"rescore with `rescore_in_processes` ({args.workers} processes, chunks of {args.chunk} projects): "
        f"**{first:.1f} s = {first / floor:.1f}× the floor** ({stats.indicators / first:,.0f} indicators/s); "
        f"summed over the processes: read {stats.read_seconds:.1f} s, engine {stats.score_seconds:.1f} s, "
        f"write + history {stats.write_seconds:.1f} s ({stats.write_seconds / cpu_seconds:.0%} of the work)",
        f"write path alone (COPY + one UPDATE … FROM … RETURNING feeding the history INSERT, summed): "
        f"{stats.write_seconds:.1f} s = {stats.write_seconds / floor:.1f}× the floor",
        f"CPU used by the whole machine (/proc/stat, all cores): floor {floor_busy:.1f} s; rescore "
        f"{first_busy:.1f} s, of which {first_python:.1f} s in the Python processes (reading, engine, COPY) "
        f"and {first_busy - first_python:.1f} s elsewhere (PostgreSQL, and anything else running); on "
        f"{os.cpu_count()} cores the rescore cannot take less than {first_busy / os.cpu_count():.1f} s "
        f"= {first_busy / os.cpu_count() / floor:.1f}× the floor",
        *(
            [
                f"repeat on unchanged data: {repeat:.1f} s ({again.indicators_changed:,} indicators changed, "
                f"{again.evaluations_changed:,} evaluations; engine {again.score_seconds:.1f} s of "
                f"{again.read_seconds + again.score_seconds + again.write_seconds:.1f} s summed)"
            ]
            if again
            else []
        ),
        f"target (at most 2× the floor): **{'met' if first <= 2 * floor else 'not met'}**",
    ]
    print(append(title, lines))


if __name__ == "__main__":
    main()
