"""The engine is pure Python: importing it must not import Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "perfgoals" / "engine"


def test_sources_do_not_mention_django_imports() -> None:
    for path in ENGINE.glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            assert not (stripped.startswith(("import django", "from django"))), path.name


def test_importing_the_engine_loads_no_django() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import perfgoals.engine; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    root = str(ENGINE.parents[1])
    completed = subprocess.run([sys.executable, "-c", code, root], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
