"""Engine throughput: parse + score generated rows, and the peak memory of doing so.

    .venv/bin/python bench/engine.py [--rows 1000000] [--scheme shandong-2019]

Rows are drawn (with a fixed seed) from the notations found in the seed documents: operators in
their Unicode forms, word forms, magnitudes, percentages, qualitative words with bands, deadlines and
composite sentences. Each row is scored as one indicator (parse of target and actual included). The
rows are generated lazily, so the peak memory measured is the engine's, not the input's. The figures
are appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import append, machine  # noqa: E402

from perfgoals.engine import SCHEMES, IndicatorInput, score_indicator  # noqa: E402

QUANT_TARGETS = [
    ("≥{n}%", "{m}%"),
    ("≧{n}%", "{m}%"),
    ("{n}%以上", "{m}%"),
    ("≤{n}分钟", "{m}分钟"),
    ("═ {n} %", "{m}%"),
    ("{n} 万人以上", "{m} 万人"),
    ("{n}万人左右", "{m}万"),
    ("≥ {n} 台", "{m}台"),
    ("不低于{n}%", "{m}%"),
    ("≤{n}元/年/人", "{m}元/年/人"),
    ("{n}", "{m}"),
    ("达到 {n}%以上", "{m}%"),
    ("≤ {n} 次", "{m}次"),
    ("原则上个人负担比例不高于{n}%", "个人负担比例为 {m}%"),
    ("{n}亿元", "{m}万元"),
    ("{n}余人", "{m}人"),
]
QUAL_TARGETS = [
    "有效缓解",
    "作用显著",
    "成效明显",
    "稳步提升",
    "及时",
    "显著",
    "提高",
    "不低于上年",
    "甲类 16 种乙类 44 种",
]
BANDS = ["完成", "部分完成", "未完成"]
DEADLINES = [
    ("11月底前", "11月20日"),
    ("2019 年完成", "2019 年完成"),
    ("9月前", "10月5日"),
    ("2023年12月", "2023年11月"),
]
NAMES = ["参保人数", "投诉次数", "支付率", "群众满意度", "响应时间", "补助成本", "覆盖率"]


def rows(count: int, seed: int = 2019) -> Iterator[IndicatorInput]:
    rng = random.Random(seed)
    for _ in range(count):
        roll = rng.random()
        weight = Decimal(rng.choice(["2", "4", "5", "10", "15", "25"]))
        name = rng.choice(NAMES)
        if roll < 0.75:
            target, actual = rng.choice(QUANT_TARGETS)
            n = Decimal(rng.randint(1, 1000)) / (10 if rng.random() < 0.3 else 1)
            m = (n * Decimal(rng.randint(50, 150)) / 100).quantize(Decimal("0.01"))
            yield IndicatorInput(
                name=name, target_text=target.format(n=n), actual_text=actual.format(m=m), weight=weight
            )
        elif roll < 0.93:
            band = rng.choice(BANDS)
            yield IndicatorInput(
                name=name,
                target_text=rng.choice(QUAL_TARGETS),
                actual_text="已完成",
                weight=weight,
                band=band,
            )
        else:
            target, actual = rng.choice(DEADLINES)
            yield IndicatorInput(name=name, target_text=target, actual_text=actual, weight=weight)


def run(count: int, scheme_code: str) -> dict[str, str]:
    scheme = SCHEMES[scheme_code]
    scored = 0
    total = Decimal(0)
    start = time.perf_counter()
    for inp in rows(count):
        result = score_indicator(inp, scheme, year=2019)
        if result.score is not None:
            scored += 1
            total += result.score
    seconds = time.perf_counter() - start

    # peak resident memory of the whole process (interpreter, engine, its caches): the rows are
    # generated lazily, so this is what scoring a million rows holds at once
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "rows": f"{count:,}",
        "scored": f"{scored:,}",
        "seconds": f"{seconds:.1f}",
        "rows_per_second": f"{count / seconds:,.0f}",
        "peak_rss_mib": f"{peak / 2**20:.1f}",
        "checksum": str(total),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scheme", default="shandong-2019", choices=sorted(SCHEMES))
    args = parser.parse_args()
    figures = run(args.rows, args.scheme)
    section = append(
        f"Engine parse + score, {figures['rows']} generated rows",
        [
            f"machine: {machine()}",
            f"command: `python bench/engine.py --rows {args.rows} --scheme {args.scheme}`",
            f"rows: {figures['rows']} (scored {figures['scored']}), {figures['seconds']} s: "
            f"**{figures['rows_per_second']} rows/s** (one process)",
            f"peak resident memory of the process: {figures['peak_rss_mib']} MiB",
            f"checksum of the scores: {figures['checksum']}",
        ],
    )
    print(section)


if __name__ == "__main__":
    main()
