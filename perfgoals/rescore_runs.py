"""Runs of the bulk rescoring: a scope cut into chunks that any worker, on any host, may take.

A run (`RescoreRun`) is a scope — a region and/or a year, optionally one scoring scheme — with who
started it, when, its status and counts; its chunks (`RescoreChunk`) hold the project ids each task
rescores with `perfgoals.rescore.rescore_projects` in ONE transaction, with the history reason
"批量重算 #<run id>".

    plan_run(...)        the run and all of its chunks, in one transaction
    run_chunk(id)        one chunk: skipped when done, else rescored and marked done (idempotent)
    chunk_failed(id, e)  the error recorded on the chunk: pending while a retry comes, else failed
    settle_run(id)       the run done (or failed) once no chunk is pending or running; counts summed
    reopen_run(id)       failed, stale-running and pending chunks back to pending (``--resume``)
    stale_chunks()       chunks left "running" by a dead worker (beat requeues them)
    run_progress(run)    done / total, for the command's progress line and the admin
    run_in_processes()   the same chunks in a local multiprocessing pool (no Redis needed)

Locking. Only the chunk's own row is locked (``select_for_update``), for as long as its transaction
rescores it; the run's row is never locked by a chunk — locking it serialised the workers (77 % of
the connection samples of a 3-worker run waited on that one lock). A second delivery of a chunk
being worked on finds its row locked and returns at once (``skip_locked``); a delivery after the
first has committed finds it done and skips it. A chunk whose worker died keeps the status
"running" from its first, short transaction while the work's transaction was rolled back: no row
lock is held on it any more, and after `STALE_AFTER` it is stale; `reopen_run` and the periodic
`requeue_stale_chunks` set it pending again (again skipping locked rows, so a slow but living
worker's chunk is never taken from it).

Only `perfgoals.tasks` queues work; this module queues nothing.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import Evaluation, RescoreChunk, RescoreRun
from .rescore import rescore_projects

#: a chunk "running" for longer than this has lost its worker (a chunk of 500 projects takes seconds)
STALE_AFTER = timedelta(seconds=getattr(settings, "RESCORE_STALE_SECONDS", 15 * 60))
#: the error text kept on a chunk (the traceback's last line is enough to act on)
ERROR_LIMIT = 2000

UNFINISHED = (RescoreChunk.Status.PENDING, RescoreChunk.Status.RUNNING)


def reason_of(run_id: int) -> str:
    """The history's change reason of every score a run changes."""
    return f"批量重算 #{run_id}"


def plan_run(
    *,
    region=None,
    year: int | None = None,
    scheme=None,
    chunk: int = 500,
    history: bool = True,
    mode: str = RescoreRun.Mode.PROCESSES,
    user=None,
    origin: str = "",
) -> RescoreRun:
    """Create a run of every evaluated project-year of the scope, cut into chunks of ``chunk`` ids.

    An operator's action (a command, an administrator): no user scope narrows it. The run and its
    chunks are written in one transaction; nothing is rescored yet.
    """
    if chunk < 1:
        raise ValueError("每块项目数必须大于 0。")
    evaluations = Evaluation.objects.all()
    if region is not None:
        evaluations = evaluations.filter(project__region=region)
    if year is not None:
        evaluations = evaluations.filter(project__year=year)
    if scheme is not None:
        evaluations = evaluations.filter(scheme=scheme)
    ids = sorted(evaluations.values_list("project_id", flat=True))
    with transaction.atomic():
        run = RescoreRun.objects.create(
            region=region,
            year=year,
            scheme=scheme,
            history=history,
            mode=mode,
            requested_by=user,
            origin=origin[:200],
            projects=len(ids),
            chunk_count=(len(ids) + chunk - 1) // chunk,
        )
        RescoreChunk.objects.bulk_create(
            RescoreChunk(run=run, number=number, project_ids=ids[start : start + chunk])
            for number, start in enumerate(range(0, len(ids), chunk), start=1)
        )
        if not ids:
            settle_run(run.pk)
            run.refresh_from_db()
    return run


def pending_chunk_ids(run_id: int) -> list[int]:
    return list(
        RescoreChunk.objects.filter(run_id=run_id, status=RescoreChunk.Status.PENDING)
        .order_by("number")
        .values_list("pk", flat=True)
    )


def mark_queued(chunk_ids: list[int]) -> None:
    RescoreChunk.objects.filter(pk__in=chunk_ids).update(queued_at=timezone.now())


