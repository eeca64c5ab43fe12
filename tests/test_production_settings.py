"""Production settings (hardening #17, item 4): HSTS for a year with subdomains, preload on request,
the Content-Security-Policy, and `check --deploy` without a warning.

Each case runs the real `manage.py` under `config.settings.production` in a process of its own (the
settings refuse to load without DJANGO_SECRET_KEY; here it is long and random, as production's is).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "perf.example.gov.cn",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    environment.pop("DJANGO_SECURE_HSTS_SECONDS", None)
    environment.pop("DJANGO_SECURE_HSTS_PRELOAD", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
    "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['default-src'], s.DEMO_ACCOUNTS_ALLOWED]))"
)


def test_hsts_lasts_a_year_with_subdomains_and_preload_is_a_choice():
    result = run("-c", SHOW)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [31536000, True, False, ["'self'"], False]
    preload = run("-c", SHOW, DJANGO_SECURE_HSTS_PRELOAD="1")
    assert json.loads(preload.stdout.splitlines()[-1])[2] is True


@pytest.mark.parametrize("preload", ["0", "1"])
def test_check_deploy_is_clean(preload):
    result = run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECURE_HSTS_PRELOAD=preload
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout
