"""Tasks run in-process without Redis, and through a real worker when Redis is configured."""

import pytest

from perfgoals.demo import load_demo
from perfgoals.models import Evaluation
from perfgoals.tasks import recompute_project
from projects.models import Project


@pytest.mark.django_db
def test_recompute_runs_in_process_without_redis(demo, settings):
    if settings.REDIS_URL:
        pytest.skip("eager mode is only on without REDIS_URL")
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    Evaluation.objects.filter(project=project).update(total_score=None, grade="")
    result = recompute_project.delay(project.pk).get(timeout=10)
    assert result["total"] == "100.00" and result["grade"] == "优"
    assert Evaluation.objects.get(project=project).total_score == 100


@pytest.mark.celery_worker
def test_recompute_through_a_real_worker(celery_live_worker):
    load_demo(accounts=True)
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    Evaluation.objects.filter(project=project).update(total_score=None, grade="")
    result = recompute_project.delay(project.pk).get(timeout=60)
    assert result["total"] == "100.00" and result["grade"] == "优"
    assert Evaluation.objects.get(project=project).total_score == 100


def test_a_task_lost_with_its_worker_is_redelivered_not_run_twice_at_once():
    """Late acknowledgement with reject-on-worker-lost gives a killed worker's task back to the queue;
    Redis redelivers an unacknowledged task only after the visibility timeout, which outlasts the
    longest task, so a long task is never started a second time while the first still runs."""
    from config.celery import app

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.result_backend_transport_options["visibility_timeout"] > conf.task_time_limit
