"""The target stage of a project-year: its page (the indicator tree of a draft) and its actions. Each
action re-renders the whole tree (with the submit form) for htmx, and the history out of band."""

from __future__ import annotations

from dataclasses import dataclass

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
from ..engine import LEVEL2, vocabulary
from ..forms import Level1WeightsForm, ProjectInfoForm, SubmitForm, TargetForm
from ..intake import library
from ..intake import tasks as library_tasks
from ..models import Indicator
from ..pages.history import history_context
from ..pages.targets import build_target_rows, level1_sums
from ..weights import weight_sums
from .actions import CONFLICT, INVALID, NO_VERSION, Done, PageAnswer, Refusal, perform, require
from .entry import render_page
from .loading import carried_of, history_records, indicators_of, project_for

# --- the page ----------------------------------------------------------------------------------------


def targets_context(
    request,
    project: Project,
    *,
    review: bool = False,
    bound: dict[int, TargetForm] | None = None,
    row_messages: dict[int, tuple[str, str]] | None = None,
    add_form: TargetForm | None = None,
    weights_form: Level1WeightsForm | None = None,
    info_form: ProjectInfoForm | None = None,
    submit_problems: list | None = None,
    page_error: str = "",
    toast: tuple[str, str] = ("", ""),
) -> dict:
    """What the target stage shows of a project-year: the tree (editable by the unit while a draft;
    with the reviewer's flags on the review page, ``review``), its weights and what a submission lacks.

    After a refused action: ``bound`` (indicator pk → the row's form as sent), ``add_form`` and
    ``weights_form`` and ``info_form`` (项目信息) as sent, with their errors; ``row_messages`` (indicator pk → (message, level));
    ``submit_problems``; ``page_error``; ``toast`` (the message an htmx answer pops up).
    """
    evaluation = project.evaluation
    indicators = indicators_of(project)
    caps = workflow.capabilities(request.user, project, evaluation)
    tcaps = workflow.target_capabilities(request.user, project, evaluation, caps)
    generation = workflow.project_generation(project, indicators)
    carried = carried_of(project)
    editable = tcaps.can_edit and not review
    checks = workflow.run_target_checks(
        project, evaluation, indicators, workflow.last_year_values(project, indicators)
    )
    rows = build_target_rows(
        indicators,
        generation,
        carried,
        editable=editable,
        review=review or not editable,
        bound=bound,
        row_messages=row_messages,
        checks=checks,
    )
    scheme = evaluation.scheme.engine_scheme()
    if editable:
        add_form = add_form or TargetForm(generation=generation)
        weights_form = weights_form or Level1WeightsForm(
            evaluation=evaluation, generation=generation, extra=tuple(i.level1 for i in indicators)
        )
        info_form = info_form or ProjectInfoForm(project=project, evaluation=evaluation)
    sums = weight_sums(indicators, scheme, evaluation.declared_level1_weights)
    declared = evaluation.declared_level1_weights or {}
    own = vocabulary.GENERATION_LEVEL1[generation]
    actions = list(evaluation.review_actions.select_related("user")[:20])
    latest = actions[0] if actions else None
    return {
        "project": project,
        "evaluation": evaluation,
        "scheme": scheme,
        "caps": caps,
        "tcaps": tcaps,
        "target_stage": True,
        "generation": generation,
        "indicators": indicators,
        "target_rows": rows,
        "carried_any": bool(carried),
        "add_form": add_form,
        "weights_form": weights_form,
        "info_form": info_form,
        "level1_sums": level1_sums(sums, [*own, *[c for c in declared if c not in own]], weights_form),
        "row_sum": sums.rows,
        "weight_total": sums.sum,
        "weights_ok": not any(not problem.level1 for problem in sums.problems()),
        "target_checks": checks,
        "target_problems": workflow.target_problems(project, evaluation, indicators, checks),
        "target_notices": [check for check in checks if not check.blocking],
        "submit_problems": submit_problems,
        "page_error": page_error,
        "actions": actions,
        "notice": latest
        if latest
        and evaluation.status == Status.DRAFT
        and latest.action in ("return_targets", "refuse_targets", "finance_targets_unit")
        else None,
        "level1_map": {code: vocabulary.level1_of(code) for code in LEVEL2},
        "toast": toast,
    }


