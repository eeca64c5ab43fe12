"""Who queues what: ``tasks`` alone queues work, on the commit of the writing transaction; the services
only say what an import calls for (``feeds_library``), and never import ``tasks``."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from perfgoals.intake import services, tasks
from perfgoals.intake.models import BatchStatus, ImportBatch, ImportKind

from .conftest import workbook_bytes
from .test_views import HEADER, ROWS, XLSX

INTAKE = Path(services.__file__).parent


@pytest.fixture
def queued(monkeypatch):
    """The tasks queued through ``delay``, by name (the tasks themselves do not run)."""
    names: list[str] = []
    for task in (tasks.preview_batch, tasks.import_batch, tasks.update_library, tasks.rebuild_library):
        monkeypatch.setattr(task, "delay", lambda *args, _name=task.name: names.append(_name))
    return names


def _upload(client, data: bytes):
    return client.post(
        reverse("intake:index"),
        {"kind": "goals", "year": "", "file": SimpleUploadedFile("目标表.xlsx", data, content_type=XLSX)},
    )


@pytest.mark.django_db
def test_a_small_goals_file_is_imported_in_the_request_then_the_library_updated(
    demo, client, yantai, media, queued, django_capture_on_commit_callbacks
):
    client.force_login(yantai)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _upload(client, workbook_bytes([HEADER, *ROWS]))
    assert callbacks == [] and queued == []  # the preview was made in the request
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.PREVIEW
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("intake:batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert len(callbacks) == 1 and queued == ["intake.update_library"]


@pytest.mark.django_db
def test_a_large_file_queues_its_preview_and_its_import_on_commit(
    demo, client, yantai, media, settings, queued, django_capture_on_commit_callbacks
):
    settings.INTAKE_ASYNC_BYTES = 1
    client.force_login(yantai)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _upload(client, workbook_bytes([HEADER, *ROWS]))
    assert len(callbacks) == 1 and queued == []  # nothing is queued before the commit
    callbacks[0]()
    assert queued == ["intake.preview_batch"]
    batch = ImportBatch.objects.get()
    services.build_preview(batch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:batch_confirm", args=[batch.pk]))
    assert queued == ["intake.preview_batch", "intake.import_batch"]


@pytest.mark.django_db
def test_an_import_task_delivered_again_queues_nothing(
    demo, client, yantai, media, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(yantai)
    _upload(client, workbook_bytes([HEADER, *ROWS]))
    batch = ImportBatch.objects.get()
    assert services.confirm_batch(batch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.import_batch.delay(batch.pk).get()["status"] == BatchStatus.DONE
    assert len(callbacks) == 1  # the library update, after the import's commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.import_batch.delay(batch.pk).get()["status"] == BatchStatus.DONE
    assert callbacks == []


@pytest.mark.django_db
def test_the_command_queues_the_library_update_after_a_goals_import_only(
    demo, tmp_path, queued, django_capture_on_commit_callbacks
):
    rows = [
        ["年度", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"],
        [2024, "烟台市医疗保障局", "参保扩面", "产出指标", "数量指标", "新增参保人数", "≥2万人", 100],
    ]
    path = tmp_path / "goals.xlsx"
    path.write_bytes(workbook_bytes(rows))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_workbook", str(path), "--dry-run", stdout=io.StringIO())
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_workbook", str(path), stdout=io.StringIO())
    assert queued == ["intake.update_library"]


def test_only_goals_written_feed_the_library():
    assert services.Plan(kind=ImportKind.GOALS).feeds_library
    assert not services.Plan(kind=ImportKind.RESULTS).feeds_library
    goals, results = ImportBatch(kind=ImportKind.GOALS), ImportBatch(kind=ImportKind.RESULTS)
    assert services.BatchImport(goals, written=True).feeds_library
    assert not services.BatchImport(goals, written=False).feeds_library
    assert not services.BatchImport(results, written=True).feeds_library


# --- the import graph -----------------------------------------------------------------------------


def _intake_imports() -> dict[str, set[str]]:
    """Each module of perfgoals.intake (dotted, relative to it: "services", "reader.sheet") → the
    modules of the app it imports, at any depth of its code."""
    modules: dict[str, Path] = {}
    for path in INTAKE.rglob("*.py"):
        parts = path.relative_to(INTAKE).with_suffix("").parts
        if parts[0] in ("migrations", "management", "templatetags"):
            continue
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif (node.module or "").startswith("perfgoals.intake"):
                base = []
            else:
                continue
            module = node.module or ""
            if not node.level:
                module = module.removeprefix("perfgoals.intake").lstrip(".")
            target = ".".join(filter(None, [*base, module]))
            for alias in node.names:
                submodule = ".".join(filter(None, [target, alias.name]))
                found.add(submodule if submodule in modules else target)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_service_imports_the_tasks():
    graph = _intake_imports()
    importers = {name for name, found in graph.items() if "tasks" in found}
    assert importers <= {"views"}, importers


def test_the_intake_modules_import_no_cycle():
    graph = _intake_imports()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " → ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
