"""The project page: one address for a project-year, whose stage decides what it shows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import workflow
from .entry import page_context
from .loading import project_for
from .targets import targets_page


@login_required
@require_GET
def project_page(request, pk: int):
    """The 自评表 of one project-year: read-only, or in entry mode for the unit while it may enter."""
    project = project_for(request.user, pk)
    if project.evaluation.status in workflow.TARGET_STAGE:
        return targets_page(request, project)
    return render(request, "perfgoals/project.html", page_context(request, project))
