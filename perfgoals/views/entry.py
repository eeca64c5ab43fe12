"""The 自评表 page of a project-year in its results stage, and its actions: the inline saves of an
indicator, the budget, the explanations, and the submission for review.

The page's version: every input that carries ``Evaluation.version`` on the entry page (submit, budget,
explanations, and one in each row's form) has the class ``page-version``. An inline save answers, out of
band, the row's neighbours (result bar, total, history section) and one more such input that replaces
them all: with the new version when the page had seen everything up to the save
(``SaveOutcome.page_version``), else with the version the page was rendered with, so that the user's own
saves never make the submit stale and a save over someone else's change never hides it.
"""

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
from ..forms import BudgetForm, ExplanationForm, IndicatorEntryForm, SubmitForm
from ..models import Indicator
from ..pages.history import project_history
from ..pages.sheet import budget_rows, build_sheet, subtotals
from ..templatetags.perf_format import plain_number, score_text
from .actions import NO_VERSION, require, sent_page_version
from .loading import engine_result, history_records, indicators_of, project_for


def page_context(request, project: Project, **overrides) -> dict:
    evaluation = project.evaluation
    indicators = indicators_of(project)
    result = engine_result(project, indicators)
    caps = workflow.capabilities(request.user, project, evaluation)
    sheet = build_sheet(
        project,
        evaluation,
        indicators,
        result,
        caps=caps,
        bound=overrides.pop("bound", None),
        row_messages=overrides.pop("row_messages", None),
    )
    actions = list(evaluation.review_actions.select_related("user")[:20])
    history, history_total = project_history(history_records(project))
    problems = workflow.missing_items(project, evaluation, indicators, result) if caps.can_enter else []
    latest = actions[0] if actions else None
    context = {
        "project": project,
        "evaluation": evaluation,
        "scheme": evaluation.scheme.engine_scheme(),
        "result": result,
        "caps": caps,
        "sheet": sheet,
        "subtotals": subtotals(result),
        "budget": budget_rows(project),
        "budget_form": overrides.pop("budget_form", None)
        or (
            BudgetForm(
                evaluation=evaluation, lines=project.budget_lines.all(), can_edit_plan=caps.can_edit_plan
            )
            if caps.can_enter
            else None
        ),
        "goal_form": overrides.pop("goal_form", None)
        or (
            ExplanationForm(
                initial={"version": evaluation.version, "goal_result_text": project.goal_result_text}
            )
            if caps.can_enter
            else None
        ),
        "low_form": overrides.pop("low_form", None)
        or (
            ExplanationForm(
                initial={
                    "version": evaluation.version,
                    "low_score_explanation": evaluation.low_score_explanation,
                }
            )
            if caps.can_enter
            else None
        ),
        "pending": problems,
        "submit_problems": overrides.pop("submit_problems", None),
        "page_error": overrides.pop("page_error", ""),
        "actions": actions,
        "notice": latest
        if latest and evaluation.status == Status.RETURNED and latest.action in ("return", "reopen")
        else None,
        "history": history,
        "history_total": history_total,
        "plan_locked": workflow.plan_locked(evaluation),
        "column_count": 9 if caps.can_enter else 8,
        # the evaluation version the page stands for: what its submit (and budget, explanations) send
        "page_version": evaluation.version,
    }
    context.update(overrides)
    return context


def render_page(request, project: Project, status: int, **overrides):
    # the data may have changed in the failed action: read it again
    project = project_for(request.user, project.pk)
    return render(
        request, "perfgoals/project.html", page_context(request, project, **overrides), status=status
    )


def _row_response(
    request,
    project: Project,
    indicator_pk: int,
    *,
    status: int,
    page_version: int | None,
    bound=None,
    message=("", ""),
):
    """The re-rendered indicator row for htmx, with out of band: the summary, the total, the history, the
    page's version (``page_version``, into every ``page-version`` input) and a toast."""
    project = project_for(request.user, project.pk)
    context = page_context(
        request,
        project,
        bound=bound or {},
        row_messages={indicator_pk: message} if message[0] else {},
        # a page sending no version stays without one: its submit is refused until it is reloaded
        page_version=-1 if page_version is None else page_version,
    )
    row = next(r for r in context["sheet"] if r.indicator and r.indicator.pk == indicator_pk)
    context.update(row=row, toast=message)
    html = render_to_string("perfgoals/_row_response.html", context, request=request)
    return HttpResponse(html, status=status)