@dataclass
class ChunkOutcome:
    """What `run_chunk` did: "done" (rescored now), "skipped" (done before), "busy" (another worker
    holds it), "missing" (the run was deleted)."""

    chunk_id: int
    outcome: str
    indicators_changed: int = 0
    evaluations_changed: int = 0

    def as_dict(self) -> dict:
        return {
            "chunk_id": self.chunk_id,
            "outcome": self.outcome,
            "indicators_changed": self.indicators_changed,
            "evaluations_changed": self.evaluations_changed,
        }


def run_chunk(chunk_id: int) -> ChunkOutcome:
    """Rescore one chunk, once.

    First a short transaction marks it running (attempts + 1, started_at), visible to the progress
    display and to stale detection; then one transaction locks the chunk's row, rescores its projects
    and marks it done with its counts. An exception rolls the rescoring back and leaves the chunk
    "running" for the caller to record (`chunk_failed`).
    """
    with transaction.atomic():
        chunk = _locked(chunk_id)
        if chunk is None:
            return _absent(chunk_id)
        if chunk.status == RescoreChunk.Status.DONE:
            return ChunkOutcome(chunk_id, "skipped")
        chunk.status = RescoreChunk.Status.RUNNING
        chunk.attempts += 1
        chunk.started_at = timezone.now()
        chunk.save(update_fields=["status", "attempts", "started_at"])
    with transaction.atomic():
        chunk = _locked(chunk_id)
        if chunk is None:
            return _absent(chunk_id)
        if chunk.status == RescoreChunk.Status.DONE:
            return ChunkOutcome(chunk_id, "skipped")
        history = RescoreRun.objects.filter(pk=chunk.run_id).values_list("history", flat=True).get()
        ids = chunk.project_ids
        stats = rescore_projects(ids, chunk=max(len(ids), 1), history=history, label=f"#{chunk.run_id}")
        chunk.status = RescoreChunk.Status.DONE
        chunk.finished_at = timezone.now()
        chunk.projects = stats.projects
        chunk.indicators = stats.indicators
        chunk.indicators_changed = stats.indicators_changed
        chunk.evaluations_changed = stats.evaluations_changed
        chunk.error = ""
        chunk.save(
            update_fields=[
                "status",
                "finished_at",
                "projects",
                "indicators",
                "indicators_changed",
                "evaluations_changed",
                "error",
            ]
        )
    return ChunkOutcome(chunk_id, "done", stats.indicators_changed, stats.evaluations_changed)


def _locked(chunk_id: int) -> RescoreChunk | None:
    """The chunk's row locked for this transaction; None when another transaction holds it (or it is
    gone — `_absent` tells them apart)."""
    # of=("self",) and no ordering: a join (the model's ordering by its run would add one) would lock
    # the run's row as well and serialise every worker on it
    rows = RescoreChunk.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=chunk_id)
    return rows.order_by("pk").first()


def _absent(chunk_id: int) -> ChunkOutcome:
    if RescoreChunk.objects.filter(pk=chunk_id).exists():
        return ChunkOutcome(chunk_id, "busy")
    return ChunkOutcome(chunk_id, "missing")


def chunk_failed(chunk_id: int, error: BaseException | str, *, retrying: bool = False) -> None:
    """Record a chunk's failure with the error's text: pending again while a retry is coming (the run
    is not finished), else failed (until ``--resume``). A done chunk is left alone."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    status = RescoreChunk.Status.PENDING if retrying else RescoreChunk.Status.FAILED
    RescoreChunk.objects.filter(pk=chunk_id).exclude(status=RescoreChunk.Status.DONE).update(
        status=status, error=text[:ERROR_LIMIT], finished_at=None if retrying else timezone.now()
    )


def settle_run(run_id: int) -> RescoreRun | None:
    """Sum the chunks' counts into the run and, once no chunk is pending or running, finish it: done
    when every chunk is done, failed when any failed. Safe to call any number of times, from any
    worker (no lock on the run: one conditional UPDATE)."""
    figures = RescoreChunk.objects.filter(run_id=run_id).aggregate(
        unfinished=Count("pk", filter=Q(status__in=UNFINISHED)),
        failed=Count("pk", filter=Q(status=RescoreChunk.Status.FAILED)),
        indicators=Sum("indicators"),
        indicators_changed=Sum("indicators_changed"),
        evaluations_changed=Sum("evaluations_changed"),
    )
    counts = {
        name: figures[name] or 0 for name in ("indicators", "indicators_changed", "evaluations_changed")
    }
    runs = RescoreRun.objects.filter(pk=run_id)
    if figures["unfinished"]:
        runs.update(**counts)
    else:
        status = RescoreRun.Status.FAILED if figures["failed"] else RescoreRun.Status.DONE
        runs.update(status=status, finished_at=timezone.now(), **counts)
    return runs.first()


def stale_chunks(now=None):
    """Chunks "running" for longer than `STALE_AFTER` (their worker died: the work rolled back)."""
    now = now or timezone.now()
    return RescoreChunk.objects.filter(status=RescoreChunk.Status.RUNNING, started_at__lt=now - STALE_AFTER)


def reopen_run(run_id: int, *, now=None) -> list[int]:
    """For ``--resume``: the run's failed, stale-running and pending chunks set pending (rows another
    transaction holds — a living worker's chunk — are skipped), the run running again. Returns the
    pending chunks' ids, for the caller to queue or run."""
    now = now or timezone.now()
    with transaction.atomic():
        reopen = (
            RescoreChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .filter(run_id=run_id)
            .filter(
                Q(status=RescoreChunk.Status.FAILED)
                | Q(status=RescoreChunk.Status.RUNNING, started_at__lt=now - STALE_AFTER)
            )
        )
        ids = list(reopen.values_list("pk", flat=True))
        RescoreChunk.objects.filter(pk__in=ids).update(status=RescoreChunk.Status.PENDING)
        if RescoreChunk.objects.filter(run_id=run_id, status__in=UNFINISHED).exists():
            RescoreRun.objects.filter(pk=run_id).update(status=RescoreRun.Status.RUNNING, finished_at=None)
    return pending_chunk_ids(run_id)


