"""Uploaded workbooks are deleted after the retention period; the batches stay and say so."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from perfgoals.intake import batches, services, tasks
from perfgoals.intake.models import ACTIVE_STATUSES, BatchStatus, ImportBatch

from .conftest import database_state, workbook_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = [
    ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"],
    [2024, "医保政策宣传", "产出指标", "数量指标", "发放宣传资料", "≥2万册", 50],
]


def _batch(user, status: str, age_days: float, *, finished: bool = True) -> ImportBatch:
    """A stored upload whose batch reached ``status`` ``age_days`` ago."""
    data = workbook_bytes(ROWS)
    batch = services.create_batch(
        user, SimpleUploadedFile("目标表.xlsx", data, content_type=XLSX), kind="goals", year=None
    )
    when = timezone.now() - timedelta(days=age_days)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status,
        created_at=when,
        updated_at=when,
        finished_at=when if finished else None,
        preview={
            "summary": {
                "rows_read": 1,
                "projects": 1,
                "created": 1,
                "replaced": 0,
                "results": 0,
                "indicators": 1,
                "warnings": 0,
            },
            "projects": [],
        },
    )
    batch.refresh_from_db()
    return batch


def _path(batch: ImportBatch) -> Path:
    return Path(django_settings.MEDIA_ROOT) / batch.file.name


@pytest.fixture
def owner(yantai, media):
    return yantai


def test_the_default_retention_is_30_days_and_scheduled_daily():
    assert django_settings.IMPORT_UPLOAD_RETENTION_DAYS == 30 == services.retention_days()
    from config.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE["intake-clean-uploads"]
    assert entry["task"] == "intake.clean_uploads" and entry["task"] in app.tasks
    assert app.conf.beat_schedule["intake-clean-uploads"]["task"] == "intake.clean_uploads"


def test_files_older_than_the_window_go_newer_and_in_progress_ones_stay(demo, owner):
    old = {status: _batch(owner, status, 31) for status in ("done", "cancelled", "failed", "rejected")}
    abandoned = _batch(owner, BatchStatus.PREVIEW, 31, finished=False)
    recent = [_batch(owner, status, 29) for status in ("done", "cancelled", "preview")]
    # a task still works on these, however old: never touched
    busy = [_batch(owner, status, 400, finished=False) for status in ACTIVE_STATUSES]
    # finished long ago but last touched recently (finished_at decides), and the reverse
    finished_recently = _batch(owner, "done", 31)
    ImportBatch.objects.filter(pk=finished_recently.pk).update(finished_at=timezone.now() - timedelta(days=2))
    paths = {b.pk: _path(b) for b in ImportBatch.objects.all()}
    assert all(p.exists() for p in paths.values())
    rows_before = list(
        ImportBatch.objects.order_by("pk").values("pk", "status", "preview", "result", "errors")
    )

    report = services.clean_uploads()

    gone = {b.pk for b in old.values()} | {abandoned.pk}
    assert sorted(report.removed) == sorted(gone) and not report.failed
    assert report.bytes == sum(b.size for b in ImportBatch.objects.filter(pk__in=gone))
    for pk, path in paths.items():
        assert path.exists() == (pk not in gone), pk
    # every row stays, with its status, preview, result and errors; the removed ones say so
    assert (
        list(ImportBatch.objects.order_by("pk").values("pk", "status", "preview", "result", "errors"))
        == rows_before
    )
    for batch in ImportBatch.objects.all():
        assert batch.file_removed == (batch.pk in gone)
        assert bool(batch.file) == (batch.pk not in gone)
    kept = [*recent, *busy, finished_recently]
    assert not ImportBatch.objects.filter(pk__in=[b.pk for b in kept], file_removed_at__isnull=False).exists()

    assert services.clean_uploads().removed == []  # nothing left to do


def test_dry_run_deletes_nothing(demo, owner):
    batch = _batch(owner, "done", 45)
    report = services.clean_uploads(dry_run=True)
    assert report.removed == [batch.pk] and report.dry_run
    assert "将清理 1 个导入批次" in report.text()
    batch.refresh_from_db()
    assert _path(batch).exists() and not batch.file_removed


def test_the_days_argument_and_the_setting_set_the_window(demo, owner, settings):
    batch = _batch(owner, "done", 10)
    assert services.clean_uploads().removed == []
    assert services.clean_uploads(days=20).removed == []
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 7
    assert services.clean_uploads().removed == [batch.pk]
    with pytest.raises(ValueError):
        services.clean_uploads(days=0)


def test_the_command(demo, owner):
    batch = _batch(owner, "cancelled", 60)
    out = io.StringIO()
    call_command("clean_uploads", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "试运行" in text and "将清理 1 个导入批次" in text and "目标表.xlsx" in text
    assert _path(batch).exists()

    out = io.StringIO()
    call_command("clean_uploads", "--days", "90", stdout=out)
    assert "已清理 0 个" in out.getvalue() and _path(batch).exists()

    path = _path(batch)
    out = io.StringIO()
    call_command("clean_uploads", stdout=out)
    assert "已清理 1 个导入批次" in out.getvalue() and not path.exists()
    with pytest.raises(CommandError, match="至少为 1 天"):
        call_command("clean_uploads", "--days", "0")


def test_the_celery_task(demo, owner, eager_tasks):
    batch = _batch(owner, "failed", 31)
    path = _path(batch)
    result = tasks.clean_uploads.delay().get()
    assert result["removed"] == 1 and not result["dry_run"] and not path.exists()


def test_a_file_that_cannot_be_deleted_is_kept_for_the_next_run(demo, owner, monkeypatch):
    batch = _batch(owner, "done", 31)
    storage = ImportBatch._meta.get_field("file").storage

    def refuse(name):
        raise PermissionError("只读文件系统")

    monkeypatch.setattr(storage, "delete", refuse)
    report = services.clean_uploads()
    assert report.removed == [] and [pk for pk, _ in report.failed] == [batch.pk]
    batch.refresh_from_db()
    assert not batch.file_removed and batch.file and _path(batch).exists()
    monkeypatch.undo()
    assert services.clean_uploads().removed == [batch.pk]


def test_a_batch_confirmed_meanwhile_keeps_its_file(demo, owner, monkeypatch):
    """The cleanup claims each batch with a conditional UPDATE: one confirmed after the candidates were
    listed is no longer a candidate."""
    batch = _batch(owner, BatchStatus.PREVIEW, 31, finished=False)
    listed = services.expired_batches
    calls = []

    def confirmed_between_listing_and_claim(cutoff):
        calls.append(cutoff)
        if len(calls) == 2:  # the candidates were read; before the claim, the user confirms
            assert services.confirm_batch(batch)
        return listed(cutoff)

    monkeypatch.setattr(batches, "expired_batches", confirmed_between_listing_and_claim)
    report = services.clean_uploads()
    batch.refresh_from_db()
    assert len(calls) == 2
    assert report.removed == [] and batch.status == BatchStatus.CONFIRMED and _path(batch).exists()
    assert not batch.file_removed


def test_the_batch_page_opens_and_confirming_is_refused_cleanly(demo, owner, client, eager_tasks):
    client.force_login(owner)
    response = client.post(
        reverse("intake:index"),
        {
            "kind": "goals",
            "year": "",
            "file": SimpleUploadedFile("目标表.xlsx", workbook_bytes(ROWS), content_type=XLSX),
        },
    )
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.PREVIEW
    page = client.get(response.url).content.decode()
    assert "确认导入" in page and "已清理" not in page
    old = timezone.now() - timedelta(days=31)
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=old)

    assert services.clean_uploads().removed == [batch.pk]

    page = client.get(reverse("intake:batch", args=[batch.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "按保留期限（30 天）清理" in text and "不能再导入" in text and "医保政策宣传" in text
    assert 'class="primary">确认导入' not in text
    assert "文件已清理" in client.get(reverse("intake:index")).content.decode()
    assert client.get(reverse("intake:batch_progress", args=[batch.pk])).json()["file_removed"] is True

    before = database_state()
    response = client.post(reverse("intake:batch_confirm", args=[batch.pk]), follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "上传的文件已超过保留期限被清理，不能再确认导入" in text
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW and batch.file_removed and batch.errors == []
    assert database_state() == before
    # the service refuses it too, whoever calls it
    assert not services.confirm_batch(batch)

    # a finished batch's page opens too, with its result
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE, result={"text": "新建项目 1 个"})
    text = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "导入完成：新建项目 1 个" in text and "和导入结果仍保留" in text