def targets_page(request, project: Project, status: int = 200, **shown) -> HttpResponse:
    """The project page in its target stage (``shown``: see :func:`targets_context`)."""
    context = targets_context(request, project, **shown)
    context.update(history_context(history_records(project), request.GET.get("history_page", 1)))
    return render(request, "perfgoals/project.html", context, status=status)


def targets_response(
    request, project: Project, status: int = 200, *, anchor: str = "", success: str = "", **shown
) -> HttpResponse:
    """After a target action: htmx gets the re-rendered tree (and a toast); a plain post a redirect or
    the page. ``shown``: see :func:`targets_context`."""
    project = project_for(request.user, project.pk)
    if request.htmx:
        toast = shown.pop("toast", None) or ((success, "success") if success else ("", ""))
        context = targets_context(request, project, toast=toast, **shown)
        # the whole tree (with the submit form and its version) is re-rendered; the history out of band
        context.update(history_context(history_records(project)))
        html = render_to_string("perfgoals/_targets_response.html", context, request=request)
        return HttpResponse(html, status=status)
    if status == 200:
        if success:
            messages.success(request, success)
        return redirect(
            reverse("perfgoals:project", args=[project.pk]) + (f"#{anchor}" if anchor else "#targets")
        )
    return targets_page(request, project, status, **shown)


@dataclass
class TreeAnswer:
    """The answer to an action on the tree (see :func:`targets_response`): the form sent back in its
    place (``form_key``: ``add_form``, ``weights_form``, or ``bound`` for the row's own form), with
    ``invalid`` as the message; the action's row (``row``, an indicator pk) gets the message of a success,
    of invalid data and of a conflict."""

    request: object
    project: Project
    form_key: str = ""
    invalid: str = ""
    row: int | None = None

    def done(self, outcome, done: Done) -> HttpResponse:
        return targets_response(
            self.request,
            self.project,
            anchor=done.anchor,
            success=done.text,
            **self._row_message(done.text, done.level),
        )

    def refused(self, refusal: Refusal, form) -> HttpResponse:
        if refusal.kind == INVALID:
            kept = {"bound": {self.row: form}} if self.form_key == "bound" else {self.form_key: form}
            return targets_response(
                self.request,
                self.project,
                refusal.status,
                **kept,
                page_error=self.invalid,
                toast=(self.invalid, "error"),
                **self._row_message(self.invalid, "error"),
            )
        return targets_response(
            self.request,
            self.project,
            refusal.status,
            page_error=refusal.message,
            toast=(refusal.message, "error"),
            **(self._row_message(refusal.message, "error") if refusal.kind == CONFLICT else {}),
        )

    def _row_message(self, text: str, level: str) -> dict:
        return {"row_messages": {self.row: (text, level)}} if self.row is not None else {}


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


# --- the actions -------------------------------------------------------------------------------------


