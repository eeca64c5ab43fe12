"""Benchmark: building a region package of 1,000 projects through real Celery workers on Redis.

    .venv/bin/python bench/packages.py [--workers 1 2 4] [--generate]

Data: a separate database, perfeval_pkg, holding a province of exactly 1,000 projects (one region
合成省, 4 departments of 250 projects, 40 units, 15 indicators each), written by
``bench/province.py --projects 1000 --database-url …/perfeval_pkg`` (``--generate`` does it) and
scored with ``rescore_projects``. For each concurrency N, a worker
``celery -A config worker --concurrency N`` (prefork) is started with DATABASE_URL on perfeval_pkg,
REDIS_URL on Redis db 13 (flushed first) and MEDIA_ROOT in a temporary directory; a region package
of the year is created for the province's finance reviewer and ``reports.build_package`` queued.
Measured: wall time from queuing to the package row reading DONE, and the peak RSS (VmHWM) of every
worker process. ``--one-task`` also measures the build as one task (parts off) on one worker.
Figures are appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, append, machine, setup_django  # noqa: E402

PKG_URL = "postgresql://postgres@127.0.0.1:5432/perfeval_pkg"
REDIS = "redis://127.0.0.1:6379/13"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1])
    return 0


def run(concurrency: int, part_size: int, package_pk_factory, media: Path, runs: int = 1) -> dict:
    import redis
    from django.db import connection

    from perfgoals.reports.models import PackageStatus
    from perfgoals.reports.tasks import build_package

    redis.Redis.from_url(REDIS).flushdb()
    env = dict(
        os.environ,
        DATABASE_URL=PKG_URL,
        REDIS_URL=REDIS,
        MEDIA_ROOT=str(media),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        REPORT_PACKAGE_PART_SIZE=str(part_size),
    )
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--loglevel",
            os.environ.get("BENCH_CELERY_LOGLEVEL", "WARNING"),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench{concurrency}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(media / f"worker{concurrency}.log", "w"),
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(worker.pid)) < concurrency and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # the pool's processes import Django before taking work
        times = []
        for _ in range(runs):
            package = package_pk_factory()
            started = time.perf_counter()
            build_package.delay(package.pk)
            while True:
                package.refresh_from_db()
                if package.status in (PackageStatus.DONE, PackageStatus.FAILED):
                    break
                time.sleep(0.05)
            times.append(time.perf_counter() - started)
            assert package.status == PackageStatus.DONE, package.error
        seconds = min(times)
        connection.close()
        pool = _children(worker.pid)
        rss = sorted((_hwm_kib(pid) / 1024 for pid in pool), reverse=True)
        main_rss = _hwm_kib(worker.pid) / 1024
        path = media / package.file.name
        with zipfile.ZipFile(path) as archive:
            entries = len(archive.namelist())
        return {
            "seconds": seconds,
            "times": times,
            "rss": rss,
            "main_rss": main_rss,
            "size": path.stat().st_size,
            "entries": entries,
            "projects": package.project_count,
        }
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--part-size", type=int, default=50)
    parser.add_argument("--generate", action="store_true", help="(re)generate perfeval_pkg first")
    parser.add_argument("--runs", type=int, default=3, help="builds per concurrency (the fastest is kept)")
    parser.add_argument("--one-task", action="store_true", help="also build as one task on one worker")
    args = parser.parse_args()
    if args.generate:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench/province.py"),
                "--projects",
                "1000",
                "--database-url",
                PKG_URL,
            ],
            check=True,
        )
    os.environ["REDIS_URL"] = REDIS
    setup_django(PKG_URL)

    from django.contrib.auth import get_user_model

    from perfgoals import rescore
    from perfgoals.models import Evaluation
    from perfgoals.reports.models import ReportPackage
    from projects.choices import Role
    from projects.models import Membership, Project, Region

    line_machine = machine()
    if Evaluation.objects.filter(total_score__isnull=True).exists():
        rescore.rescore_projects(Evaluation.objects.values_list("project_id", flat=True), history=False)
    region = Region.objects.get(name="合成省")
    year = Project.objects.order_by("-year").values_list("year", flat=True).first()
    user, _ = get_user_model().objects.get_or_create(username="bench_caizheng")
    Membership.objects.filter(user=user).delete()
    Membership.objects.create(user=user, role=Role.FINANCE, region=region)
    count = Project.objects.filter(unit__department__region=region, year=year).count()

    def new_package():
        return ReportPackage.objects.create(scope="region", region=region, year=year, created_by=user)

    runs = []
    plan = [(n, args.part_size) for n in args.workers]
    if args.one_task:
        plan.insert(0, (1, 10**6))
    for concurrency, part_size in plan:
        with tempfile.TemporaryDirectory() as media:
            figures = run(concurrency, part_size, new_package, Path(media), args.runs)
            if os.environ.get("BENCH_CELERY_LOGLEVEL"):
                print((Path(media) / f"worker{concurrency}.log").read_text()[-6000:])
        label = "one task (no parts)" if part_size >= 10**6 else f"parts of {part_size}"
        runs.append((concurrency, label, figures))
        print(concurrency, label, figures, flush=True)
    base = next(
        (f["seconds"] for n, label, f in runs if n == 1 and label.startswith("parts")), runs[0][2]["seconds"]
    )
    rows = []
    for concurrency, label, f in runs:
        rows.append(
            f"  | {concurrency} | {label} | {f['seconds']:.1f} "
            f"({', '.join(f'{t:.1f}' for t in f['times'])}) | "
            f"{base / f['seconds']:.2f}× | "
            f"{', '.join(f'{r:.0f}' for r in f['rss'])} | {f['main_rss']:.0f} | {f['entries']:,} | "
            f"{f['size'] / 2**20:.1f} |"
        )
    two = next((f["seconds"] for n, label, f in runs if n == 2 and label.startswith("parts")), None)
    speedup = base / two if two else float("nan")
    lines = [
        f"machine: {line_machine}",
        f"command: `python bench/packages.py --workers {' '.join(map(str, args.workers))} --part-size "
        f"{args.part_size} --runs {args.runs}{' --one-task' if args.one_task else ''}` "
        "(data: `python bench/province.py --projects 1000 "
        f"--database-url …/perfeval_pkg`, rescored; Redis db 13; `celery -A config worker --pool prefork`)",
        f"package: region 合成省, year {year}, {count:,} projects in 4 departments (250 each): "
        "4 summaries + 4 reports + 1,000 自评表, each in xlsx/docx and html",
        f"figures (wall time from queuing to DONE, fastest of {args.runs} builds on the same worker (all in "
        "brackets); peak RSS = VmHWM of each pool process and of the worker's main "
        "process, MiB):\n\n  | concurrency | build | seconds | speed-up vs 1 | peak RSS of pool processes | "
        "main process | entries | ZIP MiB |\n  | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n",
        f"target (near-linear speed-up 1 → 2 workers, memory per worker bounded): speed-up {speedup:.2f}× — "
        f"**{'met' if speedup >= 1.7 else 'not met'}**; peak RSS per pool process "
        f"{max(r for _, _, f in runs for r in f['rss']):.0f} MiB",
    ]
    print(append("Region package of 1,000 projects through Celery workers, PostgreSQL + Redis", lines))


if __name__ == "__main__":
    main()
