"""The review pages: a self-evaluation (computed beside reported scores, and what to check) or a set of
targets, with the supervisor's approve / return / reopen."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from projects.models import Project

from .. import workflow
from ..choices import Status
from ..forms import ApproveForm, ReopenForm, ReturnForm, TargetReturnForm
from ..pages.sheet import budget_rows, build_sheet, subtotals
from .actions import form_errors, require
from .loading import engine_result, indicators_of, project_for
from .targets import targets_context

#: statuses whose review page is about the targets (the tree and its readings), not the scores
TARGET_REVIEW_STATUSES = {Status.DRAFT, Status.TARGETS_SUBMITTED, Status.TARGETS_APPROVED}


def review_context(request, project: Project, **overrides) -> dict:
    evaluation = project.evaluation
    indicators = indicators_of(project)
    result = engine_result(project, indicators)
    caps = workflow.capabilities(request.user, project, evaluation)
    sheet = build_sheet(project, evaluation, indicators, result, caps=caps, review=True)
    evaluation_flags = workflow.evaluation_review_flags(evaluation)
    scheme = evaluation.scheme.engine_scheme()
    weight_total = scheme.execution_weight + sum(
        (i.weight for i in indicators if i.weight is not None and not i.not_applicable), Decimal(0)
    )
    context = {
        "project": project,
        "evaluation": evaluation,
        "scheme": scheme,
        "weight_total": weight_total,
        "result": result,
        "caps": caps,
        "sheet": sheet,
        "subtotals": subtotals(result),
        "budget": budget_rows(project),
        "evaluation_flags": evaluation_flags,
        "check_count": sum(1 for row in sheet for flag in row.review_flags if flag.level != "info")
        + sum(1 for flag in evaluation_flags if flag.level != "info"),
        "actions": list(evaluation.review_actions.select_related("user")[:20]),
        "approve_form": overrides.pop("approve_form", None)
        or ApproveForm(initial={"version": evaluation.version}),
        "return_form": overrides.pop("return_form", None)
        or ReturnForm(initial={"version": evaluation.version}),
        "reopen_form": overrides.pop("reopen_form", None)
        or ReopenForm(initial={"version": evaluation.version}),
        "page_error": overrides.pop("page_error", ""),
    }
    context.update(overrides)
    return context


@login_required
@require_GET
def review_page(request, pk: int):
    """The review page: computed beside reported scores, and what to check. Anyone who may see the
    project may read it; only the department's supervisors get the buttons."""
    project = project_for(request.user, pk)
    if project.evaluation.status in TARGET_REVIEW_STATUSES:
        return render(request, "perfgoals/review_targets.html", target_review_context(request, project))
    return render(request, "perfgoals/review.html", review_context(request, project))


_REVIEW_ACTIONS = {
    "approve": (
        ApproveForm,
        lambda e, u, d, v: workflow.approve_evaluation(e, u, d.get("comment", ""), v),
        "自评已审核通过，数据已锁定。",
    ),
    "return": (
        ReturnForm,
        lambda e, u, d, v: workflow.return_evaluation(e, u, d["comment"], v),
        "自评已退回填报单位，审核意见将显示在其项目页上。",
    ),
    "reopen": (
        ReopenForm,
        lambda e, u, d, v: workflow.reopen_evaluation(e, u, d["reason"], v),
        "自评已重新开放，填报单位可以修改实际完成情况。",
    ),
}


@login_required
@require_POST
def review_action(request, pk: int, action: str):
    """Approve, return (with a comment) or reopen (with a reason)."""
    project = project_for(request.user, pk)
    require(workflow.may_review(request.user, project))
    form_class, act, done = _REVIEW_ACTIONS[action]
    form = form_class(request.POST)
    form_key = f"{action}_form"
    if not form.is_valid():
        return render(
            request,
            "perfgoals/review.html",
            review_context(request, project, **{form_key: form}),
            status=422,
        )
    try:
        act(project.evaluation, request.user, form.cleaned_data, form.cleaned_data["version"])
    except workflow.InvalidData as exc:
        for name, errors in exc.errors.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return render(
            request,
            "perfgoals/review.html",
            review_context(request, project, **{form_key: form}),
            status=422,
        )
    except workflow.WorkflowError as exc:
        project = project_for(request.user, pk)
        return render(
            request,
            "perfgoals/review.html",
            review_context(request, project, page_error=exc.message),
            status=409,
        )
    messages.success(request, done)
    if action == "reopen":
        return redirect("perfgoals:review", pk=project.pk)
    return redirect("perfgoals:review_queue")


def target_review_context(request, project: Project, **overrides) -> dict:
    context = targets_context(request, project, review=True)
    evaluation = project.evaluation
    context.update(
        weight_flags=workflow.target_weight_flags(project, evaluation, indicators_of(project)),
        approve_form=overrides.pop("approve_form", None)
        or ApproveForm(initial={"version": evaluation.version}),
        return_form=overrides.pop("return_form", None)
        or TargetReturnForm(initial={"version": evaluation.version}),
        page_error=overrides.pop("page_error", ""),
    )
    context["check_count"] = sum(
        1 for row in context["target_rows"] for flag in row.review_flags if flag.level != "info"
    ) + len(context["weight_flags"])
    context.update(overrides)
    return context


_TARGET_REVIEW_ACTIONS = {
    "approve": (
        ApproveForm,
        lambda e, u, d, v: workflow.approve_targets(e, u, d.get("comment", ""), v),
        "绩效目标已批复，填报单位可以开始填报实际完成情况。",
    ),
    "return": (
        TargetReturnForm,
        lambda e, u, d, v: workflow.return_targets(e, u, d["comment"], v),
        "绩效目标已退回填报单位，意见将显示在其项目页上。",
    ),
}


@login_required
@require_POST
def target_review_action(request, pk: int, action: str):
    """Approve or return (with a comment) submitted targets."""
    project = project_for(request.user, pk)
    require(workflow.may_review(request.user, project))
    form_class, act, done = _TARGET_REVIEW_ACTIONS[action]
    form = form_class(request.POST)
    form_key = f"{action}_form"
    template = "perfgoals/review_targets.html"
    if not form.is_valid():
        return render(
            request, template, target_review_context(request, project, **{form_key: form}), status=422
        )
    try:
        act(project.evaluation, request.user, form.cleaned_data, form.cleaned_data["version"])
    except workflow.InvalidData as exc:
        form_errors(form, exc)
        return render(
            request, template, target_review_context(request, project, **{form_key: form}), status=422
        )
    except workflow.WorkflowError as exc:
        project = project_for(request.user, pk)
        return render(
            request, template, target_review_context(request, project, page_error=exc.message), status=409
        )
    messages.success(request, done)
    return redirect("perfgoals:review_queue")
