"""Celery tasks of perfgoals. Each takes primary keys, re-reads, calls a service, and is safe to
run twice."""

from __future__ import annotations

from celery import shared_task

from projects.models import Project

from . import services


@shared_task(name="perfgoals.recompute_project")
def recompute_project(project_id: int) -> dict:
    """Rescore one project-year; returns its total and grade (as strings, for the JSON backend)."""
    project = Project.objects.select_related("unit__department").get(pk=project_id)
    result = services.recompute(project)
    return {"project_id": project_id, "total": str(result.total) if result.total is not None else None,
            "grade": result.grade or ""}
