"""Generate a synthetic province into PostgreSQL: the data set the scale benchmarks run on.

    .venv/bin/python bench/province.py [--projects 100000] [--indicators 15] \
        [--database-url postgresql://postgres@127.0.0.1:5432/perfeval_bench]

Creates the database if missing, migrates it, empties the project tables and writes with COPY:
one province (a Region) with departments and implementing units, N projects of one year with their
budget lines, evaluations in a spread of statuses, and N × 15 indicators whose target and actual texts
are drawn from the notations of the seed documents (operators in all their forms, word forms,
magnitudes, percentages, qualitative words with bands, deadlines, composite sentences). Scores are
left empty: computing them is what `bench/rescore.py` measures. History tables are not filled (a
generated province has no past). Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/perfeval_bench"

# (level1, level2, name, target template, actual template, nature column, unit column)
QUANT = [
    ("output", "quantity", "参保人数", "{n} 万人以上", "{m} 万人"),
    ("output", "quantity", "购买设备数量", "≥ {k} 台", "{k2}台"),
    ("output", "quantity", "检查次数", "≥{k}次", "{k2}次"),
    ("output", "quality", "支付率", "{p}%", "{q}%"),
    ("output", "quality", "参保率", "≧{p}%", "{q}%"),
    ("output", "quality", "准确率", "═ 100 %", "{q}%"),
    ("output", "quality", "合格率", "不低于{p}%", "{q}%"),
    ("output", "timeliness", "响应时间", "≤{k}分钟", "{k2}分钟"),
    ("output", "timeliness", "拨付及时率", "{p}%以上", "{q}%"),
    ("output", "output_cost", "补贴标准", "≤{k}元/年/人", "{k2}元/年/人"),
    ("output", "output_cost", "个人负担比例", "原则上个人负担比例不高于{s}%", "个人负担比例为 {s2}%"),
    ("benefit", "social_benefit", "受益人次", "{n}万人左右", "{m}万"),
    ("benefit", "social_benefit", "有责投诉数", "≤{s}起", "{s2}起"),
    ("benefit", "sustainability", "政策知晓率", "达到 {p}%以上", "{q}%"),
    ("satisfaction", "service_satisfaction", "服务对象满意度", "≥{p}%", "{q}%"),
]
QUAL = [
    ("benefit", "social_benefit", "群众就医负担减轻程度", "有效缓解"),
    ("benefit", "social_benefit", "维护社会稳定", "作用显著"),
    ("benefit", "sustainability", "对医疗保障体系的影响", "成效明显"),
    ("benefit", "economic_benefit", "基金运行", "保持年度基金收支平衡"),
    ("output", "quality", "工作规范性", "稳步提升"),
    ("benefit", "social_benefit", "宣传效果", "优良中低差"),
    ("output", "quality", "统筹病种数量", "甲类 16 种乙类 44 种"),
]
DEADLINE = [
    ("output", "timeliness", "完成时限", "11月底前", "11月20日"),
    ("output", "timeliness", "发放期限", "{y} 年完成", "{y} 年完成"),
]
BANDS = ["完成", "完成", "完成", "部分完成", "未完成"]
STATUSES = (
    ["targets_approved"] * 3
    + ["entering"] * 3
    + ["submitted"] * 2
    + ["returned", "approved", "approved", "published"]
)
TYPES = ["特定目标类", "其他运转类", "常年性项目", "一次性项目"]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def indicator_rows(rng: random.Random, project_id: int, year: int, count: int, next_id: int):
    """`count` indicator rows for one project, weights adding up to 90 (execution holds 10)."""
    weights = [Decimal(6)] * count
    weights[-1] = Decimal(90) - Decimal(6) * (count - 1)
    for order in range(1, count + 1):
        roll = rng.random()
        weight = weights[order - 1]
        band = ""
        nature = unit = ""
        if roll < 0.72:
            l1, l2, name, target, actual = rng.choice(QUANT)
            n = rng.randint(10, 500)
            p = rng.choice([80, 85, 90, 92, 95, 98, 100])
            k = rng.randint(1, 60)
            s = rng.randint(1, 20)
            values = {
                "n": n,
                "m": (Decimal(n) * Decimal(rng.randint(85, 115)) / 100).quantize(Decimal("0.01")),
                "p": p,
                "q": min(100, p + rng.randint(-12, 6)),
                "k": k,
                "k2": max(0, k + rng.randint(-3, 5)),
                "s": s,
                "s2": max(0, s + rng.randint(-3, 3)),
            }
            target_text, actual_text = target.format(**values), actual.format(**values)
        elif roll < 0.93:
            l1, l2, name, target_text = rng.choice(QUAL)
            actual_text = target_text if rng.random() < 0.7 else "已完成"
            band = rng.choice(BANDS)
            if target_text == "优良中低差":
                nature, band = "定性", rng.choice(["优", "良", "中"])
        else:
            l1, l2, name, target, actual = rng.choice(DEADLINE)
            target_text, actual_text = target.format(y=year), actual.format(y=year)
        yield {
            "id": next_id + order - 1,
            "project_id": project_id,
            "order": order,
            "level1": l1,
            "level2": l2,
            "name": f"{order}、{name}",
            "nature_printed": nature,
            "unit_printed": unit,
            "target_text": target_text,
            "weight": weight,
            "actual_text": actual_text,
            "band": band,
        }


def budget_row(rng: random.Random, project_id: int) -> dict:
    annual = Decimal(rng.randint(5, 50000)) / 10
    executed = (annual * Decimal(rng.randint(70, 102)) / 100).quantize(Decimal("0.0001"))
    return {
        "project_id": project_id,
        "source": "current_year",
        "initial": annual,
        "annual": annual,
        "executed": executed,
    }


def copy_rows(cur, model, rows) -> None:
    """COPY dict rows into a model's table; fields a row leaves out take the model's defaults, so the
    generator keeps working when fields are added."""
    from django.db import models as dj
    from django.utils import timezone

    now = timezone.now()
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    rows = itertools.chain([first], rows)
    # the primary key is written only when the rows carry it; otherwise the sequence fills it
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in first]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        elif isinstance(f, (dj.CharField, dj.TextField)):
            defaults[f.attname] = ""
    # defaults prepared once (JSON already serialised), so the per-row work is one list build
    plan = []
    for f in fields:
        default = defaults.get(f.attname)
        is_json = isinstance(f, dj.JSONField)
        plan.append((f.attname, json.dumps(default, ensure_ascii=False) if is_json else default, is_json))
    json_in_rows = [i for i, (attname, _, is_json) in enumerate(plan) if is_json and attname in first]
    with cur.copy(f"copy {model._meta.db_table} ({columns}) from stdin") as copy:
        for row in rows:
            values = [row[attname] if attname in row else default for attname, default, _ in plan]
            for i in json_in_rows:
                values[i] = json.dumps(values[i], ensure_ascii=False)
            copy.write_row(values)


def generate(projects: int, per_project: int, seed: int, year: int) -> dict[str, float]:
    from django.db import connection

    from perfgoals import scoring
    from perfgoals.models import Evaluation, Indicator, ScoringScheme
    from projects.models import BudgetLine, Department, Project, Region, Unit

    rng = random.Random(seed)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "truncate perfgoals_indicator, perfgoals_evaluation, projects_budgetline, projects_project, "
            "projects_unit, projects_department, projects_region, projects_membership, "
            "perfgoals_historicalindicator, perfgoals_historicalevaluation, projects_historicalproject, "
            "projects_historicalbudgetline restart identity cascade"
        )
    scoring.ensure_builtin_schemes()
    scheme_id = ScoringScheme.objects.get(is_default=True).pk
    region = Region.objects.create(name="合成省", finance_bureau="合成省财政厅")
    departments = Department.objects.bulk_create(
        Department(region=region, name=f"合成省第{i:03d}部门") for i in range(1, max(2, projects // 250) + 1)
    )
    units = Unit.objects.bulk_create(
        Unit(department=d, name=f"{d.name}第{j}实施单位") for d in departments for j in range(1, 11)
    )
    unit_ids = [u.pk for u in units]
    department_of = {u.pk: u.department_id for u in units}  # COPY bypasses Project.save: the copies by hand

    raw = connection.connection  # the psycopg connection under Django's wrapper
    with raw.cursor() as cur:
        copy_rows(
            cur,
            Project,
            (
                {
                    "id": pid,
                    "unit_id": unit_ids[(pid - 1) % len(unit_ids)],
                    "year": year,
                    "name": f"合成项目{pid:06d}",
                    "department_id": department_of[unit_ids[(pid - 1) % len(unit_ids)]],
                    "region_id": region.pk,
                    "project_type": rng.choice(TYPES),
                    "goal_text": "保障项目顺利实施，提高资金使用效益。",
                    "source": "bench/province.py",
                }
                for pid in range(1, projects + 1)
            ),
        )
        copy_rows(cur, BudgetLine, (budget_row(rng, pid) for pid in range(1, projects + 1)))
        copy_rows(
            cur,
            Evaluation,
            (
                {"project_id": pid, "scheme_id": scheme_id, "status": rng.choice(STATUSES)}
                for pid in range(1, projects + 1)
            ),
        )
        copy_rows(
            cur,
            Indicator,
            (
                row
                for pid in range(1, projects + 1)
                for row in indicator_rows(rng, pid, year, per_project, (pid - 1) * per_project + 1)
            ),
        )
        for table in ("projects_project", "perfgoals_indicator"):
            cur.execute(
                f"select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
            )
    raw.commit()
    loaded = time.perf_counter() - started
    with connection.cursor() as cur:
        # the visibility map too (as autovacuum keeps it on a live database): the lists count a
        # province's projects with index-only scans
        cur.execute("vacuum projects_project")
        cur.execute("analyze")
    return {"seconds": loaded, "projects": projects, "indicators": projects * per_project}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--indicators", type=int, default=15, help="indicators per project")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    setup_django(args.database_url)
    figures = generate(args.projects, args.indicators, args.seed, args.year)
    print(
        f"生成 {figures['projects']:,} 个项目、{figures['indicators']:,} 条指标，"
        f"用时 {figures['seconds']:.1f} 秒"
    )


if __name__ == "__main__":
    main()