@login_required
@require_POST
def add_target(request, pk: int):
    """Add an indicator to the draft tree."""
    project = _unit_project(request, pk)
    form = TargetForm(request.POST, generation=_generation(project))

    def add():
        data = form.submitted()
        if "library_key" in data:  # the suggestion chosen: linked only to an entry the user may see
            data["library_key"] = library.linked_key(request.user, data["library_key"])
        return workflow.add_indicator(project, request.user, data)

    return perform(
        form,
        add,
        TreeAnswer(request, project, form_key="add_form", invalid="有填写错误，指标未添加，请按提示修改。"),
        lambda outcome: Done(f"已添加指标“{outcome.indicator.name}”。", anchor=f"tgt-{outcome.indicator.pk}"),
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

    def update():
        data = form.submitted()
        if "library_key" in data:
            data["library_key"] = library.linked_key(request.user, data["library_key"])
        return workflow.update_indicator_target(indicator, request.user, data, form.cleaned_data["version"])

    return perform(
        form,
        update,
        TreeAnswer(
            request, project, form_key="bound", invalid="有填写错误，未保存，请按提示修改。", row=indicator.pk
        ),
        lambda outcome: Done(
            f"已保存“{outcome.indicator.name}”。" if outcome.changed else "没有修改，无需保存。",
            "success" if outcome.changed else "info",
            anchor=f"tgt-{indicator.pk}",
        ),
    )


@login_required
@require_POST
def delete_target(request, pk: int, indicator_pk: int):
    """Remove an indicator from the draft tree (the history keeps it)."""
    project = _unit_project(request, pk)
    indicator = _target_indicator(project, indicator_pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # no version is a stale page: refused as a conflict
    return perform(
        None,
        lambda: workflow.delete_indicator(indicator, request.user, version),
        TreeAnswer(request, project),
        lambda outcome: Done(f"已删除指标“{indicator.name}”（变更记录中保留）。"),
    )


@login_required
@require_POST
def move_target(request, pk: int, indicator_pk: int):
    """Swap an indicator with its neighbour in its level-2 category."""
    project = _unit_project(request, pk)
    indicator = _target_indicator(project, indicator_pk)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return targets_response(request, project, 422, page_error="无效的移动方向。")
    return perform(
        None,
        lambda: workflow.move_indicator(indicator, request.user, direction),
        TreeAnswer(request, project),
        lambda outcome: Done("已调整顺序。", anchor=f"tgt-{indicator.pk}"),
    )


@login_required
@require_POST
def save_weights(request, pk: int):
    """The declared weight of each level-1 category."""
    project = _unit_project(request, pk)
    evaluation = project.evaluation
    form = Level1WeightsForm(request.POST, evaluation=evaluation, generation=_generation(project))
    return perform(
        form,
        lambda: workflow.save_level1_weights(
            evaluation, request.user, form.weights(), form.cleaned_data["version"]
        ),
        TreeAnswer(
            request,
            project,
            form_key="weights_form",
            invalid="一级指标分值有填写错误，未保存，请按提示修改。",
        ),
        lambda outcome: Done(
            "一级指标分值已保存。" if outcome.changed else "一级指标分值没有修改。", anchor="level1-weights"
        ),
    )


@login_required
@require_POST
def save_project_info(request, pk: int):
    """The fields the goal tables print (项目信息: 长期目标, 立项依据, dates, procurement, 项目总预算)."""
    project = _unit_project(request, pk)
    form = ProjectInfoForm(request.POST)
    return perform(
        form,
        lambda: workflow.update_project_info(
            project, request.user, form.info(), form.cleaned_data["version"]
        ),
        TreeAnswer(
            request, project, form_key="info_form", invalid="项目信息有填写错误，未保存，请按提示修改。"
        ),
        lambda outcome: Done(
            "项目信息已保存。" if outcome.changed else "项目信息没有修改。",
            "success" if outcome.changed else "info",
            anchor="goal-info",
        ),
    )


@login_required
@require_POST
def submit_targets(request, pk: int):
    """Submit the targets: all or nothing, everything missing listed at once."""
    project = _unit_project(request, pk)
    form = SubmitForm(request.POST)

    def submit():
        evaluation = workflow.submit_targets(project.evaluation, request.user, form.cleaned_data["version"])
        # submitted targets feed the indicator library: its entries for these names are updated
        library_tasks.queue_library_update([project.pk])
        return evaluation

    return perform(
        form,
        submit,
        PageAnswer(
            request,
            render=lambda status, **shown: targets_page(
                request, project_for(request.user, pk), status, **shown
            ),
            url=reverse("perfgoals:project", args=[project.pk]),
            invalid=NO_VERSION.format("绩效目标"),
            invalid_status=409,
            # the status changed (submitted meanwhile, approved): the entry page says so
            refused_render=lambda status, **shown: render_page(request, project, status, **shown),
        ),
        lambda outcome: Done(
            "绩效目标已提交主管部门批复。批复期间指标体系锁定；如被退回，可在本页看到意见。"
        ),
    )
