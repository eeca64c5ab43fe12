"""Celery tasks of the intake app, and the only place of the app that queues work.

Each task takes a primary key, re-reads, calls a service, stores its progress in the database, and
is safe to run twice (see ``services.build_preview`` and ``services.run_batch_import``).
``intake.clean_uploads`` runs daily from Celery beat (``CELERY_BEAT_SCHEDULE`` in the settings).

The services never import this module (that was an import cycle): they say what calls for more work
(``Plan.feeds_library``, ``BatchImport.feeds_library``) and their callers — the views, the management
commands, the tasks here — queue it through the ``queue_*`` functions below. Each queues on the commit
of the current transaction (at once outside one), so a task never reads rows not yet committed; under
``CELERY_TASK_ALWAYS_EAGER`` the task then runs in-process at that moment.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from . import services
from .models import ImportBatch


@shared_task(name="intake.preview_batch")
def preview_batch(batch_id: int) -> dict:
    """Parse an uploaded workbook and store its preview (or its errors)."""
    batch = services.build_preview(batch_id)
    return {"batch_id": batch_id, "status": batch.status}


@shared_task(name="intake.import_batch")
def import_batch(batch_id: int) -> dict:
    """Import a confirmed workbook in one transaction."""
    run = services.run_batch_import(batch_id)
    if run.feeds_library:
        queue_library_update(run.project_ids)
    return {"batch_id": batch_id, "status": run.batch.status}


def _library_report(report: services.LibraryReport) -> dict:
    return {
        "created": report.created,
        "updated": report.updated,
        "removed": report.removed,
        "total": report.total,
    }


@shared_task(name="intake.update_library")
def update_library(project_ids: list[int]) -> dict:
    """Update the library entries these projects' indicators touch (after an import or a submission)."""
    return _library_report(services.update_library(project_ids))


@shared_task(name="intake.rebuild_library")
def rebuild_library() -> dict:
    """Rebuild the whole indicator library from the projects (nightly from beat, or by hand)."""
    return _library_report(services.build_library())


@shared_task(name="intake.clean_uploads")
def clean_uploads(days: int | None = None, dry_run: bool = False) -> dict:
    """Delete uploaded workbooks kept longer than the retention period (the batches stay)."""
    report = services.clean_uploads(days=days, dry_run=dry_run)
    return {
        "days": report.days,
        "dry_run": report.dry_run,
        "removed": len(report.removed),
        "bytes": report.bytes,
        "failed": len(report.failed),
        "text": report.text(),
    }


# --- queueing -------------------------------------------------------------------------------------


def queue_preview(batch: ImportBatch) -> None:
    """Parse a stored upload by a task once the current transaction commits."""
    transaction.on_commit(lambda: preview_batch.delay(batch.pk))


def queue_import(batch: ImportBatch) -> None:
    """Import a confirmed batch by a task once the current transaction commits."""
    transaction.on_commit(lambda: import_batch.delay(batch.pk))


def queue_library_update(project_ids: list[int]) -> None:
    """Update the library entries of these projects by a task once the current transaction commits."""
    ids = list(project_ids)
    if ids:
        transaction.on_commit(lambda: update_library.delay(ids))
