"""Shared storage through django-storages against an S3-protocol endpoint on loopback (moto's
standalone server): evidence uploaded and downloaded through the views, a report package with the
evidence inside, and an import upload read back by the preview and the import — with MEDIA_ROOT an
empty folder, so nothing can come from a local disk."""

from __future__ import annotations

import io
import time
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.evidence.models import Evidence
from perfgoals.intake import services
from perfgoals.intake.models import BatchStatus, ImportBatch
from perfgoals.models import Indicator
from perfgoals.reports.models import ReportPackage
from tests.evidence.conftest import BUCKET, pdf_bytes, upload
from tests.intake.conftest import workbook_bytes
from tests.web.conftest import set_status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def eager_tasks():
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def s3_endpoint_of(client) -> str:
    return client.meta.endpoint_url


def fetch(url: str):
    """GET a signed URL of the loopback endpoint, as a browser following the redirect would."""
    import urllib.request

    return urllib.request.urlopen(url, timeout=10)  # noqa: S310 (the loopback test endpoint)


def test_a_signed_url_is_short_lived_and_names_the_attachment(s3_storage, small_project, user_of, client_of):
    from perfgoals.evidence import actions, serving

    set_status(small_project, Status.ENTERING)
    evidence = actions.attach_evidence(user_of("unit_own"), small_project, upload("a.pdf", pdf_bytes()))
    location = client_of("finance").get(reverse("evidence:download", args=[evidence.pk]))["Location"]
    query = parse_qs(urlsplit(location).query)
    if "Expires" in query:  # signature version 2: the moment it expires
        assert int(query["Expires"][0]) - time.time() <= serving.SIGNED_URL_SECONDS + 1
    else:  # version 4: the seconds it lasts
        assert int(query["X-Amz-Expires"][0]) == serving.SIGNED_URL_SECONDS
    assert "response-content-disposition=attachment" in location
    assert "Signature=" in location or "X-Amz-Signature=" in location
    # (moto's server does not check signatures, so a tampered URL cannot be tried here)


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_the_storage_is_s3(s3_storage):
    """FileFields and default_storage follow STORAGES["default"] (a lazy object reset on change)."""
    from storages.backends.s3 import S3Storage

    for storage in (default_storage, Evidence._meta.get_field("file").storage):
        storage._setup()
        assert isinstance(storage._wrapped, S3Storage)


