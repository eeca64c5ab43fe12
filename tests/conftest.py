"""Shared fixtures: the demo data, loaded once per test database, and users of every role."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

# Property tests judge results, not speed: on a shared CI machine an example may take long, so no
# deadline and no "too slow" health check (speed lives in bench/). Tests may still set their own.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

# Django-dependent imports stay inside the fixtures: tests/engine runs without Django
# (`pytest tests/engine -p no:django`) and this file is loaded for it too.


@pytest.fixture(scope="session")
def demo_db(django_db_setup, django_db_blocker):
    """The 49 seed projects and demo accounts, loaded once for the whole session.

    Tests that only read use this together with `db`; every test still runs in its own transaction,
    so whatever a test writes is rolled back.
    """
    from perfgoals.demo import load_demo

    with django_db_blocker.unblock():
        load_demo(accounts=True)


@pytest.fixture
def demo(demo_db, db):
    """Per-test access to the demo data (writes are rolled back after the test).

    pytest-django runs transactional tests last and empties the database after each; the demo data
    are then loaded again (load_demo is idempotent).
    """
    from perfgoals.demo import load_demo
    from perfgoals.oversight import snapshots
    from projects.models import Project

    if not Project.objects.exists():
        load_demo(accounts=True)
    # overviews stored by an earlier test (the cache outlives its rolled-back data; on Redis, the run)
    snapshots.bump()
    return demo_db


@pytest.fixture
def celery_live_worker(transactional_db):
    """A real Celery worker consuming from Redis, for tests marked celery_worker.

    Skipped unless REDIS_URL is configured (the settings then turn eager mode off). The worker runs
    in a thread of the test process and reaches the test database through its own connection, so
    tests using it need committed data (transactional_db).
    """
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL 未设置：没有可用的 Celery 消息队列（.ci/run 在 Redis 可用时设置它）")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
    ) as worker:
        yield worker
