"""Runs of the bulk rescoring: planned in chunks, each chunk rescored once (idempotent), failures
retried and recorded, resumable, stale chunks detected, progress for the command and the admin."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from perfgoals import rescore_runs, tasks
from perfgoals.models import Evaluation, Indicator, RescoreChunk, RescoreRun, ScoreChange, ScoringScheme
from projects.models import Project, Region

pytestmark = pytest.mark.django_db


def _unscore(projects=None) -> None:
    evaluations = (
        Evaluation.objects.all() if projects is None else Evaluation.objects.filter(project__in=projects)
    )
    indicators = (
        Indicator.objects.all() if projects is None else Indicator.objects.filter(project__in=projects)
    )
    indicators.update(score=None)
    evaluations.update(total_score=None, grade="")


def test_a_plan_cuts_the_scope_into_chunks_in_one_transaction(demo):
    run = rescore_runs.plan_run(chunk=7, origin="测试")
    assert run.projects == Evaluation.objects.count() == 49
    assert run.chunk_count == 7 and run.status == RescoreRun.Status.RUNNING
    chunks = list(run.chunks.order_by("number"))
    assert [c.number for c in chunks] == list(range(1, 8))
    assert {c.status for c in chunks} == {RescoreChunk.Status.PENDING}
    ids = [pid for c in chunks for pid in c.project_ids]
    assert ids == sorted(Evaluation.objects.values_list("project_id", flat=True))

    region = Region.objects.get(name="烟台市")
    narrow = rescore_runs.plan_run(region=region, year=2019)
    assert narrow.projects == 3 and narrow.chunk_count == 1
    assert narrow.scope_label == "烟台市 · 2019 年度"
    scheme = ScoringScheme.objects.exclude(evaluation__isnull=True).first()
    by_scheme = rescore_runs.plan_run(scheme=scheme)
    assert by_scheme.projects == Evaluation.objects.filter(scheme=scheme).count()


def test_an_empty_scope_is_done_at_once(demo):
    run = rescore_runs.plan_run(year=1990)
    assert run.projects == 0 and run.chunk_count == 0 and run.status == RescoreRun.Status.DONE


def test_a_run_rescores_every_chunk_with_the_runs_reason_and_settles(demo):
    _unscore()
    run = rescore_runs.plan_run(chunk=10)
    run = rescore_runs.run_in_processes(run)

    assert run.status == RescoreRun.Status.DONE and run.finished_at is not None
    assert set(run.chunks.values_list("status", flat=True)) == {RescoreChunk.Status.DONE}
    assert run.indicators == Indicator.objects.count()
    assert run.evaluations_changed == Evaluation.objects.filter(total_score__isnull=False).count() > 0
    assert run.indicators_changed == Indicator.objects.filter(score__isnull=False).count() > 0
    assert not Evaluation.objects.filter(total_score__isnull=True).exclude(project__indicators=None).exists()
    reasons = set(ScoreChange.objects.filter(changed_at__gte=run.created_at).values_list("reason", flat=True))
    assert reasons == {f"批量重算 #{run.pk}"}
    assert sum(len(row.changes) for row in ScoreChange.objects.all()) == run.indicators_changed
    assert not Indicator.history.filter(history_date__gte=run.created_at).exists()
    assert set(run.chunks.values_list("attempts", flat=True)) == {1}
    progress = rescore_runs.run_progress(run)
    assert progress["done"] == progress["total"] == 5 and progress["percent"] == 100 and progress["finished"]
    assert progress["projects_done"] == 49


def test_a_done_chunk_is_skipped_when_delivered_again(demo):
    _unscore()
    run = rescore_runs.plan_run(chunk=50)
    (chunk,) = run.chunks.all()
    first = rescore_runs.run_chunk(chunk.pk)
    assert first.outcome == "done" and first.indicators_changed > 0
    history = Indicator.history.count() + Evaluation.history.count()
    _unscore()  # even if the scores moved since, a delivered-again chunk does not redo its work

    again = rescore_runs.run_chunk(chunk.pk)
    assert again.outcome == "skipped"
    assert Indicator.history.count() + Evaluation.history.count() == history
    chunk.refresh_from_db()
    assert chunk.attempts == 1 and chunk.status == RescoreChunk.Status.DONE
    assert tasks.rescore_run_chunk.apply(args=[chunk.pk]).get()["outcome"] == "skipped"
    assert rescore_runs.run_chunk(10**9).outcome == "missing"


def test_progress_counts_chunks_by_status(demo):
    run = rescore_runs.plan_run(chunk=10)
    first, second, *_ = run.chunks.order_by("number")
    rescore_runs.run_chunk(first.pk)
    RescoreChunk.objects.filter(pk=second.pk).update(
        status=RescoreChunk.Status.RUNNING, started_at=timezone.now()
    )
    progress = rescore_runs.run_progress(run.pk)
    assert progress == {
        "total": 5,
        "done": 1,
        "failed": 0,
        "running": 1,
        "pending": 3,
        "projects_done": 10,
        "settled": 1,
        "percent": 20,
        "finished": False,
    }
    assert rescore_runs.progress_text(progress) == "进度 1/5 块（20%），已完成项目 10 个，进行中 1 块"
    assert rescore_runs.settle_run(run.pk).status == RescoreRun.Status.RUNNING


def test_a_failing_chunk_is_retried_and_then_done(demo, monkeypatch):
    run = rescore_runs.plan_run(chunk=50)
    (chunk,) = run.chunks.all()
    real = rescore_runs.rescore_projects
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("数据库连接中断")
        return real(*args, **kwargs)

    monkeypatch.setattr(rescore_runs, "rescore_projects", flaky)
    result = tasks.rescore_run_chunk.apply(args=[chunk.pk]).get()

    assert result["outcome"] == "done" and len(calls) == 3
    chunk.refresh_from_db()
    assert chunk.status == RescoreChunk.Status.DONE and chunk.attempts == 3 and chunk.error == ""
    run.refresh_from_db()
    assert run.status == RescoreRun.Status.DONE


def test_a_chunk_failing_every_retry_fails_the_run_and_resume_finishes_it(demo, monkeypatch):
    _unscore()
    run = rescore_runs.plan_run(chunk=25)
    first, second = run.chunks.order_by("number")
    real = rescore_runs.rescore_projects

    def broken(ids, **kwargs):
        if ids == second.project_ids:
            raise ValueError("评分方案参数无效")
        return real(ids, **kwargs)

    monkeypatch.setattr(rescore_runs, "rescore_projects", broken)
    assert tasks.rescore_run_chunk.apply(args=[first.pk]).get()["outcome"] == "done"
    result = tasks.rescore_run_chunk.apply(args=[second.pk]).get()

    assert result["outcome"] == "failed"
    second.refresh_from_db()
    assert second.status == RescoreChunk.Status.FAILED and second.attempts == 4  # 1 + 3 retries
    assert second.error == "ValueError: 评分方案参数无效"
    run.refresh_from_db()
    assert run.status == RescoreRun.Status.FAILED and run.finished_at is not None
    # the failed chunk changed nothing: its transaction rolled back
    assert not Evaluation.objects.filter(
        project_id__in=second.project_ids, total_score__isnull=False
    ).exists()

    monkeypatch.setattr(rescore_runs, "rescore_projects", real)
    out = StringIO()
    call_command("rescore", "--resume", str(run.pk), stdout=out)
    assert f"继续批量重算 #{run.pk}" in out.getvalue() and "待处理 1 块" in out.getvalue()
    run.refresh_from_db()
    second.refresh_from_db()
    assert run.status == RescoreRun.Status.DONE and second.status == RescoreChunk.Status.DONE
    assert second.attempts == 5
    assert Evaluation.objects.filter(project_id__in=second.project_ids, total_score__isnull=False).exists()
    first.refresh_from_db()
    assert first.attempts == 1  # the done chunk was not touched again


def test_a_chunk_left_running_by_a_dead_worker_is_stale_and_requeued(demo, settings):
    _unscore()
    run = rescore_runs.plan_run(chunk=25)
    dead, fresh = run.chunks.order_by("number")
    long_ago = timezone.now() - rescore_runs.STALE_AFTER - timedelta(minutes=1)
    RescoreChunk.objects.filter(pk=dead.pk).update(
        status=RescoreChunk.Status.RUNNING, attempts=1, started_at=long_ago
    )
    RescoreChunk.objects.filter(pk=fresh.pk).update(
        status=RescoreChunk.Status.RUNNING, attempts=1, started_at=timezone.now()
    )
    assert list(rescore_runs.stale_chunks().values_list("pk", flat=True)) == [dead.pk]
    assert rescore_runs.run_progress(run)["finished"] is False

    result = tasks.requeue_stale_rescores.apply().get()  # the beat's task; eager here

    assert result == {"requeued": [dead.pk]}
    dead.refresh_from_db()
    fresh.refresh_from_db()
    if not settings.REDIS_URL:  # run at once in eager mode; with Redis it waits for a worker
        assert dead.status == RescoreChunk.Status.DONE and dead.attempts == 2
    else:
        assert dead.status == RescoreChunk.Status.PENDING and dead.queued_at is not None
    assert fresh.status == RescoreChunk.Status.RUNNING  # a living worker's chunk is left to it
    # a pending chunk whose message was lost long ago is queued again too
    RescoreChunk.objects.filter(pk=fresh.pk).update(status=RescoreChunk.Status.PENDING, queued_at=long_ago)
    assert rescore_runs.reopen_stale() == [fresh.pk]


def test_resume_leaves_a_recent_running_chunk_alone(demo):
    run = rescore_runs.plan_run(chunk=25)
    first, second = run.chunks.order_by("number")
    RescoreChunk.objects.filter(pk=first.pk).update(
        status=RescoreChunk.Status.RUNNING, started_at=timezone.now()
    )
    RescoreChunk.objects.filter(pk=second.pk).update(status=RescoreChunk.Status.FAILED, error="x")
    assert rescore_runs.reopen_run(run.pk) == [second.pk]
    assert RescoreChunk.objects.get(pk=first.pk).status == RescoreChunk.Status.RUNNING


def test_queue_rescore_sends_a_group_only_after_the_commit(
    demo, settings, django_capture_on_commit_callbacks
):
    if settings.REDIS_URL:
        pytest.skip("eager mode is only on without REDIS_URL")
    _unscore()
    run = rescore_runs.plan_run(chunk=20)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.queue_rescore(run)
    assert len(callbacks) == 1 and rescore_runs.run_progress(run)["done"] == 0
    callbacks[0]()
    run.refresh_from_db()
    assert run.status == RescoreRun.Status.DONE and run.chunk_count == 3
    assert not run.chunks.filter(queued_at__isnull=True).exists()


def test_the_command_over_celery_waits_and_prints_progress(demo, settings, monkeypatch):
    if settings.REDIS_URL:
        pytest.skip("eager mode is only on without REDIS_URL")
    _unscore()
    out = StringIO()
    # the command runs outside any transaction, where on_commit sends at once; here the test's is open
    monkeypatch.setattr(tasks.transaction, "on_commit", lambda send, *args, **kwargs: send())
    call_command(
        "rescore", "--region", "烟台市", "--celery", "--wait", "--timeout", "20", "--chunk", "2", stdout=out
    )
    run = RescoreRun.objects.latest("pk")
    text = out.getvalue()
    assert run.mode == RescoreRun.Mode.CELERY and run.status == RescoreRun.Status.DONE
    assert run.origin.startswith("命令行")
    assert f"批量重算 #{run.pk}（烟台市 · 全部年度）" in text
    assert f"进度 {run.chunk_count}/{run.chunk_count} 块（100%）" in text
    assert f"批量重算 #{run.pk} 已完成" in text
    yantai = Project.objects.filter(region__name="烟台市")
    assert (
        not Evaluation.objects.filter(project__in=yantai, total_score__isnull=True)
        .exclude(project__indicators=None)
        .exists()
    )


def test_the_command_refuses_bad_options_in_chinese(demo):
    with pytest.raises(CommandError, match="没有编号为 999999 的批量重算"):
        call_command("rescore", "--resume", "999999")
    with pytest.raises(CommandError, match="没有代码为“nope”的评分方案"):
        call_command("rescore", "--scheme", "nope")
    with pytest.raises(CommandError, match="--wait 只能与 --celery 一起使用"):
        call_command("rescore", "--wait")
    with pytest.raises(CommandError, match="不能再指定"):
        call_command("rescore", "--resume", "1", "--year", "2019")
    assert not RescoreRun.objects.exists()


def test_the_scheme_option_narrows_the_run(demo):
    scheme = ScoringScheme.objects.exclude(evaluation__isnull=True).first()
    call_command("rescore", "--scheme", scheme.code, stdout=StringIO())
    run = RescoreRun.objects.get()
    assert run.scheme == scheme and run.status == RescoreRun.Status.DONE
    assert run.projects == Evaluation.objects.filter(scheme=scheme).count()


@pytest.mark.celery_worker
def test_a_run_through_a_real_worker(celery_live_worker):
    """Two worker threads take the chunks from Redis, each locking only its chunk's row."""
    from perfgoals.demo import load_demo

    load_demo(accounts=True)
    _unscore()
    out = StringIO()
    call_command("rescore", "--celery", "--wait", "--timeout", "120", "--chunk", "5", stdout=out)
    run = RescoreRun.objects.latest("pk")
    assert run.status == RescoreRun.Status.DONE, out.getvalue()
    assert run.chunk_count == 10 and set(run.chunks.values_list("attempts", flat=True)) == {1}
    assert run.evaluations_changed == Evaluation.objects.filter(total_score__isnull=False).count() > 0
    assert "进度 10/10 块（100%）" in out.getvalue()
    # delivered again (a redelivery after a lost acknowledgement): skipped, nothing rewritten
    history = Indicator.history.count() + Evaluation.history.count()
    tasks.queue_rescore(run, list(run.chunks.values_list("pk", flat=True)))
    import time

    time.sleep(5)  # the ten deliveries take well under a second each
    assert Indicator.history.count() + Evaluation.history.count() == history
    assert set(run.chunks.values_list("attempts", flat=True)) == {1}