def reopen_stale(*, now=None) -> list[int]:
    """For the periodic task: every stale-running chunk set pending again, and every pending chunk
    queued longer ago than `STALE_AFTER` (its message lost with a broker restart); returns their ids.
    A duplicate delivery is harmless (a done chunk is skipped, a held one is busy)."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            stale_chunks(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .values_list("pk", flat=True)
        )
        RescoreChunk.objects.filter(pk__in=stale).update(status=RescoreChunk.Status.PENDING)
        lost = list(
            RescoreChunk.objects.filter(status=RescoreChunk.Status.PENDING, queued_at__lt=now - STALE_AFTER)
            .exclude(pk__in=stale)
            .values_list("pk", flat=True)
        )
    return sorted(stale + lost)


def run_progress(run: RescoreRun | int) -> dict:
    """How far a run is: chunks by status, projects done, and the percentage (of chunks settled)."""
    run_id = run if isinstance(run, int) else run.pk
    figures = RescoreChunk.objects.filter(run_id=run_id).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=RescoreChunk.Status.DONE)),
        failed=Count("pk", filter=Q(status=RescoreChunk.Status.FAILED)),
        running=Count("pk", filter=Q(status=RescoreChunk.Status.RUNNING)),
        pending=Count("pk", filter=Q(status=RescoreChunk.Status.PENDING)),
        projects_done=Sum("projects", filter=Q(status=RescoreChunk.Status.DONE)),
    )
    figures["projects_done"] = figures["projects_done"] or 0
    figures["settled"] = figures["done"] + figures["failed"]
    figures["percent"] = 100 if not figures["total"] else figures["settled"] * 100 // figures["total"]
    figures["finished"] = figures["settled"] == figures["total"]
    return figures


def progress_text(figures: dict) -> str:
    text = f"进度 {figures['settled']}/{figures['total']} 块（{figures['percent']}%），已完成项目 {figures['projects_done']} 个"
    if figures["running"]:
        text += f"，进行中 {figures['running']} 块"
    if figures["failed"]:
        text += f"，失败 {figures['failed']} 块"
    return text


def _run_chunk_recording(chunk_id: int) -> ChunkOutcome:
    """`run_chunk`, its failure recorded on the chunk instead of raised (the in-process path does not
    retry: ``--resume`` does)."""
    try:
        return run_chunk(chunk_id)
    except Exception as exc:  # noqa: BLE001 — recorded on the chunk, reported by the command
        chunk_failed(chunk_id, exc)
        return ChunkOutcome(chunk_id, "failed")


def run_in_processes(
    run: RescoreRun | int, *, workers: int = 1, chunk_ids: list[int] | None = None
) -> RescoreRun:
    """The run's pending chunks in ``workers`` local processes (forked; the parent's connections are
    closed first so each child opens its own), chunks handed out as they finish; then settled. The
    path for a setup without Redis; one process runs them in this one."""
    run_id = run if isinstance(run, int) else run.pk
    ids = pending_chunk_ids(run_id) if chunk_ids is None else chunk_ids
    if workers <= 1 or len(ids) <= 1:
        for chunk_id in ids:
            _run_chunk_recording(chunk_id)
    else:
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for _outcome in pool.imap_unordered(_run_chunk_recording, ids):
                pass
    return settle_run(run_id)