def test_evidence_round_trip_through_the_views(s3_storage, small_project, client_of, settings):
    set_status(small_project, Status.ENTERING)
    indicator = Indicator.objects.filter(project=small_project).order_by("order").first()
    data = pdf_bytes("盖章的自评报告") * 2000  # ~140 KB: more than one read of the stream
    unit = client_of("unit_own")
    response = unit.post(
        reverse("evidence:project", args=[small_project.pk]),
        {"file": upload("自评报告.pdf", data), "indicator": indicator.pk, "description": "盖章版"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert keys(s3_storage) == [evidence.file.name]
    stored = s3_storage.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert stored == data
    # nothing on the local disk
    from pathlib import Path

    assert not Path(settings.MEDIA_ROOT).exists()

    for role in ("unit_own", "supervisor_own", "finance"):
        # the object storage serves the bytes itself, through a short-lived signed URL
        response = client_of(role).get(reverse("evidence:download", args=[evidence.pk]))
        assert response.status_code == 302 and response["Location"].startswith(s3_endpoint_of(s3_storage))
        assert response["Cache-Control"] == "private, no-store"
        fetched = fetch(response["Location"])
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert "%E8%87%AA%E8%AF%84%E6%8A%A5%E5%91%8A.pdf" in fetched.headers["Content-Disposition"]
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert fetched.read() == data
    assert client_of("unit_other").get(reverse("evidence:download", args=[evidence.pk])).status_code == 404
    # without signed URLs: streamed through the application, as on the local disk
    settings.EVIDENCE_SIGNED_URLS = False
    response = client_of("finance").get(reverse("evidence:download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == data
    settings.EVIDENCE_SIGNED_URLS = True

    response = unit.post(reverse("evidence:remove", args=[evidence.pk]), {"reason": "换新版"})
    assert response.status_code == 302
    assert keys(s3_storage) == [evidence.file.name]  # removal keeps the object


@pytest.mark.parametrize("part_size", [50, 1])
def test_a_report_package_with_evidence_through_s3(
    s3_storage,
    small_project,
    user_of,
    client_of,
    eager_tasks,
    django_capture_on_commit_callbacks,
    settings,
    part_size,
):
    """In one piece, and in parts (one a project) written to the bucket and joined from it."""
    from perfgoals.evidence import actions

    settings.REPORT_PACKAGE_PART_SIZE = part_size

    set_status(small_project, Status.ENTERING)
    unit = user_of("unit_own")
    actions.attach_evidence(unit, small_project, upload("报告.exe", pdf_bytes("a")))
    actions.attach_evidence(unit, small_project, upload("名单.csv", "姓名,金额\n张三,100\n".encode()))
    removed = actions.attach_evidence(unit, small_project, upload("旧版.pdf", pdf_bytes("old")))
    actions.remove_evidence(unit, removed, "旧版")
    client = client_of("supervisor_own")
    department = small_project.unit.department
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:package_create"), {"target": f"department:{department.pk}", "year": "2019"}
        )
    assert response.status_code == 302
    package = ReportPackage.objects.get()
    status = client.get(reverse("reports:package_status", args=[package.pk])).json()
    assert status["status"] == "done", status
    package.refresh_from_db()
    assert keys(s3_storage) == sorted([package.file.name, *Evidence.objects.values_list("file", flat=True)])
    download = client.get(status["download_url"])
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    evidence = sorted(n for n in archive.namelist() if "_佐证材料/" in n)
    assert len(evidence) == 2, evidence
    assert evidence[0].endswith("_困难群众医疗救助_佐证材料/01_报告.exe.pdf")
    assert evidence[1].endswith("_困难群众医疗救助_佐证材料/02_名单.csv")
    assert archive.read(evidence[0]) == pdf_bytes("a")
    assert "佐证材料" in archive.read(next(n for n in archive.namelist() if n.endswith("说明.txt"))).decode()


@pytest.mark.parametrize("in_background", [False, True])
def test_an_import_upload_through_s3(
    s3_storage, demo, client_of, eager_tasks, settings, in_background, django_capture_on_commit_callbacks
):
    """The web host stores the workbook, the preview and the import (a worker, when in background)
    read it back from the bucket; the cleanup deletes it there."""
    if in_background:
        settings.INTAKE_ASYNC_BYTES = 0  # every upload read by the task
    rows = [
        ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"],
        [2024, "医保政策宣传", "产出指标", "数量指标", "发放宣传资料", "≥2万册", 50],
    ]
    client = client_of("unit_own")
    workbook = SimpleUploadedFile("目标表.xlsx", workbook_bytes(rows), content_type=XLSX)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:index"), {"kind": "goals", "year": "", "file": workbook})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.PREVIEW, batch.errors
    assert keys(s3_storage) == [batch.file.name]
    assert "医保政策宣传" in client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, (batch.status, batch.errors)
    from django.utils import timezone

    ImportBatch.objects.filter(pk=batch.pk).update(
        updated_at=timezone.now() - timezone.timedelta(days=40),
        finished_at=timezone.now() - timezone.timedelta(days=40),
    )
    assert services.clean_uploads().removed == [batch.pk]
    assert keys(s3_storage) == []


def test_an_object_storage_refusing_a_delete_keeps_the_batch_for_the_next_run(
    s3_storage, demo, user_of, monkeypatch
):
    """The cleanup meets S3's errors (botocore's, not OSError): the batch keeps its file, to try again."""
    from botocore.exceptions import ClientError
    from django.utils import timezone
    from storages.backends.s3 import S3Storage

    rows = [["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]]
    batch = services.create_batch(
        user_of("unit_own"),
        SimpleUploadedFile("目标表.xlsx", workbook_bytes(rows), content_type=XLSX),
        kind="goals",
        year=None,
    )
    old = timezone.now() - timezone.timedelta(days=40)
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE, updated_at=old, finished_at=old)

    def refuse(self, name):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "DeleteObject")

    monkeypatch.setattr(S3Storage, "delete", refuse)
    report = services.clean_uploads()
    assert report.removed == [] and [pk for pk, _ in report.failed] == [batch.pk]
    batch.refresh_from_db()
    assert batch.file and not batch.file_removed and keys(s3_storage) == [batch.file.name]
    monkeypatch.undo()
    assert services.clean_uploads().removed == [batch.pk] and keys(s3_storage) == []
