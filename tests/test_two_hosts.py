"""Two hosts: two real `celery -A config worker` processes whose local media folders differ, beside a
web host (this test process, with a third folder), sharing only PostgreSQL, Redis and the storage.

Through object storage (moto's standalone S3 server on loopback) nothing may come from a local disk:
a region's report package is built in parts spread over both workers and joined by one of them, then
downloaded from the web host; an import workbook over the 256 KB threshold, stored by the web host, is
previewed and imported by a worker; the province export shows the imported row; and one rescoring run
is shared by both workers. The same flows on the local-disk default, where every host mounts one
folder (the README's only multi-host setup without a bucket).

Runs only when PostgreSQL and Redis are configured (DATABASE_URL, REDIS_URL), like the other tests
marked celery_worker.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import time
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from tests.evidence.conftest import BUCKET, s3_endpoint  # noqa: F401 (the fixture)
from tests.intake.conftest import workbook_bytes

pytestmark = pytest.mark.celery_worker

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(name: str, media_root: Path, env_extra: dict, log: Path) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "REPORT_PACKAGE_PART_SIZE": "1",  # a part a project: the parts spread over both workers
        **env_extra,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
        "--hostname", f"{name}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.fixture
def hosts(request, transactional_db, tmp_path):
    """Where files go (``s3`` or ``local``), two worker processes, and the web host's settings."""
    from django.conf import settings

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip(
            "需要 PostgreSQL 与 Redis（DATABASE_URL、REDIS_URL）：两台主机只共享数据库、消息队列和存储"
        )
    from config.celery import app

    app.control.purge()
    kind = request.param
    web_media = tmp_path / "web"
    env_extra: dict[str, str] = {}
    storages = settings.STORAGES
    client = None
    if kind == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_bucket(Bucket=BUCKET)
        env_extra = {
            "STORAGE_S3_BUCKET": BUCKET,
            "STORAGE_S3_ENDPOINT_URL": endpoint,
            "STORAGE_S3_REGION": "us-east-1",
            "STORAGE_S3_ACCESS_KEY": "testing",
            "STORAGE_S3_SECRET_KEY": "testing",
        }
        options = {
            "bucket_name": BUCKET,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "default_acl": None,
            "file_overwrite": False,
        }
        storages = {**storages, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}
        medias = [tmp_path / "host-a", tmp_path / "host-b"]  # each host its own, empty folder
    else:
        medias = [web_media, web_media]  # one folder every host mounts
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [
        _start_worker(name, media, env_extra, log)
        for name, media, log in zip(("host-a", "host-b"), medias, logs, strict=True)
    ]
    try:
        _wait_for_workers(app, 2)
        with override_settings(STORAGES=storages, MEDIA_ROOT=str(web_media)):
            yield {"kind": kind, "logs": logs, "medias": medias, "web_media": web_media, "s3": client}
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        if client is not None:
            for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
                client.delete_object(Bucket=BUCKET, Key=item["Key"])
            client.delete_bucket(Bucket=BUCKET)


def _wait_for_workers(app, count: int, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= count:
            return
    raise AssertionError("两个 Celery worker 未能按时启动")


def _poll(read, done, timeout: float = 45):
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.3)
        value = read()
    return value


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _large_workbook() -> bytes:
    """The one real row of a goals import, and a second sheet of incompressible text: over 256 KB."""
    rows = [
        ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"],
        [2024, "医保政策宣传", "产出指标", "数量指标", "发放宣传资料", "≥2万册", 50],
    ]
    rng = random.Random(18)

    def pad(workbook, _sheet):
        notes = workbook.create_sheet("填表说明")
        for _ in range(3000):
            notes.append(["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(40))])

    data = workbook_bytes(rows, setup=pad)
    assert len(data) > 256 * 1024, len(data)
    return data


@pytest.mark.parametrize("hosts", ["s3", "local"], indirect=True)
def test_two_workers_on_two_hosts(hosts):
    from perfgoals.demo import load_demo
    from perfgoals.intake.models import BatchStatus, ImportBatch
    from perfgoals.models import Evaluation, Indicator, RescoreRun
    from perfgoals.reports.models import ReportPackage
    from projects.models import Project, Region

    load_demo(accounts=True)

    # 1. a region's package: parts on both workers, joined on one, downloaded from the web host
    region = Region.objects.get(name="烟台市")
    year = Project.objects.filter(region=region).values_list("year", flat=True).order_by("-year").first()
    projects = Project.objects.filter(region=region, year=year).count()
    assert projects >= 2
    finance = _client("caizheng_yantai")
    response = finance.post(
        reverse("reports:package_create"), {"target": f"region:{region.pk}", "year": year}
    )
    assert response.status_code == 302
    package = ReportPackage.objects.get()
    status = _poll(
        lambda: finance.get(reverse("reports:package_status", args=[package.pk])).json(),
        lambda s: s["status"] in ("done", "failed"),
    )
    assert status["status"] == "done", (status, *(log.read_text()[-3000:] for log in hosts["logs"]))
    parts_by = [log.read_text().count("reports.build_package_part") for log in hosts["logs"]]
    assert all(parts_by), parts_by  # both hosts built parts
    download = finance.get(status["download_url"])
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert any(name.endswith("说明.txt") for name in archive.namelist())

    # 2. an import over the threshold: stored by the web host, read by a worker
    unit = _client("tianbao_yantai")
    workbook = SimpleUploadedFile("目标表.xlsx", _large_workbook(), content_type=XLSX)
    response = unit.post(reverse("intake:index"), {"kind": "goals", "year": "", "file": workbook})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    batch = _poll(
        lambda: ImportBatch.objects.get(pk=batch.pk),
        lambda b: b.status not in (BatchStatus.PENDING, BatchStatus.PARSING),
    )
    assert batch.status == BatchStatus.PREVIEW, (batch.status, batch.errors)
    unit.post(reverse("intake:batch_confirm", args=[batch.pk]))
    batch = _poll(
        lambda: ImportBatch.objects.get(pk=batch.pk),
        lambda b: b.status in (BatchStatus.DONE, BatchStatus.FAILED),
    )
    assert batch.status == BatchStatus.DONE, (batch.status, batch.errors)
    assert Indicator.objects.filter(name="发放宣传资料", project__year=2024).exists()
    export = unit.get(reverse("intake:export"), {"year": 2024})
    assert export.status_code == 200
    body = export.getvalue() if not export.streaming else b"".join(export.streaming_content)
    assert body[:2] == b"PK"

    # nothing of either flow on a worker's own disk when the files are in the bucket
    if hosts["kind"] == "s3":
        for media in hosts["medias"]:
            assert not media.exists() or not any(media.rglob("*.*")), list(media.rglob("*"))
        stored = [item["Key"] for item in hosts["s3"].list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        assert package.file.name in stored or ReportPackage.objects.get().file.name in stored
        assert ImportBatch.objects.get().file.name in stored

    # 3. one rescoring run shared by both workers
    Evaluation.objects.update(total_score=None, grade="")
    out = StringIO()
    call_command("rescore", "--celery", "--wait", "--timeout", "45", "--chunk", "3", stdout=out)
    run = RescoreRun.objects.get()
    assert run.status == RescoreRun.Status.DONE, out.getvalue()
    chunks_by = [log.read_text().count("perfgoals.rescore_run_chunk") for log in hosts["logs"]]
    assert all(chunks_by), chunks_by
    assert set(run.chunks.values_list("attempts", flat=True)) == {1}
    assert not Evaluation.objects.filter(total_score__isnull=True).exclude(project__indicators=None).exists()
