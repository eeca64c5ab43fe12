"""The project page: one address for a project-year, whose stage decides what it shows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
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
    return project_page_response(request, project_for(request.user, pk))


def project_page_response(request, project, status: int = 200, **shown) -> HttpResponse:
    """The project page in the project-year's stage (``shown``: an action's refusal to show)."""
    if project.evaluation.status in workflow.TARGET_STAGE:
        return targets_page(request, project, status, **shown)
    return render(request, "perfgoals/project.html", page_context(request, project, **shown), status=status)
