"""Shared by the scale benchmarks: Django on the bench database, the machine line, RESULTS.md."""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/perfeval_bench"


def setup_django(url: str, settings: str = "config.settings.production") -> None:
    """Django on ``url`` with production settings (DEBUG off, as a real server)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(extra: str = "") -> str:
    import django

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    pg = ""
    try:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("show server_version")
                pg = f", PostgreSQL {cursor.fetchone()[0].split()[0]}"
    except Exception:  # noqa: BLE001 - the line is informative only
        pass
    memory = ""
    try:
        kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        memory = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu()}, {os.cpu_count()} CPUs{memory}, Linux {platform.release()}, load average {load:.1f} at the "
        f"start; Python {platform.python_version()}, Django {django.get_version()}{pg}{extra}"
    )


def append(title: str, lines: list[str]) -> str:
    """Append one "## title (date)" section to RESULTS.md; returns it."""
    text = (
        f"\n## {title} ({datetime.now():%Y-%m-%d %H:%M})\n\n"
        + "\n".join(f"- {line}" for line in lines)
        + "\n"
    )
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(text)
    return text
