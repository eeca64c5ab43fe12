"""Workers killed mid-work (issue #17), with real Celery workers on Redis (CI's second pass).

Each test starts ``celery -A config worker`` as a process of its own (prefork, one child) against the
test database, waits until the work is under way, and kills:

* the pool child running the task (the kernel's OOM killer, a segfault): with late acknowledgement
  and reject-on-worker-lost the task goes back to the queue at once and the same worker runs it
  again — the package is built, the import written once;
* the whole worker, main process and child (a host lost): the message stays unacknowledged in Redis
  until the visibility timeout (hours), so the stale-work detectors take over — after
  ``REPORT_PACKAGE_STALE_MINUTES`` / ``INTAKE_STALE_MINUTES`` without progress (the test moves the
  last progress back instead of waiting) the owner's rebuild or retry button starts it again on
  another worker, and it finishes. Nobody touches the database by hand.

Skipped without REDIS_URL or on SQLite (the worker process must reach the test database).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perfgoals.demo import load_demo
from perfgoals.intake import services as intake
from perfgoals.intake import tasks as intake_tasks
from perfgoals.intake.models import BatchStatus, ImportBatch
from perfgoals.models import Indicator
from perfgoals.reports import actions, tasks
from perfgoals.reports.models import PackageStatus, ReportPackage
from projects.models import Project

pytestmark = pytest.mark.celery_worker

ROOT = Path(__file__).resolve().parent.parent
#: seconds a worker may take to build or import what these tests give it (a busy CI machine)
PATIENCE = 240


def _database_url() -> str:
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Worker:
    """``celery -A config worker`` in a process of its own, on the test's database and broker."""

    def __init__(self, media: Path, log: Path):
        self.media = media
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "MEDIA_ROOT": str(self.media),
            "REPORT_PACKAGE_PART_SIZE": "5",  # several parts: a part is under way when killed
        }
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"killed-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def pool_child(self) -> int:
        """The prefork child that runs the tasks (waiting for it to be started)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            children = _children(self.process.pid)
            if children:
                return children[0]
            time.sleep(0.05)
        raise AssertionError("the worker started no pool process:\n" + self.log.read_text()[-3000:])

    def kill_child(self) -> None:
        os.kill(self.pool_child(), signal.SIGKILL)

    def kill(self) -> None:
        """The whole worker at once, as a lost host: no warm shutdown, nothing acknowledged."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(transactional_db, settings, tmp_path):
    """Start workers with ``workers()``; all are stopped, and the broker's queue and its
    unacknowledged messages cleared, at the end."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL 未设置：没有可用的 Celery 消息队列（.ci/run 在 Redis 可用时设置它）")
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL：另一个进程中的 worker 要连到同一个测试数据库")
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    started: list[Worker] = []

    def _clear_broker():
        app.control.purge()
        with app.connection_for_write() as conn:
            client = conn.default_channel.client
            client.delete("unacked", "unacked_index", "unacked_mutex")

    _clear_broker()

    def start() -> Worker:
        worker = Worker(settings.MEDIA_ROOT, tmp_path / "worker.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    _clear_broker()


class TableLock:
    """A table locked from a connection of the test's own, so that a worker's task stops at a known
    point (waiting for the lock) and is killed there — not before it started, not after it finished.

    ``ACCESS EXCLUSIVE`` stops reading the table too; ``EXCLUSIVE`` only writing it."""

    def __init__(self, model, mode: str):
        self.table = model._meta.db_table
        self.connection = psycopg.connect(_database_url())  # a transaction begins with the first statement
        self.connection.execute(f'LOCK TABLE "{self.table}" IN {mode} MODE')

    def waited_for(self) -> bool:
        """Some other connection (the worker's) is waiting for this lock."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [self.table]
            )
            return cursor.fetchone() is not None

    def release(self) -> None:
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


@pytest.fixture
def table_locks():
    """``table_locks(Model, mode)`` locks a table until released, or at the end of the test."""
    taken: list[TableLock] = []

    def take(model, mode: str) -> TableLock:
        taken.append(TableLock(model, mode))
        return taken[-1]

    yield take
    for lock in taken:
        lock.release()


