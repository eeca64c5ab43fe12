"""Celery tasks of the intake app. Each takes a primary key, re-reads, calls a service, stores its
progress in the database, and is safe to run twice (see ``services.build_preview`` and
``services.run_batch_import``)."""

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
    return {"created": report.created, "updated": report.updated, "removed": report.removed, "total": report.total}
