"""Celery tasks of the intake app. Each takes a primary key, re-reads, calls a service, stores its
progress in the database, and is safe to run twice (see ``services.build_preview`` and
``services.run_batch_import``). ``intake.clean_uploads`` runs daily from Celery beat
(``CELERY_BEAT_SCHEDULE`` in the settings)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="intake.preview_batch")
def preview_batch(batch_id: int) -> dict:
    """Parse an uploaded workbook and store its preview (or its errors)."""
    batch = services.build_preview(batch_id)
    return {"batch_id": batch_id, "status": batch.status}


@shared_task(name="intake.import_batch")
def import_batch(batch_id: int) -> dict:
    """Import a confirmed workbook in one transaction."""
    batch = services.run_batch_import(batch_id)
    return {"batch_id": batch_id, "status": batch.status}


@shared_task(name="intake.rebuild_library")
def rebuild_library() -> dict:
    """Rebuild the indicator library from the projects (after an import)."""
    report = services.build_library()
    return {
        "created": report.created,
        "updated": report.updated,
        "removed": report.removed,
        "total": report.total,
    }


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
