"""Celery tasks of the reports app: they take ids, re-read, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.build_package")
def build_package(package_id: int) -> dict:
    """Build a report package's ZIP (or return the finished one); progress is written to the row."""
    return services.build_package(package_id)
