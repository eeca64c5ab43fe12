"""Benchmark: the project list and the project page at province size, as three kinds of user.

    .venv/bin/python bench/pages.py [--runs 30]

On the database written by `bench/province.py` (and scored by `bench/rescore.py`), with production
settings (DEBUG off, template caching on), in-process — the time measured
is the server's: the application of config/wsgi.py called as gunicorn calls it (URL routing, middleware,
session, queries, rendering; no network). For a finance reviewer of the
province (all 100,000 projects), a supervisor (one department, 250 projects) and a unit user (one
unit, 25 projects), it requests ``--runs`` times each (after two warm-up requests):

* the list's first page (default: latest year, default order);
* a deep page (the last page for the finance reviewer: OFFSET of ~100,000 rows);
* a filtered and sorted page (status 已提交, sorted by score descending, page 3);
* a name search (q=…) sorted by executed budget;
* a project page (the 自评表 of one project).

Median and 95th percentile of the server time and the number of queries of each request are appended
to bench/RESULTS.md. Export (?_export=) is not measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_URL, append, machine, setup_django  # noqa: E402


def users():
    """A finance reviewer of the province, a supervisor of its first department, a unit user of a unit."""
    from django.contrib.auth import get_user_model

    from projects.choices import Role
    from projects.models import Department, Membership, Region, Unit

    region = Region.objects.get(name="合成省")
    department = Department.objects.filter(region=region).order_by("pk").first()
    unit = Unit.objects.filter(department=department).order_by("pk").first()
    made = {}
    for username, role, scope in (
        ("bench_caizheng", Role.FINANCE, {"region": region}),
        ("bench_shenhe", Role.SUPERVISOR, {"department": department}),
        ("bench_tianbao", Role.UNIT_USER, {"unit": unit}),
    ):
        user, _ = get_user_model().objects.get_or_create(username=username)
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(user=user, role=role, **scope)
        made[role] = user
    return made


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def measure(client, url: str, runs: int) -> dict:
    """Requests through config/wsgi.py's application (as gunicorn calls it), with the client's session cookie.

    The test Client itself is not used for the timed requests: it records every rendered template's
    context for assertions, which costs more than the rendering on a list page.
    """
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from config.wsgi import application as handler  # what gunicorn serves, start-up included

    cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())

    def get() -> tuple[int, int]:
        environ = RequestFactory().get(url, secure=True, HTTP_COOKIE=cookie, HTTP_HOST="127.0.0.1").environ
        status = []
        response = handler(environ, lambda s, h, *a: status.append(s))
        body = b"".join(response)
        response.close()  # as the WSGI server does: request_finished, connection kept (CONN_MAX_AGE)
        return int(status[0].split()[0]), len(body)

    for _ in range(2):
        code, _size = get()
        assert code == 200, (url, code)
    times, queries = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            code, size = get()
            times.append((time.perf_counter() - started) * 1000)
        assert code == 200, (url, code)
        queries.add(len(captured))
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": sorted(queries),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--note", default="", help="a word on what this run measures (before/after a fix)")
    args = parser.parse_args()
    os.environ["DATABASE_CONN_MAX_AGE"] = "60"  # as the README's production layout
    setup_django(args.database_url)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from perfgoals.choices import Status
    from projects.choices import Role
    from projects.scoping import visible_projects

    settings.ALLOWED_HOSTS = ["*"]
    line_machine = machine()
    people = users()
    rows = []
    worst = 0.0
    for role, label in (
        (Role.FINANCE, "财政（全省）"),
        (Role.SUPERVISOR, "审核人（一个部门）"),
        (Role.UNIT_USER, "填报人（一个单位）"),
    ):
        user = people[role]
        client = Client(secure=True)
        client.force_login(user)
        visible = visible_projects(user)
        count = visible.count()
        last_page = max(1, -(-count // 25))
        project = (
            visible.filter(evaluation__status=Status.SUBMITTED).order_by("pk").first() or visible.first()
        )
        name_word = project.name[-4:]
        urls = [
            ("list, first page", reverse("project_list")),
            (f"list, last page ({last_page})", f"{reverse('project_list')}?page={last_page}"),
            *(
                [
                    (
                        f"list, middle page ({last_page // 2})",
                        f"{reverse('project_list')}?page={last_page // 2}",
                    )
                ]
                if last_page > 20
                else []
            ),
            (
                "list, status=已提交 sorted by score ↓, page 3"
                if count > 75
                else "list, status=已提交 sorted by score ↓",
                f"{reverse('project_list')}?status={Status.SUBMITTED}&sort=-total_score"
                + ("&page=3" if count > 500 else ""),
            ),
            (
                "list, name search sorted by executed ↓",
                f"{reverse('project_list')}?q={name_word}&sort=-budget_executed",
            ),
            ("project page", reverse("perfgoals:project", args=[project.pk])),
        ]
        for what, url in urls:
            figures = measure(client, url, args.runs)
            worst = max(worst, figures["p95"])
            queries = "/".join(str(q) for q in figures["queries"])
            rows.append(
                f"| {label} ({count:,} projects) | {what} | `{url}` | {figures['median']:.0f} | "
                f"{figures['p95']:.0f} | {queries} |"
            )
            print(rows[-1], flush=True)
        connection.close()
    lines = [
        f"machine: {line_machine}",
        f"command: `python bench/pages.py --runs {args.runs}` "
        "(data: `python bench/province.py --projects 100000`, "
        "scored by `python bench/rescore.py`); requests through config/wsgi.py's application in-process "
        "(no network), production settings with DATABASE_CONN_MAX_AGE=60, "
        f"{args.runs} requests each after 2 warm-up requests; "
        f"times in ms{(' — ' + args.note) if args.note else ''}",
        "figures:\n\n  | user | request | URL | median ms | p95 ms | queries |\n"
        "  | --- | --- | --- | --- | --- | --- |\n" + "\n".join(f"  {row}" for row in rows) + "\n",
        "target (p95 < 150 ms on every request, query count independent of the rows): "
        f"worst p95 {worst:.0f} ms — "
        f"**{'met' if worst < 150 else 'not met'}**",
    ]
    print(append("Project list and project page at province size, PostgreSQL", lines))


if __name__ == "__main__":
    main()
