"""Celery tasks of the reports app, and the one place that queues work.

The tasks take ids, re-read, and are safe to run twice; the building itself is :mod:`.packages`.
Callers (views, commands) create or reset a package with :mod:`.actions`, then hand it to
:func:`queue_package`. Nothing but views, commands and tests (and Celery's autodiscovery) imports
this module: the modules doing the work never depend on it, which keeps the imports acyclic.
"""

from __future__ import annotations

from celery import chord, shared_task
from django.db import transaction

from . import packages
from .models import ReportPackage


def queue_package(package: ReportPackage) -> None:
    """Hand the build to Celery after the transaction commits (in-process without Redis)."""
    transaction.on_commit(lambda: build_package.delay(package.pk))


def _queue_parts(package: ReportPackage, parts: list[dict]) -> None:
    """One task a part, spread over the workers, then `finish_package` joins them (a chord)."""
    chord(build_package_part.si(package.pk, index, part) for index, part in enumerate(parts))(
        finish_package.s(package.pk)
    )


@shared_task(name="reports.build_package")
def build_package(package_id: int) -> dict:
    """Build a report package's ZIP (or return the finished one); progress is written to the row.

    A large package is split into parts (`build_package_part`, spread over the workers) joined by
    `finish_package`."""
    return packages.build_package(package_id, queue_parts=_queue_parts)


@shared_task(name="reports.build_package_part")
def build_package_part(package_id: int, index: int, part: dict) -> dict:
    """Write one part of a large package (a slice of a department-year) to storage."""
    try:
        return packages.build_package_part(package_id, index, part)
    except Exception as exc:
        packages.fail_package(package_id, exc, part.get("build"))
        raise


@shared_task(name="reports.finish_package")
def finish_package(parts: list[dict], package_id: int) -> dict:
    """Join a large package's parts into its ZIP (the chord's last step)."""
    return packages.finish_package(parts, package_id)
