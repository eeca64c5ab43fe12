"""The web workflow of an import: an upload stored as a batch, its preview, its confirmation or
cancellation, its import; and the removal of old uploads.

A batch goes pending → parsing → preview (or rejected) → confirmed → importing → done (or rejected,
failed), or is cancelled. Small files are parsed and imported in the request; larger ones (over
:func:`async_threshold`, or inflating to more XML than ``INTAKE_ASYNC_XML_BYTES``: :func:`in_background`)
by the Celery tasks, which the views queue through ``tasks``. Either way the workbook itself is read
in a limited subprocess (``reader.isolation``).

A worker killed while reading or inside the writing transaction (which then rolls back: nothing is
written) leaves the batch "running" with no further progress; after ``settings.INTAKE_STALE_MINUTES``
without progress (:func:`stale_batches`) its owner may start it again (:func:`retry_batch`) or cancel it
(:func:`cancel_batch`, which deletes its upload at once).

Uploaded workbooks are not kept forever: :func:`clean_uploads` (``manage.py clean_uploads``, the daily
Celery task ``intake.clean_uploads``) deletes the files of batches finished or abandoned at the preview
for longer than ``settings.IMPORT_UPLOAD_RETENTION_DAYS``, keeping the batch rows as the import log.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.audit import update_logged

from .actors import Actor
from .importing import ImportRefused, apply_plan
from .models import ACTIVE_STATUSES, FINISHED_STATUSES, BatchStatus, ImportBatch, ImportKind
from .planning import Plan, plan_import
from .reader import Problem, check_file, inflated_size

logger = logging.getLogger(__name__)

#: files larger than this are parsed and imported by a Celery task (settings.INTAKE_ASYNC_BYTES)
DEFAULT_ASYNC_BYTES = 256 * 1024
#: and so are smaller ones whose XML inflates to more than this (settings.INTAKE_ASYNC_XML_BYTES):
#: a few thousand rows, read in a second or two; 100,000 repetitive rows fit in 256 KB
DEFAULT_ASYNC_XML_BYTES = 4 * 1024 * 1024
#: rows shown on one page of a preview
PREVIEW_PAGE = 200


def async_threshold() -> int:
    return int(getattr(settings, "INTAKE_ASYNC_BYTES", DEFAULT_ASYNC_BYTES))


def in_background(batch: ImportBatch) -> bool:
    """Whether a batch is read and imported by a task rather than in the request: a large file, or a
    small one that inflates to much XML (what reading costs follows the XML, not the zip)."""
    if batch.size > async_threshold():
        return True
    limit = int(getattr(settings, "INTAKE_ASYNC_XML_BYTES", DEFAULT_ASYNC_XML_BYTES))
    try:
        with batch.file.open("rb") as handle:
            return inflated_size(handle) > limit
    except (OSError, ValueError):  # the file cannot be opened here: the task says what is wrong
        return True


def create_batch(user, uploaded, *, kind: str, year: int | None) -> ImportBatch:
    """Store an upload as a batch. Raises WorkbookRejected (nothing stored) when the file is refused
    outright: too large, not an .xlsx workbook."""
    check_file(uploaded, size=uploaded.size)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    batch = ImportBatch(
        user=user,
        kind=kind,
        year=year,
        original_name=(uploaded.name or "workbook.xlsx")[:255],
        size=uploaded.size,
        sha256=digest.hexdigest(),
    )
    batch.file.save("upload.xlsx", uploaded, save=False)
    batch.save()
    return batch


def _set_progress(batch_id: int, done: int, total: int, base: int, span: int, note: str) -> None:
    percent = base + min(span, int(span * done / max(total, 1)))
    ImportBatch.objects.filter(pk=batch_id).update(
        progress=min(percent, 100), progress_note=note[:200], updated_at=timezone.now()
    )


def _plan_batch(batch: ImportBatch, *, base: int, span: int, note: str) -> Plan:
    actor = Actor(batch.user)
    with batch.file.open("rb") as handle:
        return plan_import(
            handle,
            actor=actor,
            kind=batch.kind,
            year=batch.year,
            source_name=batch.original_name,
            size=batch.size,
            progress=lambda done, total: _set_progress(batch.pk, done, total, base, span, note),
        )


def _store_problems(batch: ImportBatch, plan: Plan) -> None:
    batch.errors = [p.as_dict() for p in plan.errors]
    if plan.errors_dropped:
        batch.errors.append(
            {
                "sheet": None,
                "row": None,
                "column": None,
                "field": None,
                "message": f"另有 {plan.errors_dropped} 个错误未列出。",
                "text": f"另有 {plan.errors_dropped} 个错误未列出。",
            }
        )
    batch.warnings = [p.as_dict() for p in plan.warnings]


def build_preview(batch_id: int) -> ImportBatch:
    """Parse a pending batch and store its preview (or its errors). Safe to run twice."""
    claimed = update_logged(
        ImportBatch.objects.filter(pk=batch_id, status__in=[BatchStatus.PENDING, BatchStatus.PARSING]),
        status=BatchStatus.PARSING,
        progress=1,
        progress_note="正在读取文件",
        updated_at=timezone.now(),
    )
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if not claimed:
        return batch
    try:
        plan = _plan_batch(batch, base=1, span=89, note="正在读取并检查")
    except Exception:
        logger.exception("preview of import batch %s failed", batch_id)
        batch.status = BatchStatus.FAILED
        batch.errors = [Problem("读取文件时发生内部错误，请联系管理员。").as_dict()]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "errors", "finished_at", "updated_at"])
        return batch
    batch.preview = plan.preview()
    _store_problems(batch, plan)
    batch.status = BatchStatus.PREVIEW if plan.ok else BatchStatus.REJECTED
    batch.progress = 100
    batch.progress_note = "预览已生成" if plan.ok else "文件有错误，未导入"
    if not plan.ok:
        batch.finished_at = timezone.now()
    batch.save(
        update_fields=[
            "preview",
            "errors",
            "warnings",
            "status",
            "progress",
            "progress_note",
            "finished_at",
            "updated_at",
        ]
    )
    return batch


def confirm_batch(batch: ImportBatch) -> bool:
    """The user confirms the preview; True when the batch moved to 'confirmed'. A preview whose file was
    removed after the retention period (``clean_uploads``) cannot be confirmed: the import reads the file
    again. The condition is part of the UPDATE, so a confirmation and a cleanup racing on one batch
    cannot both win."""
    return bool(
        update_logged(
            ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.PREVIEW, file_removed_at__isnull=True),
            status=BatchStatus.CONFIRMED,
            progress=0,
            progress_note="等待导入",
            updated_at=timezone.now(),
        )
    )


# --- stuck batches --------------------------------------------------------------------------------

#: minutes without progress after which a running batch is taken for stuck (settings.INTAKE_STALE_MINUTES)
DEFAULT_STALE_MINUTES = 30


def stale_minutes() -> int:
    return max(1, int(getattr(settings, "INTAKE_STALE_MINUTES", DEFAULT_STALE_MINUTES)))


def stale_cutoff(now=None):
    """A running batch last updated before this moment is stuck (its worker died)."""
    return (now or timezone.now()) - timedelta(minutes=stale_minutes())


def stale_batches(now=None) -> QuerySet[ImportBatch]:
    """Batches a task should be working on (pending, parsing, confirmed, importing) without any
    progress for ``settings.INTAKE_STALE_MINUTES``: a worker killed while reading, or inside the
    writing transaction (which rolled back: nothing was written, only the batch still says
    "正在导入"). Every progress step updates ``updated_at``, so a live task is never among them."""
    return ImportBatch.objects.filter(status__in=ACTIVE_STATUSES, updated_at__lt=stale_cutoff(now))


def is_stale(batch: ImportBatch, now=None) -> bool:
    return batch.status in ACTIVE_STATUSES and batch.updated_at < stale_cutoff(now)


def retry_batch(batch: ImportBatch) -> str | None:
    """Start a stuck batch again: "preview" (to be read again: pending) or "import" (confirmed again,
    to be imported) — the caller queues the task; None when the batch is not stuck. The condition
    is part of the UPDATE: a live task's progress, or a retry from another page, wins the race."""
    stuck = stale_batches().filter(pk=batch.pk)
    now = timezone.now()
    note = "后台任务中断后重新开始"
    if update_logged(
        stuck.filter(status__in=[BatchStatus.CONFIRMED, BatchStatus.IMPORTING]),
        status=BatchStatus.CONFIRMED,
        progress=0,
        progress_note=note,
        updated_at=now,
    ):
        return "import"
    if update_logged(
        stuck.filter(status__in=[BatchStatus.PENDING, BatchStatus.PARSING]),
        status=BatchStatus.PENDING,
        progress=0,
        progress_note=note,
        updated_at=now,
    ):
        return "preview"
    return None


