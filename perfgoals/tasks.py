"""Celery tasks of perfgoals, and the one place that queues rescoring. Each task takes primary keys,
re-reads, calls a service, and is safe to run twice."""

from __future__ import annotations

from celery import group, shared_task
from django.db import transaction

from projects.models import Project

from . import rescore_runs
from .models import RescoreChunk, RescoreRun
from .scoring import recompute

#: seconds before the 1st, 2nd and 3rd retry of a failed chunk
RETRY_COUNTDOWNS = (5, 10, 20)


@shared_task(name="perfgoals.recompute_project")
def recompute_project(project_id: int) -> dict:
    """Rescore one project-year; returns its total and grade (as strings, for the JSON backend)."""
    project = Project.objects.select_related("unit__department").get(pk=project_id)
    result = recompute(project)
    return {
        "project_id": project_id,
        "total": str(result.total) if result.total is not None else None,
        "grade": result.grade or "",
    }


def queue_rescore(run: RescoreRun | int, chunk_ids: list[int] | None = None) -> None:
    """After the transaction commits, queue the run's pending chunks (or ``chunk_ids``) as one Celery
    group: one task a chunk, spread over every worker of every host (in-process without Redis)."""
    run_id = run if isinstance(run, int) else run.pk

    def send() -> None:
        ids = rescore_runs.pending_chunk_ids(run_id) if chunk_ids is None else chunk_ids
        if not ids:
            rescore_runs.settle_run(run_id)
            return
        rescore_runs.mark_queued(ids)
        group(rescore_run_chunk.si(chunk_id) for chunk_id in ids).apply_async()

    transaction.on_commit(send)


@shared_task(bind=True, name="perfgoals.rescore_run_chunk", acks_late=True, max_retries=len(RETRY_COUNTDOWNS))
def rescore_run_chunk(self, chunk_id: int) -> dict:
    """Rescore one chunk of a run (`rescore_runs.run_chunk`: a done chunk is skipped, a chunk another
    worker holds is left to it), retried 3 times (after 5, 10, 20 s); after the last failure the chunk
    stays failed for ``rescore --resume``. The run settles when its last chunk does."""
    retries = self.request.retries or 0
    while True:
        try:
            outcome = rescore_runs.run_chunk(chunk_id)
            break
        except Exception as exc:
            retrying = retries < len(RETRY_COUNTDOWNS)
            rescore_runs.chunk_failed(chunk_id, exc, retrying=retrying)
            if not retrying:
                _settle_chunk_run(chunk_id)
                return {"chunk_id": chunk_id, "outcome": "failed", "error": f"{type(exc).__name__}: {exc}"}
            if self.request.is_eager:  # no broker to wait in (no Redis): again at once, here
                retries += 1
                continue
            raise self.retry(exc=exc, countdown=RETRY_COUNTDOWNS[retries]) from exc
    if outcome.outcome != "missing":
        _settle_chunk_run(chunk_id)
    return outcome.as_dict()


def _settle_chunk_run(chunk_id: int) -> None:
    run_id = RescoreChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).first()
    if run_id is not None:
        rescore_runs.settle_run(run_id)


@shared_task(name="perfgoals.requeue_stale_rescores")
def requeue_stale_rescores() -> dict:
    """Periodic (beat): chunks left running by a dead worker, or queued and lost, queued again."""
    ids = rescore_runs.reopen_stale()
    if ids:
        rescore_runs.mark_queued(ids)
        group(rescore_run_chunk.si(chunk_id) for chunk_id in ids).apply_async()
    return {"requeued": ids}
