"""Pages of the projects app. Views configure; the scoping module decides what a user sees."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .scoping import visible_projects


@login_required
def home(request):
    """The user's starting page: the projects in their scope, newest year first."""
    projects = (
        visible_projects(request.user)
        .select_related("unit__department", "evaluation")
        .order_by("-year", "unit__department__name", "name")[:200]
    )
    return render(request, "projects/home.html", {"projects": projects})
