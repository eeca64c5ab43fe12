"""Celery tasks of the reports app: they take ids, re-read, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.build_package")
def build_package(package_id: int) -> dict:
    """Build a report package's ZIP (or return the finished one); progress is written to the row.

    A large package is split into parts (`build_package_part`, spread over the workers) joined by
    `finish_package`."""
    return services.build_package(package_id)


@shared_task(name="reports.build_package_part")
def build_package_part(package_id: int, index: int, part: dict) -> dict:
    """Write one part of a large package (a slice of a department-year) to storage."""
    try:
        return services.build_package_part(package_id, index, part)
    except Exception as exc:
        services.fail_package(package_id, exc)
        raise


@shared_task(name="reports.finish_package")
def finish_package(parts: list[dict], package_id: int) -> dict:
    """Join a large package's parts into its ZIP (the chord's last step)."""
    return services.finish_package(parts, package_id)
