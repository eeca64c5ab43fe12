"""Benchmark: importing a 10,000-row goal workbook, against openpyxl's own read-only read of the file.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--per-project 20] [--runs 3] [--no-write] [--cpu]

Builds a workbook in the template's layout (projects of ``--per-project`` indicators whose names,
levels and target texts are drawn from the seed projects), then measures on a fresh test database:

* ``openpyxl``: ``load_workbook(read_only=True)`` and iterating every row's values — the floor,
  timed just before each import (the two sides of each ratio side by side) in a fresh interpreter of
  its own (after one untimed read there), not in this process, whose heap the imports have grown;
* ``import``: ``plan_import`` (read, check, read every target with the engine) + ``apply_plan``
  (create every project-year in one transaction, scored, with history rows), as a unit user on the
  upload page would; each run is rolled back afterwards so that every run starts from the same
  database (the final commit is therefore not timed) — on PostgreSQL followed by ``VACUUM ANALYZE``
  (untimed): a rollback leaves every row it inserted behind as a dead row in the tables and their
  indexes, which the next run's unique checks and scans would wade through (the full rebuild took
  0.26 s in the first run and 0.60 s in every later one); a real import meets what autovacuum left;
* ``library``: the indicator library's update for the imported projects (``update_library``, what the
  task queued after an import runs), timed with the projects' targets marked submitted so that every
  name feeds the library (an import itself makes drafts, which stay out of it: the worst case), and a
  full rebuild (``build_library``) of the same data beside it.

The ratio import / openpyxl (of the medians, and the median of each run's own ratio) is appended to
bench/RESULTS.md with the machine, date and command.
Runs on SQLite (in memory, as the tests) unless DATABASE_URL names another database.

``--cpu`` times both sides by the CPU time of this process (``time.process_time``) instead of the
wall clock, and reads the workbook in this process (``read_workbook_here``) rather than in the
isolated reading process, whose CPU time is not this process's. On a machine shared with other
sessions the wall clock measures the load as much as the code; the CPU time does not. On SQLite it
includes the database's work (same process); on PostgreSQL the server's CPU time is left out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_workbook(path: Path, rows: int, per_project: int) -> int:
    """Write a goal workbook of ``rows`` indicator rows; returns the number of projects.

    Written with XlsxWriter, which stores text in a shared-string table as Excel itself does (files
    saved by Excel are what units upload; openpyxl's own writer uses inline strings, slower to read).
    """
    import xlsxwriter

    from perfgoals.intake.reader import FIELD_TITLES
    from perfgoals.intake.template import GOALS_COLUMNS, INDICATOR_SHEET, PROJECT_SHEET
    from projects.seed_data import schema

    samples = [
        (ind["level1"], ind["level2"], ind["name"], ind.get("nature"), ind["target"], ind.get("unit"))
        for doc in schema.load_all()
        for project in doc["projects"]
        for ind in project["indicators"]
        if doc["vocabulary"] == "2019"
    ]
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = workbook.add_worksheet(INDICATOR_SHEET)
    ws.write_row(0, 0, [FIELD_TITLES[c] for c in GOALS_COLUMNS])
    info = workbook.add_worksheet(PROJECT_SHEET)
    info.write_row(0, 0, [FIELD_TITLES[c] for c in ("year", "project", "goal_text", "budget")])
    projects = (rows + per_project - 1) // per_project
    written = 0
    for p in range(projects):
        name = f"压测项目{p + 1:04d}"
        info.write_row(p + 1, 0, [2030, name, f"{name}的年度总体目标。", 100 + p])
        for i in range(per_project):
            if written == rows:
                break
            level1, level2, indicator, nature, target, unit = samples[(p * per_project + i) % len(samples)]
            weight = 5 if i < per_project - 1 else 10
            values = [
                2030,
                None,
                name,
                level1,
                level2,
                f"{indicator}（{i + 1}）",
                nature,
                target,
                unit,
                weight,
            ]
            for column, value in enumerate(values):
                if value is not None:
                    ws.write(written + 1, column, value)
            written += 1
    workbook.close()
    return projects


#: the clock both sides are timed by (``--cpu``: this process's CPU time)
clock = time.perf_counter


def openpyxl_read(path: Path) -> float:
    from openpyxl import load_workbook

    start = clock()
    workbook = load_workbook(path, read_only=True)
    count = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows(values_only=True):
            count += len(row)
    workbook.close()
    return clock() - start


def openpyxl_read_apart(path: Path) -> float:
    """:func:`openpyxl_read` in a fresh interpreter (``--openpyxl-only``), by the same clock."""
    command = [sys.executable, __file__, "--openpyxl-only", str(path)]
    if clock is time.process_time:
        command.append("--cpu")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def read_in_process() -> None:
    """``--cpu``: the importer reads workbooks in this process (see the module docstring)."""
    from perfgoals.intake import planning
    from perfgoals.intake.reader.limits import Limits
    from perfgoals.intake.reader.workbook import read_workbook_here

    def read_workbook(source, *, default_year=None, progress=None, size=None):
        return read_workbook_here(
            source, default_year=default_year, progress=progress, limits=Limits.from_settings()
        )

    planning.read_workbook = read_workbook


class _Rollback(Exception):
    pass


def run_imports(path: Path, write: bool, runs: int) -> list[dict]:
    """``runs`` imports on one fresh test database, each rolled back afterwards (same start each time),
    each just after an openpyxl read of the same file (``openpyxl`` in its result): the machine's speed
    drifts from one minute to the next, so the two sides of a ratio are timed side by side."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment, teardown_test_environment

    from perfgoals import scoring as perf_services
    from perfgoals.choices import Status
    from perfgoals.intake import services
    from perfgoals.models import Evaluation
    from projects.choices import Role
    from projects.models import Department, Membership, Region, Unit

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    results = []
    try:
        perf_services.ensure_builtin_schemes()
        region = Region.objects.create(name="压测市", finance_bureau="压测市财政局")
        department = Department.objects.create(region=region, name="压测市医疗保障局")
        unit = Unit.objects.create(department=department, name="压测市医疗保障局")
        user = get_user_model().objects.create(username="bench")
        Membership.objects.create(user=user, role=Role.UNIT_USER, unit=unit)
        for _ in range(runs):
            floor = openpyxl_read_apart(path)
            actor = services.Actor(user)
            try:
                with transaction.atomic():
                    start = clock()
                    with open(path, "rb") as handle:
                        plan = services.plan_import(handle, actor=actor, kind="goals", source_name=path.name)
                    planned = clock()
                    if not plan.ok:
                        raise SystemExit(
                            "the generated workbook does not import: "
                            + "; ".join(e.text() for e in plan.errors[:5])
                        )
                    report = services.apply_plan(plan, actor=actor) if write else None
                    done = clock()
                    library = rebuild = 0.0
                    if report is not None:
                        Evaluation.objects.filter(project_id__in=report.project_ids).update(
                            status=Status.TARGETS_SUBMITTED
                        )
                        begun = clock()
                        services.update_library(report.project_ids)
                        library = clock() - begun
                        begun = clock()
                        services.build_library()
                        rebuild = clock() - begun
                    results.append(
                        {
                            "rows": plan.rows_read,
                            "indicators": plan.indicator_count,
                            "projects": len(plan.projects),
                            "created": len(report.created) if report else 0,
                            "read_and_check": planned - start,
                            "write": done - planned,
                            "library": library,
                            "rebuild": rebuild,
                            "total": done - start + library,
                            "openpyxl": floor,
                            "database": connection.vendor,
                        }
                    )
                    raise _Rollback
            except _Rollback:
                pass
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # see the module docstring
                    cursor.execute("VACUUM ANALYZE")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--per-project", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="only read and check (the preview)")
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument(
        "--cpu", action="store_true", help="CPU time of this process, the workbook read in it (see above)"
    )
    parser.add_argument("--openpyxl-only", metavar="XLSX", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global clock
    if args.openpyxl_only:  # the floor, in a process of its own (openpyxl_read_apart)
        clock = time.process_time if args.cpu else time.perf_counter
        openpyxl_read(Path(args.openpyxl_only))  # modules loaded, the file in the page cache
        print(f"{openpyxl_read(Path(args.openpyxl_only)):.6f}")
        return

    import django

    django.setup()
    if args.cpu:
        clock = time.process_time
        read_in_process()
    import openpyxl
    from django import get_version

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "goals-10000.xlsx"
        projects = build_workbook(path, args.rows, args.per_project)
        size = path.stat().st_size
        runs = run_imports(path, not args.no_write, args.runs)
        baseline = [r["openpyxl"] for r in runs]

    floor = statistics.median(baseline)
    total = statistics.median(r["total"] for r in runs)
    result = {
        "rows": args.rows,
        "projects": projects,
        "file_bytes": size,
        "openpyxl_read_only_s": [round(x, 3) for x in baseline],
        "import_s": [round(r["total"], 3) for r in runs],
        "read_and_check_s": [round(r["read_and_check"], 3) for r in runs],
        "write_s": [round(r["write"], 3) for r in runs],
        "library_update_s": [round(r["library"], 3) for r in runs],
        "library_rebuild_s": [round(r["rebuild"], 3) for r in runs],
        "ratio": round(total / floor, 1),
        "ratio_by_run": round(statistics.median(r["total"] / r["openpyxl"] for r in runs), 1),
        "database": runs[0]["database"],
        "clock": "cpu" if args.cpu else "wall",
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))

    command = "python bench/import_bench.py " + " ".join(sys.argv[1:])
    if os.environ.get("DATABASE_URL"):
        from urllib.parse import urlsplit

        url = urlsplit(os.environ["DATABASE_URL"])
        command = f"DATABASE_URL={url.scheme}://…@{url.hostname}:{url.port or ''}{url.path} " + command
    import_times = ", ".join(f"{r['total']:.3f}" for r in runs)
    check = statistics.median(r["read_and_check"] for r in runs)
    write = statistics.median(r["write"] for r in runs)
    mode = (
        "(read, check and write in one transaction)"
        if not args.no_write
        else "(read and check only, no write)"
    )
    timed = (
        "; **CPU time of the process** (time.process_time), the workbook read in-process"
        + (
            " (PostgreSQL's own CPU not counted)"
            if result["database"] != "sqlite"
            else " (SQLite's work included)"
        )
        if args.cpu
        else ""
    )
    lines = [
        "",
        f"## Excel import, {args.rows:,} goal rows ({datetime.now():%Y-%m-%d %H:%M})",
        "",
        f"- machine: {_cpu()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"load average {load:.1f} at the start (shared machine); "
        f"Python {platform.python_version()}, Django {get_version()}, openpyxl {openpyxl.__version__}; "
        f"database {result['database']}{' (in memory)' if result['database'] == 'sqlite' else ''}",
        f"- command: `{command.strip()}`{timed}",
        f"- workbook: {args.rows:,} indicator rows in {projects} projects ({args.per_project} a project), "
        f"{size / 1024:.0f} KB (written by XlsxWriter: shared strings, as Excel saves), template layout, "
        f"targets drawn from the seed projects",
        f"- openpyxl read-only read (load + iterate every row, just before each import), median of "
        f"{args.runs}: {floor:.3f} s "
        f"({', '.join(f'{x:.3f}' for x in baseline)})",
        f"- import {mode}, "
        f"median of {args.runs}: {total:.3f} s ({import_times}); of which read and check {check:.3f} s, "
        f"write {write:.3f} s"
        + (
            f", library update {statistics.median(r['library'] for r in runs):.3f} s "
            "(the imported projects' names, their targets marked submitted so that all of them feed "
            f"the library; a full rebuild of the same data: "
            f"{statistics.median(r['rebuild'] for r in runs):.3f} s)"
            if not args.no_write
            else ""
        ),
        f"- **ratio import / openpyxl read-only: {result['ratio']}×** (each import against the read just "
        f"before it: median {result['ratio_by_run']}×)"
        + (f" (read and check alone: {check / floor:.1f}×)" if not args.no_write else ""),
    ]
    results = Path(args.results)
    if not results.exists():
        results.write_text(
            "# Benchmark results\n\nFigures appended by the scripts in bench/; newest last.\n",
            encoding="utf-8",
        )
    with results.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"appended to {results}")


if __name__ == "__main__":
    main()
