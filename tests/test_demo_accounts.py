"""Demo accounts (hardening #17, item 1): their password is public, so `load_demo` creates them only
when asked (`--with-demo-accounts`, as bin/serve does) and never under production settings, which
refuse with a Chinese message. The demo organisations and projects load either way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from perfgoals.demo import DemoAccountsRefused, load_demo
from projects.models import Membership, Project

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_users():
    """The test database holds the demo data of the session (with its accounts): start without any
    user here (rolled back after the test)."""
    get_user_model().objects.all().delete()
    assert not Membership.objects.exists()


def test_load_demo_loads_the_projects_without_accounts(no_users):
    call_command("load_demo", verbosity=0)
    assert Project.objects.count() == 49
    assert not get_user_model().objects.exists()
    assert not Membership.objects.exists()


def test_the_flag_creates_the_demo_accounts(no_users):
    call_command("load_demo", "--with-demo-accounts", verbosity=0)
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="caizheng_yantai").check_password("demo2024")
    assert Membership.objects.count() > 10


def test_demo_accounts_are_refused_where_not_allowed(no_users, settings):
    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(CommandError, match="不允许创建演示账号"):
        call_command("load_demo", "--with-demo-accounts", verbosity=0)
    with pytest.raises(DemoAccountsRefused):
        load_demo(accounts=True)
    assert not get_user_model().objects.exists()
    call_command("load_demo", verbosity=0)  # the projects alone are still fine
    assert Project.objects.count() == 49 and not get_user_model().objects.exists()


def test_production_settings_refuse_demo_accounts(tmp_path):
    """The real command under the real production settings, in a process of its own: it refuses before
    it touches the database (there is none: the SQLite file named does not exist)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo", "--with-demo-accounts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "不允许创建演示账号" in result.stderr
    assert not (tmp_path / "none.sqlite3").exists() or (tmp_path / "none.sqlite3").stat().st_size == 0


def test_the_readme_lists_exactly_the_demo_accounts(no_users):
    """The README's table of demo accounts names every account the loader creates, and no other (#16:
    it once listed `tianbao_zhaoyuan2`, which does not exist)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Demo accounts", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    listed = {name for line in table for name in re.findall(r"`([a-z0-9_]+)`", line.split("|")[1])}
    call_command("load_demo", "--with-demo-accounts", verbosity=0)
    created = set(get_user_model().objects.values_list("username", flat=True))
    assert listed == created, (sorted(listed - created), sorted(created - listed))