def test_a_chunk_locks_only_its_own_row(demo):
    """FOR UPDATE over a join would lock the run's row too and serialise the workers on it."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    run = rescore_runs.plan_run(chunk=25)
    chunk = run.chunks.first()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert rescore_runs._locked(chunk.pk) == chunk
        rescore_runs.reopen_run(run.pk)
        rescore_runs.reopen_stale()
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 3 if connection.features.has_select_for_update else not locking
    assert not any("perfgoals_rescorerun" in sql for sql in locking)


def test_the_admin_shows_runs_read_only_in_chinese(demo, client):
    from django.contrib.auth import get_user_model

    run = rescore_runs.plan_run(chunk=25, origin="命令行（测试）")
    rescore_runs.run_chunk(run.chunks.first().pk)
    client.force_login(get_user_model().objects.get(username="admin"))
    listing = client.get("/admin/perfgoals/rescorerun/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "批量重算" in text and "进度 1/2 块（50%）" in text and "全部地区 · 全部年度" in text
    page = client.get(f"/admin/perfgoals/rescorerun/{run.pk}/change/")
    assert page.status_code == 200 and "批量重算分块" in page.content.decode()
    assert client.get("/admin/perfgoals/rescorerun/add/").status_code == 403
    assert client.post(f"/admin/perfgoals/rescorerun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RescoreRun.objects.filter(pk=run.pk).exists()


def test_the_admin_lists_a_runs_score_changes_read_only(demo, client):
    from django.contrib.auth import get_user_model

    _unscore()
    run = rescore_runs.plan_run(chunk=25)
    rescore_runs.run_chunk(run.chunks.first().pk)
    change = ScoreChange.objects.filter(reason=f"批量重算 #{run.pk}").first()
    assert change is not None
    client.force_login(get_user_model().objects.get(username="admin"))
    listing = client.get("/admin/perfgoals/scorechange/", {"q": f"#{run.pk}"})
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "批量重算得分变化" in text and "指标数" in text and f"批量重算 #{run.pk}" in text
    page = client.get(f"/admin/perfgoals/scorechange/{change.pk}/change/")
    assert page.status_code == 200
    (entry, *_rest) = change.entries()
    name = Indicator.objects.get(pk=entry.indicator_id).name
    assert "原得分" in page.content.decode() and f"<td>{name}</td>" in page.content.decode()
    assert client.get("/admin/perfgoals/scorechange/add/").status_code == 403
    assert (
        client.post(f"/admin/perfgoals/scorechange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert ScoreChange.objects.filter(pk=change.pk).exists()