def cancel_batch(batch: ImportBatch) -> bool:
    """Cancel a preview, a batch not yet read, or a stuck batch (see :func:`stale_batches`). The upload
    of a stuck batch is deleted at once: nothing will read it again."""
    now = timezone.now()
    waiting = Q(status__in=[BatchStatus.PREVIEW, BatchStatus.PENDING])
    stuck = Q(status__in=ACTIVE_STATUSES, updated_at__lt=stale_cutoff(now))
    cancelled = bool(
        update_logged(
            ImportBatch.objects.filter(waiting | stuck, pk=batch.pk),
            status=BatchStatus.CANCELLED,
            finished_at=now,
            progress_note="已取消",
            updated_at=now,
        )
    )
    if cancelled and batch.status not in (BatchStatus.PREVIEW, BatchStatus.PENDING):
        remove_upload(batch.pk, now=now)
    return cancelled


def remove_upload(batch_id: int, *, now=None) -> bool:
    """Delete the stored workbook of a finished batch now (the row stays). False if it could not be
    deleted (kept for ``clean_uploads``) or was gone already."""
    now = now or timezone.now()
    name = ImportBatch.objects.filter(pk=batch_id).values_list("file", flat=True).first()
    claimed = ImportBatch.objects.filter(
        pk=batch_id, status__in=FINISHED_STATUSES, file_removed_at__isnull=True
    ).update(file="", file_removed_at=now, updated_at=now)
    if not claimed:
        return False
    if name:
        try:
            ImportBatch._meta.get_field("file").storage.delete(name)
        except OSError as exc:
            logger.warning("could not delete upload %s of import batch %s: %s", name, batch_id, exc)
            ImportBatch.objects.filter(pk=batch_id).update(file=name, file_removed_at=None)
            return False
    return True


