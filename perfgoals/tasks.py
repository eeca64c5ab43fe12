"""Celery tasks of perfgoals. Each takes primary keys, re-reads, calls a service, and is safe to
run twice."""

from __future__ import annotations

from celery import shared_task

from projects.models import Project

from .rescore import rescore_projects
from .scoring import recompute


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


@shared_task(name="perfgoals.rescore_chunk")
def rescore_chunk(project_ids: list[int], label: str = "") -> dict:
    """Rescore a chunk of project-years in bulk (fan a region out over workers by chunks)."""
    stats = rescore_projects(project_ids, label=label)
    return {
        "projects": stats.projects,
        "indicators": stats.indicators,
        "indicators_changed": stats.indicators_changed,
        "evaluations_changed": stats.evaluations_changed,
    }
