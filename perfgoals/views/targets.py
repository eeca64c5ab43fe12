"""The target stage of a project-year: its page (the indicator tree of a draft) and its actions. Each
action re-renders the whole tree (with the submit form) for htmx, and the history out of band."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from projects.models import Project

from .. import workflow
from ..choices import Status
from ..engine import LEVEL1, LEVEL2, vocabulary
from ..forms import Level1WeightsForm, SubmitForm, TargetForm
from ..models import Indicator
from ..pages.history import project_history
from ..pages.targets import build_target_rows
from .actions import NO_VERSION, form_errors, require
from .entry import render_page
from .loading import carried_of, history_records, indicators_of, project_for


def targets_context(request, project: Project, *, caps=None, review: bool = False, **overrides) -> dict:
    evaluation = project.evaluation
    indicators = indicators_of(project)
    caps = caps or workflow.capabilities(request.user, project, evaluation)
    tcaps = workflow.target_capabilities(request.user, project, evaluation, caps)
    generation = workflow.project_generation(project, indicators)
    carried = carried_of(project)
    editable = tcaps.can_edit and not review
    rows = build_target_rows(
        indicators,
        generation,
        carried,
        editable=editable,
        review=review or not editable,
        bound=overrides.pop("bound", None),
        row_messages=overrides.pop("row_messages", None),
    )
    scheme = evaluation.scheme.engine_scheme()
    active = [i for i in indicators if not i.not_applicable]
    row_sum = sum((i.weight or Decimal(0) for i in active), Decimal(0))
    declared = evaluation.declared_level1_weights or {}
    level1_sums = {}
    for code in [
        *vocabulary.GENERATION_LEVEL1[generation],
        *[c for c in declared if c not in vocabulary.GENERATION_LEVEL1[generation]],
    ]:
        rows_of = sum((i.weight or Decimal(0) for i in active if i.level1 == code), Decimal(0))
        head = declared.get(code)
        head = Decimal(str(head)) if head not in (None, "") else None
        level1_sums[code] = {
            "label": LEVEL1.get(code, code),
            "rows": rows_of,
            "declared": head,
            "ok": head is None or head == rows_of,
        }
    problems = workflow.target_problems(project, evaluation, indicators)
    actions = overrides.pop("actions", None)
    if actions is None:
        actions = list(evaluation.review_actions.select_related("user")[:20])
    latest = actions[0] if actions else None
    context = {
        "project": project,
        "evaluation": evaluation,
        "scheme": scheme,
        "caps": caps,
        "tcaps": tcaps,
        "target_stage": True,
        "generation": generation,
        "target_rows": rows,
        "carried_any": bool(carried),
        "add_form": overrides.pop("add_form", None)
        or (TargetForm(generation=generation) if editable else None),
        "weights_form": overrides.pop("weights_form", None)
        or (
            Level1WeightsForm(
                evaluation=evaluation, generation=generation, extra=tuple(i.level1 for i in indicators)
            )
            if editable
            else None
        ),
        "level1_sums": list(level1_sums.values()),
        "row_sum": row_sum,
        "weight_total": scheme.execution_weight + row_sum,
        "weights_ok": scheme.execution_weight + row_sum == scheme.total,
        "target_problems": problems,
        "weight_flags": [p for p in problems if p.anchor == "level1-weights"],
        "submit_problems": overrides.pop("submit_problems", None),
        "page_error": overrides.pop("page_error", ""),
        "actions": actions,
        "notice": latest
        if latest and evaluation.status == Status.DRAFT and latest.action == "return_targets"
        else None,
        "level1_map": {code: vocabulary.level1_of(code) for code in LEVEL2},
        "toast": overrides.pop("toast", ("", "")),
    }
    context.update(overrides)
    form = context["weights_form"]
    for code, item in level1_sums.items():
        item["field"] = form[f"w_{code}"] if form is not None and f"w_{code}" in form.fields else None
    return context


def targets_page(request, project: Project, status: int = 200, **overrides):
    context = targets_context(request, project, **overrides)
    context["history"], context["history_total"] = project_history(history_records(project))
    return render(request, "perfgoals/project.html", context, status=status)


def targets_response(
    request, project: Project, status: int = 200, *, anchor: str = "", success: str = "", **overrides
):
    """After a target action: htmx gets the re-rendered tree (and a toast); a plain post a redirect or
    the page."""
    project = project_for(request.user, project.pk)
    if request.htmx:
        toast = overrides.pop("toast", None) or ((success, "success") if success else ("", ""))
        context = targets_context(request, project, toast=toast, **overrides)
        # the whole tree (with the submit form and its version) is re-rendered; the history out of band
        context["history"], context["history_total"] = project_history(history_records(project))
        html = render_to_string("perfgoals/_targets_response.html", context, request=request)
        return HttpResponse(html, status=status)
    if status == 200:
        if success:
            messages.success(request, success)
        return redirect(
            reverse("perfgoals:project", args=[project.pk]) + (f"#{anchor}" if anchor else "#targets")
        )
    return targets_page(request, project, status, **overrides)


def _unit_project(request, pk: int) -> Project:
    project = project_for(request.user, pk)
    require(workflow.may_enter(request.user, project))
    return project


def _target_indicator(project: Project, indicator_pk: int) -> Indicator:
    indicator = get_object_or_404(Indicator, pk=indicator_pk, project=project)
    indicator.project = project
    return indicator


def _generation(project: Project) -> str:
    return workflow.project_generation(project, project.indicators.only("level2"))


@login_required
@require_POST
def add_target(request, pk: int):
    """Add an indicator to the draft tree."""
    project = _unit_project(request, pk)
    form = TargetForm(request.POST, generation=_generation(project))
    if form.is_valid():
        try:
            outcome = workflow.add_indicator(project, request.user, form.submitted())
        except workflow.InvalidData as exc:
            form_errors(form, exc)
        except workflow.WorkflowError as exc:
            return targets_response(
                request, project, 409, page_error=exc.message, toast=(exc.message, "error")
            )
        else:
            ind = outcome.indicator
            return targets_response(
                request, project, anchor=f"tgt-{ind.pk}", success=f"已添加指标“{ind.name}”。"
            )
    message = "有填写错误，指标未添加，请按提示修改。"
    return targets_response(
        request, project, 422, add_form=form, page_error=message, toast=(message, "error")
    )


@login_required
@require_POST
def update_target(request, pk: int, indicator_pk: int):
    """Save one indicator of the draft tree (all its fields, or only those sent)."""
    project = _unit_project(request, pk)
    indicator = _target_indicator(project, indicator_pk)
    form = TargetForm(request.POST, generation=_generation(project), indicator=indicator)
    if form.is_valid() and form.cleaned_data.get("version") is None:
        form.add_error(None, "页面数据不完整，请刷新后重试。")
    if form.is_valid():
        try:
            outcome = workflow.update_indicator_target(
                indicator, request.user, form.submitted(), form.cleaned_data["version"]
            )
        except workflow.InvalidData as exc:
            form_errors(form, exc)
        except workflow.VersionConflict as exc:
            return targets_response(
                request,
                project,
                409,
                page_error=exc.message,
                toast=(exc.message, "error"),
                row_messages={indicator.pk: (exc.message, "error")},
            )
        except workflow.WorkflowError as exc:
            return targets_response(
                request, project, 409, page_error=exc.message, toast=(exc.message, "error")
            )
        else:
            stored = outcome.indicator
            text = f"已保存“{stored.name}”。" if outcome.changed else "没有修改，无需保存。"
            return targets_response(
                request,
                project,
                anchor=f"tgt-{stored.pk}",
                success=text,
                row_messages={stored.pk: (text, "success" if outcome.changed else "info")},
            )
    message = "有填写错误，未保存，请按提示修改。"
    return targets_response(
        request,
        project,
        422,
        bound={indicator.pk: form},
        page_error=message,
        toast=(message, "error"),
        row_messages={indicator.pk: (message, "error")},
    )


@login_required
@require_POST
def delete_target(request, pk: int, indicator_pk: int):
    project = _unit_project(request, pk)
    indicator = _target_indicator(project, indicator_pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        workflow.delete_indicator(indicator, request.user, version)
    except workflow.WorkflowError as exc:
        return targets_response(request, project, 409, page_error=exc.message, toast=(exc.message, "error"))
    return targets_response(request, project, success=f"已删除指标“{indicator.name}”（变更记录中保留）。")


@login_required
@require_POST
def move_target(request, pk: int, indicator_pk: int):
    project = _unit_project(request, pk)
    indicator = _target_indicator(project, indicator_pk)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return targets_response(request, project, 422, page_error="无效的移动方向。")
    try:
        workflow.move_indicator(indicator, request.user, direction)
    except workflow.WorkflowError as exc:
        return targets_response(request, project, 409, page_error=exc.message, toast=(exc.message, "error"))
    return targets_response(request, project, anchor=f"tgt-{indicator.pk}", success="已调整顺序。")


@login_required
@require_POST
def save_weights(request, pk: int):
    """The declared weight of each level-1 category."""
    project = _unit_project(request, pk)
    evaluation = project.evaluation
    form = Level1WeightsForm(request.POST, evaluation=evaluation, generation=_generation(project))
    message = "一级指标分值有填写错误，未保存，请按提示修改。"
    if not form.is_valid():
        return targets_response(
            request, project, 422, weights_form=form, page_error=message, toast=(message, "error")
        )
    try:
        outcome = workflow.save_level1_weights(
            evaluation, request.user, form.weights(), form.cleaned_data["version"]
        )
    except workflow.InvalidData as exc:
        form_errors(form, exc)
        return targets_response(
            request, project, 422, weights_form=form, page_error=message, toast=(message, "error")
        )
    except workflow.WorkflowError as exc:
        return targets_response(request, project, 409, page_error=exc.message, toast=(exc.message, "error"))
    text = "一级指标分值已保存。" if outcome.changed else "一级指标分值没有修改。"
    return targets_response(request, project, anchor="level1-weights", success=text)


@login_required
@require_POST
def submit_targets(request, pk: int):
    """Submit the targets: all or nothing, everything missing listed at once."""
    project = _unit_project(request, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return targets_page(request, project, 409, page_error=NO_VERSION.format("绩效目标"))
    try:
        workflow.submit_targets(project.evaluation, request.user, form.cleaned_data["version"])
    except workflow.TargetsIncomplete as exc:
        project = project_for(request.user, pk)
        return targets_page(request, project, 422, submit_problems=exc.problems)
    except workflow.VersionConflict as exc:
        project = project_for(request.user, pk)
        return targets_page(request, project, 409, page_error=exc.message)
    except workflow.WorkflowError as exc:
        project = project_for(request.user, pk)
        return render_page(request, project, 409, page_error=exc.message)
    messages.success(
        request, "绩效目标已提交主管部门批复。批复期间指标体系锁定；如被退回，可在本页看到意见。"
    )
    return redirect("perfgoals:project", pk=project.pk)