@dataclass
class BatchImport:
    """What :func:`run_batch_import` did: the batch as it now is, and whether this call wrote it."""

    batch: ImportBatch
    written: bool = False

    @property
    def feeds_library(self) -> bool:
        """This call wrote goals: the caller queues ``tasks.queue_library_update`` (see ``Plan``)."""
        return self.written and self.batch.kind == ImportKind.GOALS

    @property
    def project_ids(self) -> list[int]:
        """The projects this import created, replaced or filled in."""
        result = self.batch.result or {}
        return [pk for part in ("created", "replaced", "results") for pk in result.get(part, [])]


def run_batch_import(batch_id: int) -> BatchImport:
    """Import a confirmed batch: read the file again, check again, write it all or nothing.

    Idempotent: the batch row is locked inside the writing transaction and the status must still be
    'confirmed' or 'importing' (a crashed run leaves 'importing' with nothing written); a batch
    already imported is returned as it is, ``written`` False.
    """
    moved = update_logged(
        ImportBatch.objects.filter(pk=batch_id, status__in=[BatchStatus.CONFIRMED, BatchStatus.IMPORTING]),
        status=BatchStatus.IMPORTING,
        progress=1,
        progress_note="正在读取文件",
        updated_at=timezone.now(),
    )
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if not moved:
        return BatchImport(batch)
    actor = Actor(batch.user)
    try:
        plan = _plan_batch(batch, base=1, span=69, note="正在重新检查")
        ImportBatch.objects.filter(pk=batch_id).update(progress=75, progress_note="正在写入数据库")
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if locked.status != BatchStatus.IMPORTING:
                return BatchImport(locked)
            report = apply_plan(plan, actor=actor)
            locked.status = BatchStatus.DONE
            locked.result = report.as_dict() | {"text": report.text()}
            locked.progress = 100
            locked.progress_note = "导入完成"
            locked.finished_at = timezone.now()
            locked.warnings = [p.as_dict() for p in plan.warnings]
            locked.save(
                update_fields=[
                    "status",
                    "result",
                    "progress",
                    "progress_note",
                    "finished_at",
                    "warnings",
                    "updated_at",
                ]
            )
            return BatchImport(locked, written=True)
    except ImportRefused as exc:
        batch.status = BatchStatus.REJECTED
        batch.errors = [p.as_dict() for p in exc.problems]
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        batch.status = BatchStatus.FAILED
        batch.errors = [Problem("导入时发生内部错误，没有写入任何数据。请联系管理员。").as_dict()]
    batch.progress = 100
    batch.progress_note = "未导入"
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "errors", "progress", "progress_note", "finished_at", "updated_at"])
    return BatchImport(batch)