def _wait(condition, what: str, log: Path, seconds: float = PATIENCE, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    tail = log.read_text()[-4000:] if log.exists() else ""
    raise AssertionError(f"{what}: not within {seconds} s\n{tail}")


def _admin_client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def _package_under_way(table_locks) -> tuple[ReportPackage, TableLock]:
    """Every region's package (the workers split it in parts of 5 projects), queued — with the
    indicators locked, so its parts (which read them; the first task does not) wait mid-build."""
    load_demo(accounts=True)
    package = actions.start_package(get_user_model().objects.get(username="admin"))
    lock = table_locks(Indicator, "ACCESS EXCLUSIVE")
    tasks.queue_package(package)  # autocommit here: queued at once
    return package, lock


def _part_waiting(package: ReportPackage, lock: TableLock, log: Path) -> None:
    _wait(
        lambda: ReportPackage.objects.filter(pk=package.pk, status=PackageStatus.RUNNING).exists(),
        "the package started",
        log,
    )
    _wait(lock.waited_for, "a part reading the indicators", log)


def _zip_is_complete(package: ReportPackage) -> None:
    with default_storage.open(package.file.name) as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert len([n for n in names if "/自评表/" in n and n.endswith(".xlsx")]) == 49


def test_a_package_whose_worker_process_is_killed_mid_part_is_finished(workers, table_locks):
    worker = workers()
    package, lock = _package_under_way(table_locks)
    _part_waiting(package, lock, worker.log)
    worker.kill_child()  # mid-build: the running task goes back to the queue
    lock.release()

    _wait(lambda: ReportPackage.objects.get(pk=package.pk).finished, "the package finished", worker.log)
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE, package.error
    assert (package.progress, package.project_count) == (100, 49)
    _zip_is_complete(package)
    assert "WorkerLostError" in worker.log.read_text() or "exited prematurely" in worker.log.read_text()


def test_a_package_whose_whole_worker_is_lost_is_rebuilt_by_its_owner(workers, settings, table_locks):
    worker = workers()
    package, lock = _package_under_way(table_locks)
    _part_waiting(package, lock, worker.log)
    worker.kill()
    lock.release()
    package.refresh_from_db()
    assert package.status == PackageStatus.RUNNING and not package.is_stale  # "生成中", for now

    # REPORT_PACKAGE_STALE_MINUTES pass without progress (moved back rather than waited for)
    moment = timezone.now() - timedelta(minutes=settings.REPORT_PACKAGE_STALE_MINUTES + 1)
    ReportPackage.objects.filter(pk=package.pk).update(heartbeat_at=moment, started_at=moment)
    package.refresh_from_db()
    assert package.is_stale
    client = _admin_client()
    page = client.get(reverse("reports:index"))
    assert reverse("reports:package_rebuild", args=[package.pk]) in page.content.decode()

    successor = workers()
    client.post(reverse("reports:package_rebuild", args=[package.pk]))

    _wait(lambda: ReportPackage.objects.get(pk=package.pk).finished, "the rebuilt package", successor.log)
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE, package.error
    assert package.build == 1 and package.project_count == 49
    _zip_is_complete(package)


def _import_under_way(rows: int, table_locks):
    """A unit's confirmed batch of ``rows`` new projects (5 indicators each), queued for import —
    with the indicators locked against writing, so the import waits inside its writing transaction
    (projects written, indicators not yet)."""
    from tests.intake.conftest import workbook_bytes
    from tests.intake.test_views import HEADER

    load_demo(accounts=True)
    user = get_user_model().objects.get(username="tianbao_yantai")
    lines = []
    for number in range(rows):
        for index in range(5):
            lines.append(
                [
                    2024,
                    f"压测项目{number:04d}",
                    "产出指标",
                    "数量指标",
                    f"指标{index}",
                    "≥",
                    10 + index,
                    "人次",
                    18,
                ]
            )
    upload = SimpleUploadedFile("目标表.xlsx", workbook_bytes([HEADER, *lines]))
    batch = intake.create_batch(user, upload, kind="goals", year=None)
    intake.build_preview(batch.pk)  # read here: the workers are for the import
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW, batch.errors[:3]
    assert intake.confirm_batch(batch)
    lock = table_locks(Indicator, "EXCLUSIVE")
    intake_tasks.queue_import(batch)
    return batch, user, lock


def _writing(batch, lock: TableLock) -> bool:
    return (
        ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.IMPORTING, progress__gte=75).exists()
        and lock.waited_for()
    )


def _imported_once(batch, rows: int) -> None:
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, batch.errors
    projects = Project.objects.filter(year=2024, name__startswith="压测项目")
    assert projects.count() == rows  # written once, not twice
    assert Indicator.objects.filter(project__in=projects).count() == 5 * rows


def test_an_import_whose_worker_process_is_killed_while_writing_is_written_once(workers, table_locks):
    rows = 300
    worker = workers()
    batch, _, lock = _import_under_way(rows, table_locks)
    _wait(lambda: _writing(batch, lock), "the import writing", worker.log)
    worker.kill_child()  # inside the writing transaction: rolled back, the task queued again
    lock.release()

    _wait(lambda: ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE, "the import", worker.log)
    _imported_once(batch, rows)


def test_an_import_whose_whole_worker_is_lost_is_started_again_by_its_owner(workers, settings, table_locks):
    rows = 300
    worker = workers()
    batch, user, lock = _import_under_way(rows, table_locks)
    _wait(lambda: _writing(batch, lock), "the import writing", worker.log)
    worker.kill()
    lock.release()
    time.sleep(1)  # the database ends the dead connection's transaction
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.IMPORTING
    assert not Project.objects.filter(year=2024, name__startswith="压测项目").exists()  # nothing written

    # INTAKE_STALE_MINUTES pass without progress (moved back rather than waited for)
    moment = timezone.now() - timedelta(minutes=settings.INTAKE_STALE_MINUTES + 1)
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=moment)
    client = Client()
    client.force_login(user)
    assert (
        reverse("intake:batch_retry", args=[batch.pk])
        in client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    )

    successor = workers()
    client.post(reverse("intake:batch_retry", args=[batch.pk]))

    _wait(
        lambda: ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE, "the import", successor.log
    )
    _imported_once(batch, rows)
