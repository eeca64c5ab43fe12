"""Pages of 佐证材料: configuration only. The project comes through ``projects.scoping`` (another
unit's id is a 404); every change is a named action of ``actions``, whose refusal is shown in Chinese
with nothing stored. Downloads are always attachments, streamed from the storage."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.scoping import visible_projects

from ..models import Indicator
from ..workflow.errors import InvalidData, WorkflowError
from . import actions, listing, serving

#: where a form sent from another page goes back to (never a free address: no open redirect)
BACK = {
    "project": ("perfgoals:project", "#evidence"),
    "evidence": ("evidence:project", ""),
}


def _project(user, pk: int):
    queryset = visible_projects(user).select_related("unit__department__region", "evaluation")
    return get_object_or_404(queryset, pk=pk)


def _back(request, project) -> str:
    name, anchor = BACK.get(request.POST.get("back", ""), BACK["evidence"])
    return reverse(name, args=[project.pk]) + anchor


@login_required
@require_http_methods(["GET", "POST"])
def project_evidence(request, pk: int):
    """The evidence of a project-year; the unit uploads here while it may change its results."""
    project = _project(request.user, pk)
    errors: dict[str, list[str]] = {}
    message = ""
    values = {"indicator": "", "description": ""}
    status = 200
    if request.method == "POST":
        values = {
            "indicator": request.POST.get("indicator", "").strip()[:20],
            "description": request.POST.get("description", "")[:500],
        }
        indicator = None
        if values["indicator"]:
            if not values["indicator"].isdigit():
                raise Http404("没有这个指标。")
            indicator = get_object_or_404(Indicator, pk=int(values["indicator"]), project_id=project.pk)
        try:
            evidence = actions.attach_evidence(
                request.user,
                project,
                request.FILES.get("file"),
                indicator=indicator,
                description=values["description"],
            )
        except InvalidData as refused:
            errors, status = refused.errors, 422
        except WorkflowError as refused:
            message, status = refused.message, 409
        else:
            messages.success(request, f"已上传佐证材料“{evidence.original_name}”。")
            return redirect(_back(request, project))
    context = {
        "project": project,
        "panel": listing.panel(request.user, project),
        "removed": listing.removed_items(request.user, project),
        "errors": errors,
        "message": message,
        "values": values,
    }
    return render(request, "evidence/project.html", context, status=status)


@login_required
@require_GET
def download(request, pk: int):
    """The file, as an attachment that no browser renders (nosniff), to whoever may see the project."""
    evidence = get_object_or_404(listing.visible_evidence(request.user), pk=pk)
    return serving.attachment(evidence)


@login_required
@require_POST
def remove(request, pk: int):
    """Remove a file from the project's pages, with a reason (the file and its record are kept)."""
    evidence = get_object_or_404(listing.visible_evidence(request.user).select_related("project"), pk=pk)
    project = evidence.project
    try:
        actions.remove_evidence(request.user, evidence, request.POST.get("reason", ""))
    except WorkflowError as refused:
        text = (
            "；".join(m for msgs in refused.errors.values() for m in msgs)
            if isinstance(refused, InvalidData)
            else refused.message
        )
        messages.error(request, f"未删除“{evidence.original_name}”：{text}")
        return redirect(_back(request, project))
    messages.success(request, f"已删除佐证材料“{evidence.original_name}”（记录保留）。")
    return redirect(_back(request, project))


@login_required
@require_POST
def restore(request, pk: int):
    """Bring a removed file back to the project's pages, with a reason: the unit (while it may change its
    results) or finance of the project's region."""
    evidence = get_object_or_404(listing.removed_evidence(request.user).select_related("project"), pk=pk)
    project = evidence.project
    try:
        actions.restore_evidence(request.user, evidence, request.POST.get("reason", ""))
    except WorkflowError as refused:
        text = (
            "；".join(m for msgs in refused.errors.values() for m in msgs)
            if isinstance(refused, InvalidData)
            else refused.message
        )
        messages.error(request, f"未恢复“{evidence.original_name}”：{text}")
        return redirect("evidence:project", project.pk)
    messages.success(request, f"已恢复佐证材料“{evidence.original_name}”。")
    return redirect("evidence:project", project.pk)