def batches_for(user) -> QuerySet[ImportBatch]:
    """The batches a user may look at: their own."""
    return ImportBatch.objects.filter(user=user)


# --- removing old uploads -------------------------------------------------------------------------

#: days an uploaded workbook is kept after its batch finished (settings.IMPORT_UPLOAD_RETENTION_DAYS)
DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    return int(getattr(settings, "IMPORT_UPLOAD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


@dataclass
class CleanupReport:
    """What :func:`clean_uploads` removed (or, in a dry run, would remove)."""

    days: int
    cutoff: Any
    dry_run: bool = False
    removed: list[int] = field(default_factory=list)  # batch ids
    bytes: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (batch id, reason): kept for the next run

    def text(self) -> str:
        verb = "将清理" if self.dry_run else "已清理"
        text = (
            f"{verb} {len(self.removed)} 个导入批次的上传文件（共 {self.bytes / 1024 / 1024:.1f} MB），"
            f"保留期限 {self.days} 天（{timezone.localtime(self.cutoff):%Y-%m-%d %H:%M} 之前）。"
        )
        if self.failed:
            text += f"{len(self.failed)} 个文件删除失败，下次运行时重试。"
        return text


def expired_batches(cutoff) -> QuerySet[ImportBatch]:
    """Batches whose uploaded file may go: finished (imported, cancelled, failed, refused) before
    ``cutoff``, or left at the preview without a confirmation since before ``cutoff``. Batches a task
    is working on (pending, parsing, confirmed, importing) are never among them, whatever their age."""
    finished = Q(status__in=FINISHED_STATUSES) & (
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, updated_at__lt=cutoff)
    )
    abandoned = Q(status=BatchStatus.PREVIEW, updated_at__lt=cutoff)
    return ImportBatch.objects.filter(file_removed_at__isnull=True).filter(finished | abandoned)


def clean_uploads(*, days: int | None = None, dry_run: bool = False, now=None) -> CleanupReport:
    """Delete the stored workbooks of batches finished (or abandoned at the preview) more than ``days``
    (default ``settings.IMPORT_UPLOAD_RETENTION_DAYS``) ago. The batch rows stay, with their preview,
    errors and result; ``file`` is emptied and ``file_removed_at`` set, so the batch page says the file
    is gone and a preview can no longer be confirmed. ``dry_run`` only reports.

    Each batch is claimed by a conditional UPDATE before its file is deleted: a preview confirmed in
    the meantime is no longer a candidate and keeps its file. A file that cannot be deleted is put back
    on the row, to be tried again on the next run. Safe to run twice and from several processes.
    """
    days = retention_days() if days is None else int(days)
    if days < 1:
        raise ValueError("保留天数至少为 1 天。")
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    report = CleanupReport(days=days, cutoff=cutoff, dry_run=dry_run)
    candidates = list(expired_batches(cutoff).order_by("pk").values_list("pk", "file", "size"))
    for pk, name, size in candidates:
        if dry_run:
            report.removed.append(pk)
            report.bytes += size
            continue
        claimed = expired_batches(cutoff).filter(pk=pk).update(file="", file_removed_at=now, updated_at=now)
        if not claimed:
            continue  # confirmed, cleaned or deleted meanwhile
        if name:
            storage = ImportBatch._meta.get_field("file").storage
            try:
                storage.delete(name)  # a file already missing is not an error
            except Exception as exc:  # noqa: BLE001 - OSError on a disk, botocore's errors on S3
                logger.warning("could not delete upload %s of import batch %s: %s", name, pk, exc)
                ImportBatch.objects.filter(pk=pk).update(file=name, file_removed_at=None)
                report.failed.append((pk, str(exc)))
                continue
        report.removed.append(pk)
        report.bytes += size
    if not dry_run and report.removed:
        logger.info("import uploads: %s", report.text())
    return report
