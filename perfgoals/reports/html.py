"""Print-ready HTML of the forms, the summary and the report.

The same templates serve the pages of the app (inside ``base.html``, linking reports.css) and the
standalone files of a package (``reports/standalone.html``, with the stylesheet inlined, so a file
opened from the ZIP prints exactly like the page).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .data import DepartmentYear, ProjectForm

STYLESHEET = "perfeval/reports.css"
APP_BASE = "base.html"
STANDALONE_BASE = "reports/standalone.html"


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    found = finders.find(STYLESHEET)
    path = Path(found) if found else Path(settings.STATIC_ROOT) / STYLESHEET
    return path.read_text(encoding="utf-8")


def standalone_context() -> dict:
    return {"base_template": STANDALONE_BASE, "standalone": True, "inline_css": _stylesheet()}


def app_context() -> dict:
    return {"base_template": APP_BASE, "standalone": False}


def form_page(form: ProjectForm) -> str:
    return render_to_string("reports/form_print.html", {"form": form, **standalone_context()})


def summary_page(dy: DepartmentYear) -> str:
    return render_to_string("reports/summary_print.html", {"dy": dy, **standalone_context()})


def report_page(text) -> str:
    return render_to_string("reports/report_print.html", {"text": text, **standalone_context()})
