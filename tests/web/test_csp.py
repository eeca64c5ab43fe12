"""Content-Security-Policy (hardening #17, item 4): scripts only from this site.

Every page answers with a policy of default-src 'self' and no 'unsafe-inline' or 'unsafe-eval' for
scripts. What inline code the pages still carry is allowed one by one, by the hash of its exact text:
each inline <script> and each on… attribute of every page below must be covered by a hash in the
page's own header, or the browser would refuse to run it (the browser tests run the project page
under this policy). The templates of this branch carry no inline code at all; what remains is in
templates other branches own (INLINE_CODE_TEMPLATES in config/settings/base.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from perfgoals.reports.models import ReportPackage
from projects.models import Department

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
HANDLER = re.compile(r"\son[a-z]+=(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')")


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def inline_code(html: str) -> tuple[list[str], list[str]]:
    scripts = [
        m["body"]
        for m in SCRIPT.finditer(html)
        if "src=" not in m["attrs"] and "application/json" not in m["attrs"] and m["body"].strip()
    ]
    handlers = [m["dq"] if m["dq"] is not None else m["sq"] for m in HANDLER.finditer(html)]
    return scripts, handlers


def pages(project, department, year):
    return [
        ("anonymous", reverse("login")),
        ("unit_own", reverse("project_list")),
        ("unit_own", reverse("perfgoals:project", args=[project.pk])),
        ("unit_own", reverse("intake:rollover")),
        ("unit_own", reverse("intake:index")),
        ("unit_own", reverse("password_change")),
        ("supervisor_own", reverse("perfgoals:review_queue")),
        ("supervisor_own", reverse("reports:index") + f"?department={department.pk}&year={year}"),
        ("supervisor_own", reverse("reports:form_print", args=[project.pk])),
        ("supervisor_own", reverse("reports:summary_print", args=[department.pk, year])),
        ("supervisor_own", reverse("reports:report_print", args=[department.pk, year])),
        ("admin", reverse("admin:index")),
        ("admin", f"/admin/projects/project/{project.pk}/change/"),
        ("admin", "/no/such/page/"),
    ]


@pytest.fixture
def site(main_project, user_of):
    department = Department.objects.get(pk=main_project.department_id)
    # an unfinished package: the reports page then polls its progress from a script
    ReportPackage.objects.create(
        scope="department", department=department, region=department.region, created_by=user_of("admin")
    )
    return main_project, department, main_project.year


def test_every_page_allows_only_this_sites_scripts_and_its_own_inline_code(site, client_of):
    project, department, year = site
    seen_inline = 0
    for role, url in pages(project, department, year):
        client = Client() if role == "anonymous" else client_of(role)
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], url
        script_src = directives["script-src"]
        assert "'self'" in script_src and "'unsafe-inline'" not in script_src, url
        assert "'unsafe-eval'" not in script_src and "*" not in script_src, url
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
        scripts, handlers = inline_code(response.content.decode())
        for code in scripts + handlers:
            assert sha256(code) in script_src, (url, code[:80])
        if handlers:
            assert "'unsafe-hashes'" in script_src, url
        seen_inline += len(scripts) + len(handlers)
    assert seen_inline  # the project page's script and the rollover's handler are still inline today


def test_the_templates_of_this_branch_carry_no_inline_code():
    """Everything under templates/ but the perfgoals pages (another branch's): scripts come from static
    files, behaviour from data attributes (static/perfeval/site.js)."""
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if path.relative_to(ROOT / "templates").parts[0] == "perfgoals":
            continue
        scripts, handlers = inline_code(path.read_text(encoding="utf-8"))
        assert not scripts and not handlers, path


def test_the_hashes_follow_the_templates_as_they_are():
    """The allowed hashes are computed from the listed templates when the settings load, so an edit of
    that inline code keeps it allowed; a template that disappears drops out."""
    for name in settings.INLINE_CODE_TEMPLATES:
        candidates = [p for p in ROOT.rglob(f"templates/{name}") if ".venv" not in p.parts]
        assert candidates, name
        scripts, handlers = inline_code(candidates[0].read_text(encoding="utf-8"))
        assert scripts or handlers, f"{name} has no inline code left: drop it from INLINE_CODE_TEMPLATES"
        allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
        for code in scripts + handlers:
            assert sha256(code) in allowed, (name, code[:80])
