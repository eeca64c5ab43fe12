"""Benchmark: the 结果应用 summary (/results/<region>/<year>/, issue 14) of a 100,000-project province.

    .venv/bin/python bench/results_page.py [--projects 100000] [--runs 10] \
        [--database-url sqlite:////tmp/results-bench.sqlite3]

Writes its own synthetic province (region 合成省: 200 departments, 2,000 units, N approved
self-evaluations with grades spread over 优/良/中/差, one budget line each, a finished 复核 for 1 % of
them and a finance decision for 1 %) into the database named (SQLite in /tmp by default, so it touches
no shared database; PostgreSQL works the same with a URL of its own), then times the page as
gunicorn serves it (bench/pages.py's ``measure``: production settings, in-process WSGI) for the first
page, a deep page, a sort by budget, a filter by grade, and the xlsx export of every row. The median,
95th percentile and number of queries per request are printed and appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import append, machine, setup_django  # noqa: E402

DEFAULT_SQLITE = "sqlite:////tmp/results-bench.sqlite3"
GRADES = ["优"] * 5 + ["良"] * 3 + ["中"] + ["差"]


def generate(n: int, seed: int = 14) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from perfgoals.choices import Status
    from perfgoals.models import Evaluation, ScoringScheme
    from perfgoals.recheck.models import RecheckItem, RecheckSample
    from perfgoals.results.models import BudgetDecision
    from projects.models import BudgetLine, Department, Project, Region, Unit

    rng = random.Random(seed)
    region, _ = Region.objects.get_or_create(name="合成省")
    if Project.objects.filter(region=region).count() == n:
        return
    print(f"writing {n} projects …", flush=True)
    started = time.perf_counter()
    Project.objects.filter(region=region).delete()
    scheme = ScoringScheme.objects.filter(is_default=True).first() or ScoringScheme.objects.create(
        code="bench", name="bench", params={}, is_default=True
    )
    admin, _ = get_user_model().objects.get_or_create(username="bench_admin")
    with transaction.atomic():
        departments = [
            Department.objects.get_or_create(region=region, name=f"合成部门{i:03d}")[0] for i in range(200)
        ]
        units = []
        for i in range(2000):
            units.append(
                Unit.objects.get_or_create(department=departments[i % 200], name=f"合成单位{i:04d}")[0]
            )
        batch = 5000
        for start in range(0, n, batch):
            projects = Project.objects.bulk_create(
                Project(unit=units[i % 2000], year=2024, name=f"合成项目{i:06d}")
                for i in range(start, min(n, start + batch))
            )
            BudgetLine.objects.bulk_create(
                BudgetLine(
                    project=p,
                    source="current",
                    annual=Decimal(rng.randrange(10_000, 50_000_000)) / 10_000,
                    executed=None,
                )
                for p in projects
            )
            Evaluation.objects.bulk_create(
                Evaluation(
                    project=p,
                    scheme=scheme,
                    status=Status.APPROVED,
                    grade=(grade := rng.choice(GRADES)),
                    total_score={"优": 95, "良": 85, "中": 70, "差": 50}[grade],
                )
                for p in projects
            )
        sample = RecheckSample.objects.create(
            region=region, year=2024, created_by=admin, criteria={"random": n // 100}, seed=1
        )
        evaluations = list(
            Evaluation.objects.filter(project__region=region)
            .order_by("?")
            .values_list("pk", flat=True)[: n // 100]
        )
        RecheckItem.objects.bulk_create(
            RecheckItem(
                sample=sample,
                evaluation_id=pk,
                order=i + 1,
                reason="random",
                risk_score=0,
                recheck_total=55,
                recheck_grade="差",
                findings="合成",
                status="done",
                finished_at=timezone.now(),
            )
            for i, pk in enumerate(evaluations)
        )
        decided = Project.objects.filter(region=region).order_by("?").values_list("pk", flat=True)[: n // 100]
        BudgetDecision.objects.bulk_create(
            BudgetDecision(
                project_id=pk,
                action="reduce",
                reduction_percent=Decimal("15"),
                reason="合成",
                basis_grade="良",
                basis_action="as_needed",
                decided_by=admin,
                decided_at=timezone.now(),
            )
            for pk in decided
        )
    print(f"written in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--database-url", default=os.environ.get("RESULTS_BENCH_DATABASE_URL", DEFAULT_SQLITE)
    )
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    os.environ["DATABASE_CONN_MAX_AGE"] = "60"
    setup_django(args.database_url)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from pages import measure, users

    from projects.choices import Role
    from projects.models import Region

    call_command("migrate", verbosity=0)
    generate(args.projects)
    settings.ALLOWED_HOSTS = ["*"]
    line_machine = machine()
    region = Region.objects.get(name="合成省")
    finance = users()[Role.FINANCE]
    client = Client(secure=True)
    client.force_login(finance)
    base = reverse("results:summary", args=[region.pk, 2024])
    lines = []
    for label, query in (
        ("first page", ""),
        ("page 2,000", "?page=2000"),
        ("sorted by budget ↓", "?sort=-budget"),
        ("grade 差 filter", "?grade=差"),
    ):
        figures = measure(client, base + query, args.runs)
        line = (
            f"{label}: median {figures['median']:.0f} ms, p95 {figures['p95']:.0f} ms, "
            f"queries {figures['queries']}"
        )
        print(line, flush=True)
        lines.append(line)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(reverse("results:summary_xlsx", args=[region.pk, 2024]))
        size = len(b"".join(response.streaming_content))
        elapsed = time.perf_counter() - started
    line = f"xlsx of every row: {elapsed:.1f} s, {size / 2**20:.1f} MB, {len(captured)} queries"
    print(line, flush=True)
    lines.append(line)
    title = f"结果应用 summary, {args.projects:,} projects ({connection.vendor})"
    append(title, [line_machine, *lines, *([args.note] if args.note else [])])


if __name__ == "__main__":
    main()
