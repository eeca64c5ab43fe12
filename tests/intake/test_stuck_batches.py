"""An import whose worker died (issue #17): killed inside the writing transaction, the batch used to
stay "正在导入 75 %" for ever — nothing written, but it could be neither confirmed nor cancelled and its
upload was never cleaned. The transaction's rollback leaves nothing written; a batch without progress
for ``INTAKE_STALE_MINUTES`` can be started again or cancelled by its owner (the upload deleted then).
``clean_uploads`` still never touches a batch a task may be working on (test_clean_uploads)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from perfgoals.intake import batches, services
from perfgoals.intake.models import BatchStatus, ImportBatch
from projects.models import Project

from .conftest import database_state, workbook_bytes
from .test_views import HEADER, ROWS, XLSX

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside: no ``except Exception`` runs."""


@pytest.fixture
def unit_client(demo, client, yantai, media, eager_tasks):
    client.force_login(yantai)
    return client


@pytest.fixture
def stuck(unit_client, monkeypatch, settings):
    """A confirmed batch whose worker died inside the writing transaction, 45 minutes ago."""
    settings.INTAKE_STALE_MINUTES = 30
    unit_client.post(
        reverse("intake:index"),
        {
            "kind": "goals",
            "year": "",
            "file": SimpleUploadedFile("目标表.xlsx", workbook_bytes([HEADER, *ROWS]), content_type=XLSX),
        },
    )
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.PREVIEW
    before = database_state()

    write = batches.apply_plan

    def die(*args, **kwargs):
        write(*args, **kwargs)  # everything written inside the transaction, then the worker is killed
        raise WorkerKilled

    monkeypatch.setattr(batches, "apply_plan", die)
    assert services.confirm_batch(batch)
    with pytest.raises(WorkerKilled):
        services.run_batch_import(batch.pk)
    monkeypatch.undo()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTING and batch.progress == 75  # what the page showed for ever
    assert database_state() == before  # the transaction rolled back: nothing written
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - timedelta(minutes=45))
    batch.refresh_from_db()
    return batch, before


def test_a_batch_still_making_progress_is_not_stuck(unit_client, stuck):
    batch, _before = stuck
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    batch.refresh_from_db()
    assert not services.is_stale(batch)
    assert services.retry_batch(batch) is None and not services.cancel_batch(batch)
    page = unit_client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "重新开始" not in page
    response = unit_client.post(reverse("intake:batch_retry", args=[batch.pk]), follow=True)
    assert "不能重新开始" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTING


def test_the_owner_sees_it_stuck_and_starts_it_again(unit_client, stuck, django_capture_on_commit_callbacks):
    batch, before = stuck
    page = unit_client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "可能已中断" in page and "重新开始" in page and 'http-equiv="refresh"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        unit_client.post(reverse("intake:batch_retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert database_state() != before
    assert Project.objects.filter(name="医保政策宣传", year=2024).count() == 1


def test_the_owner_cancels_it_and_its_upload_is_deleted(unit_client, stuck, media):
    batch, before = stuck
    name = batch.file.name
    storage = ImportBatch._meta.get_field("file").storage
    assert storage.exists(name)
    response = unit_client.post(reverse("intake:batch_cancel", args=[batch.pk]), follow=True)
    assert "已取消" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED and batch.file_removed and not storage.exists(name)
    assert database_state() == before
    assert services.retry_batch(batch) is None  # a cancelled batch is not started again


def test_another_user_can_neither_retry_nor_cancel_it(stuck, client):
    batch, _before = stuck
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="tianbao_yantai2"))
    assert client.post(reverse("intake:batch_retry", args=[batch.pk])).status_code == 404
    assert client.post(reverse("intake:batch_cancel", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTING
