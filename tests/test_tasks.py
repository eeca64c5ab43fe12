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
