"""Benchmark: the overview (/overview/, issue 13) at province size, for finance (the whole province) and
a supervisor (one department), and the ``overview`` command.

    .venv/bin/python bench/overview.py [--runs 20]

On the database written by `bench/province.py` and scored by `bench/rescore.py`; requests through
config/wsgi.py's application in-process, production settings (as bench/pages.py). Median and 95th
percentile of the server time and the number of queries are appended to bench/RESULTS.md, with the
target of issue 13 (p95 < 300 ms, a constant number of queries). The page serves the stored figures
(oversight.snapshots: the two warm-up requests store them); the time to recompute them after a change —
what the refresh task does in the background for a large scope — is measured apart.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_URL, append, machine, setup_django  # noqa: E402
from pages import measure, users  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    os.environ["DATABASE_CONN_MAX_AGE"] = "60"
    setup_django(args.database_url)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from perfgoals.oversight import scope as scopes
    from perfgoals.oversight import snapshots
    from perfgoals.oversight.figures import overview
    from projects.choices import Role
    from projects.scoping import visible_projects

    settings.ALLOWED_HOSTS = ["*"]
    line_machine = machine()
    people = users()
    rows, worst = [], 0.0
    for role, label in ((Role.FINANCE, "财政（全省）"), (Role.SUPERVISOR, "审核人（一个部门）")):
        user = people[role]
        client = Client(secure=True)
        client.force_login(user)
        count = visible_projects(user).count()
        url = reverse("oversight:overview")
        figures = measure(client, url, args.runs)
        worst = max(worst, figures["p95"])
        queries = "/".join(str(q) for q in figures["queries"])
        rows.append(
            f"| {label} ({count:,} projects) | overview | `{url}` | {figures['median']:.0f} | {figures['p95']:.0f} | "
            f"{queries} | {figures['bytes'] / 1024:.0f} KB |"
        )
        print(rows[-1], flush=True)
        # the recomputation after a change (the background task for a large scope; inline for a small
        # one), and the command's figures
        scope = scopes.for_user(user)
        started = time.perf_counter()
        snapshots.compute(scope.projects, scope.year, scope.level)
        rows.append(
            f"| {label} | recomputing the stored figures (`snapshots.compute`, the refresh task) | — | "
            f"{(time.perf_counter() - started) * 1000:.0f} | — | — | — |"
        )
        started = time.perf_counter()
        overview(scope.projects, scope.year, scope.level).as_json()
        rows.append(
            f"| {label} | the command's figures (`overview()` + `as_json()`) | — | "
            f"{(time.perf_counter() - started) * 1000:.0f} | — | — | — |"
        )
        print(rows[-1], flush=True)
        connection.close()
    lines = [
        f"machine: {line_machine}",
        f"command: `python bench/overview.py --runs {args.runs}` (data: `python bench/province.py --projects "
        "100000`, scored by `python bench/rescore.py`); requests through config/wsgi.py's application "
        f"in-process, production settings; times in ms{(' — ' + args.note) if args.note else ''}",
        "figures:\n\n  | user | request | URL | median ms | p95 ms | queries | page |\n"
        "  | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(f"  {row}" for row in rows) + "\n",
        f"target (p95 < 300 ms, constant queries): worst p95 {worst:.0f} ms — **{'met' if worst < 300 else 'not met'}**",
    ]
    print(append("Overview at province size, PostgreSQL", lines))


if __name__ == "__main__":
    main()