@login_required
@require_POST
def save_indicator(request, pk: int, indicator_pk: int):
    """Save one indicator's values (htmx: answer the row; otherwise redirect back to it)."""
    project = project_for(request.user, pk)
    indicator = get_object_or_404(Indicator, pk=indicator_pk, project=project)
    indicator.project = project
    evaluation = project.evaluation
    caps = workflow.capabilities(request.user, project, evaluation)
    require(caps.is_unit_user)
    form = IndicatorEntryForm(
        request.POST,
        indicator=indicator,
        scheme=evaluation.scheme.engine_scheme(),
        can_edit_plan=caps.can_edit_plan,
    )
    status, message = 200, ("", "")
    # the page's version follows this save only if the page had seen everything before it
    page_version = sent_page_version(request)
    if form.is_valid():
        try:
            outcome = workflow.save_indicator_actual(
                indicator, request.user, form.submitted(), form.cleaned_data["version"]
            )
        except workflow.InvalidData as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            status = 422
        except workflow.VersionConflict as exc:
            status, message, form = 409, (exc.message + _yours(form), "error"), None
        except workflow.WorkflowError as exc:
            if request.htmx:
                # the status changed under the page (submitted, approved): reload it, locked
                messages.error(request, exc.message)
                return HttpResponse(exc.message, status=409, headers={"HX-Refresh": "true"})
            status, message, form = 409, (exc.message, "error"), None
        else:
            stored = outcome.indicator
            page_version = outcome.page_version(page_version)
            if outcome.changed:
                message = (f"已保存“{stored.name}”：得分 {score_text(stored.score)}", "success")
            else:
                message = ("没有修改，无需保存。", "info")
            form = None
    else:
        status = 422
    if status == 422:
        message = ("有填写错误，未保存，请按提示修改。", "error")
    if request.htmx:
        return _row_response(
            request,
            project,
            indicator.pk,
            status=status,
            page_version=page_version,
            bound={indicator.pk: form} if form else None,
            message=message,
        )
    if status == 200:
        messages.add_message(
            request, messages.SUCCESS if message[1] == "success" else messages.INFO, message[0]
        )
        return redirect(reverse("perfgoals:project", args=[project.pk]) + f"#ind-{indicator.pk}")
    return render_page(
        request,
        project,
        status,
        bound={indicator.pk: form} if form else None,
        row_messages={indicator.pk: message},
        page_error=message[0],
    )


def _yours(form: IndicatorEntryForm) -> str:
    sent = form.submitted() if hasattr(form, "cleaned_data") else {}
    parts = [
        f"{workflow.INDICATOR_FIELDS[name]}“{plain_number(value) if isinstance(value, Decimal) else value}”"
        for name, value in sent.items()
        if value not in (None, "") and value != getattr(form.indicator, name, None)
    ]
    return f"（您填写的是：{'，'.join(parts)}）" if parts else ""


@login_required
@require_POST
def save_budget(request, pk: int):
    project = project_for(request.user, pk)
    evaluation = project.evaluation
    caps = workflow.capabilities(request.user, project, evaluation)
    require(caps.is_unit_user)
    form = BudgetForm(
        request.POST,
        evaluation=evaluation,
        lines=project.budget_lines.all(),
        can_edit_plan=caps.can_edit_plan,
    )
    if not form.is_valid():
        return render_page(
            request, project, 422, budget_form=form, page_error="预算数据有填写错误，未保存，请按提示修改。"
        )
    try:
        outcome = workflow.save_budget(evaluation, request.user, form.lines(), form.cleaned_data["version"])
    except workflow.InvalidData as exc:
        for name, errors in exc.errors.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return render_page(
            request, project, 422, budget_form=form, page_error="预算数据有填写错误，未保存，请按提示修改。"
        )
    except workflow.WorkflowError as exc:
        return render_page(request, project, 409, page_error=exc.message)
    if outcome.changed:
        messages.success(request, "预算执行数据已保存，预算执行得分已重新计算。")
    else:
        messages.info(request, "预算数据没有修改。")
    return redirect(reverse("perfgoals:project", args=[project.pk]) + "#budget")


@login_required
@require_POST
def save_explanations(request, pk: int):
    project = project_for(request.user, pk)
    require(workflow.may_enter(request.user, project))
    evaluation = project.evaluation
    form = ExplanationForm(request.POST)
    anchor = "low-score" if "low_score_explanation" in request.POST else "goal"
    form_key = "low_form" if anchor == "low-score" else "goal_form"
    if not form.is_valid():
        return render_page(
            request, project, 422, **{form_key: form, "page_error": "说明文字有填写错误，未保存。"}
        )
    try:
        outcome = workflow.save_explanations(
            evaluation, request.user, form.submitted(), form.cleaned_data["version"]
        )
    except workflow.WorkflowError as exc:
        return render_page(request, project, 409, page_error=exc.message)
    messages.success(request, "说明已保存。" if outcome.changed else "说明没有修改。")
    return redirect(reverse("perfgoals:project", args=[project.pk]) + f"#{anchor}")


@login_required
@require_POST
def submit(request, pk: int):
    """Submit for review: all or nothing, with everything missing listed at once."""
    project = project_for(request.user, pk)
    require(workflow.may_enter(request.user, project))
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return render_page(request, project, 409, page_error=NO_VERSION.format("自评"))
    try:
        workflow.submit_evaluation(project.evaluation, request.user, form.cleaned_data["version"])
    except workflow.Incomplete as exc:
        return render_page(request, project, 422, submit_problems=exc.problems)
    except workflow.WorkflowError as exc:
        return render_page(request, project, 409, page_error=exc.message)
    messages.success(request, "自评已提交审核。审核期间数据锁定；如被退回，可在本页看到审核意见。")
    return redirect("perfgoals:project", pk=project.pk)
