"""The review pages: a self-evaluation (computed beside reported scores, and what to check) or a set of
targets, with the supervisor's approve / return / reopen."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from projects.models import Project

from .. import workflow
from ..choices import Status
from ..evidence import listing as evidence_listing
from ..forms import ApproveForm, FinanceReviewForm, ReopenForm, ReturnForm, TargetGradeForm
from ..intake import peers as library_peers
from ..pages.sheet import budget_rows, build_sheet, level1_order, subtotals
from ..weights import weight_sums
from .actions import Done, PageAnswer, perform, require
from .loading import engine_result, indicators_of, project_for
from .targets import targets_context

#: statuses whose review page is about the targets (the tree and its readings), not the scores
TARGET_REVIEW_STATUSES = {
    Status.DRAFT,
    Status.TARGETS_SUBMITTED,
    Status.TARGETS_FINANCE,
    Status.TARGETS_APPROVED,
}


def review_context(
    request,
    project: Project,
    *,
    approve_form: ApproveForm | None = None,
    return_form: ReturnForm | None = None,
    reopen_form: ReopenForm | None = None,
    finance_form: FinanceReviewForm | None = None,
    page_error: str = "",
) -> dict:
    """What review.html shows of a self-evaluation; after a refused step, its form as sent (with the
    errors) and the message."""
    evaluation = project.evaluation
    indicators = indicators_of(project)
    result = engine_result(project, indicators)
    caps = workflow.capabilities(request.user, project, evaluation)
    sheet = build_sheet(project, evaluation, indicators, result, caps=caps, review=True)
    evaluation_flags = workflow.evaluation_review_flags(evaluation)
    scheme = evaluation.scheme.engine_scheme()
    return {
        "project": project,
        "evaluation": evaluation,
        "scheme": scheme,
        "weight_total": weight_sums(indicators, scheme).sum,
        "result": result,
        "caps": caps,
        "sheet": sheet,
        "subtotals": subtotals(result, level1_order(project, indicators)),
        "budget": budget_rows(project.budget_lines.all(), project.budget_totals()),
        "evaluation_flags": evaluation_flags,
        "check_count": sum(1 for row in sheet for flag in row.review_flags if flag.level != "info")
        + sum(1 for flag in evaluation_flags if flag.level != "info"),
        "actions": list(evaluation.review_actions.select_related("user")[:20]),
        "approve_form": approve_form or ApproveForm(initial={"version": evaluation.version}),
        "return_form": return_form or ReturnForm(initial={"version": evaluation.version}),
        "reopen_form": reopen_form or ReopenForm(initial={"version": evaluation.version}),
        "finance_form": finance_form or FinanceReviewForm(initial={"version": evaluation.version}),
        "finance_steps": workflow.FINANCE_STEPS,
        "page_error": page_error,
        # read-only here: the unit adds and removes files on its entry page
        "evidence_panel": evidence_listing.panel(request.user, project, can_enter=False),
    }


def target_review_context(
    request,
    project: Project,
    *,
    grade_form: TargetGradeForm | None = None,
    finance_form: FinanceReviewForm | None = None,
    page_error: str = "",
) -> dict:
    """What review_targets.html shows of a set of targets; after a refused step, its form as sent."""
    context = targets_context(request, project, review=True, page_error=page_error)
    evaluation = project.evaluation
    # each indicator beside the same library entry's targets in the region-year (a constant few queries)
    peers = library_peers.peer_targets(request.user, project, context["indicators"])
    for row in context["target_rows"]:
        row.peers = peers.get(row.indicator.pk)
    checks = context["target_checks"]
    check_flags = workflow.target_check_flags(checks)
    context.update(
        check_flags=check_flags,
        checks_with_flags=list(zip(checks, check_flags, strict=True)),
        grade_form=grade_form or TargetGradeForm(initial={"version": evaluation.version}),
        finance_form=finance_form or FinanceReviewForm(initial={"version": evaluation.version}),
        finance_steps=workflow.FINANCE_STEPS,
        # each automatic check counted once (an indicator's is shown in its row as well)
        check_count=sum(
            1 for row in context["target_rows"] for flag in row.review_flags if flag.level != "info"
        )
        + len(checks),
    )
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


def _rendered(template: str, context: Callable[..., dict]) -> Callable[..., HttpResponse]:
    """The review page again after a refused step (read anew: the step may have met a change)."""

    def render_again(request, pk: int, status: int, **shown) -> HttpResponse:
        project = project_for(request.user, pk)
        return render(request, template, context(request, project, **shown), status=status)

    return render_again


#: where the region's finance reviews last, the department's approval forwards instead
_FORWARDED = "自评已审核通过，报本级财政部门审核；财政审核通过后数据锁定。"
_TARGETS_FORWARDED = (
    "绩效目标评为“{grade}”，已报本级财政部门审核；财政审核通过后填报单位才能填报实际完成情况。"
)
#: step → (its form, the workflow's action, what the supervisor is told, whether the supervisor stays on
#: the review page — a reopened evaluation is still theirs to look at — or goes back to the queue)
_REVIEW_ACTIONS = {
    "approve": (
        ApproveForm,
        lambda e, u, d, v: workflow.approve_evaluation(e, u, d.get("comment", ""), v),
        lambda outcome: (
            _FORWARDED if outcome.status == Status.FINANCE_PENDING else "自评已审核通过，数据已锁定。"
        ),
        False,
    ),
    "return": (
        ReturnForm,
        lambda e, u, d, v: workflow.return_evaluation(e, u, d["comment"], v),
        "自评已退回填报单位，审核意见将显示在其项目页上。",
        False,
    ),
    "reopen": (
        ReopenForm,
        lambda e, u, d, v: workflow.reopen_evaluation(e, u, d["reason"], v),
        "自评已重新开放，填报单位可以修改实际完成情况。",
        True,
    ),
}
#: what the supervisor is told after a graded target review, by grade
_TARGET_GRADED = {
    "优": "绩效目标评为“优”并已批复，填报单位可以开始填报实际完成情况。",
    "良": "绩效目标评为“良”并已批复，填报单位可以开始填报实际完成情况。",
    "中": "绩效目标评为“中”，已退回填报单位修改后重新提交，意见将显示在其项目页上。",
    "差": "绩效目标评为“差”，不予通过，已退回填报单位，理由将显示在其项目页上。",
}
_TARGET_REVIEW_ACTIONS = {
    "grade": (
        TargetGradeForm,
        lambda e, u, d, v: workflow.grade_targets(e, u, d["grade"], d.get("comment", ""), v),
        lambda outcome: (
            _TARGETS_FORWARDED.format(grade=outcome.target_grade)
            if outcome.status == Status.TARGETS_FINANCE
            else _TARGET_GRADED[outcome.target_grade]
        ),
        False,
    ),
}


def _review_step(request, pk: int, action: str, steps: dict, render_again) -> HttpResponse:
    """A supervisor's step on the review page (``steps``: the page's table of steps above)."""
    project = project_for(request.user, pk)
    # where finance reviews self-evaluations last it may reopen too (the workflow checks the setting)
    require(
        workflow.may_review(request.user, project)
        or (action == "reopen" and workflow.may_finance_review(request.user, project))
    )
    form_class, act, text, stay = steps[action]
    form = form_class(request.POST)
    return perform(
        form,
        lambda: act(project.evaluation, request.user, form.cleaned_data, form.cleaned_data["version"]),
        PageAnswer(
            request,
            render=lambda status, **shown: render_again(request, pk, status, **shown),
            url=reverse("perfgoals:review", args=[pk]) if stay else reverse("perfgoals:review_queue"),
            form_key=f"{action}_form",
        ),
        lambda outcome: Done(text(outcome) if callable(text) else text),
    )


@login_required
@require_POST
def review_action(request, pk: int, action: str):
    """Approve, return (with a comment) or reopen (with a reason) a self-evaluation."""
    return _review_step(
        request, pk, action, _REVIEW_ACTIONS, _rendered("perfgoals/review.html", review_context)
    )


@login_required
@require_POST
def target_review_action(request, pk: int, action: str):
    """The graded review of submitted targets: 优 / 良 approve, 中 returns, 差 refuses."""
    return _review_step(
        request,
        pk,
        action,
        _TARGET_REVIEW_ACTIONS,
        _rendered("perfgoals/review_targets.html", target_review_context),
    )


#: what finance is told after its step, by step and by stage (targets or self-evaluation)
_FINANCE_DONE = {
    ("accept", False): "财政审核通过，自评已锁定。",
    ("accept", True): "财政审核通过，绩效目标已批复，填报单位可以开始填报实际完成情况。",
    ("to_department", False): "自评已退回主管部门重新审核，意见将显示在审核页上。",
    ("to_department", True): "绩效目标已退回主管部门重新评审，意见将显示在审核页上。",
    ("to_unit", False): "自评已退回填报单位修改，意见将显示在其项目页上。",
    ("to_unit", True): "绩效目标已退回填报单位修改，意见将显示在其项目页上。",
}


@login_required
@require_POST
def finance_action(request, pk: int, step: str):
    """Finance's step on what a department approved and forwarded to it (the region's last level):
    accept, or return with a comment to the department or to the unit — targets or self-evaluation."""
    if step not in workflow.FINANCE_STEPS:
        raise Http404
    project = project_for(request.user, pk)
    require(workflow.may_finance_review(request.user, project))
    targets = project.evaluation.status in TARGET_REVIEW_STATUSES
    render_again = (
        _rendered("perfgoals/review_targets.html", target_review_context)
        if targets
        else _rendered("perfgoals/review.html", review_context)
    )
    form = FinanceReviewForm(request.POST)
    return perform(
        form,
        lambda: workflow.finance_review(
            project.evaluation,
            request.user,
            step,
            form.cleaned_data.get("comment", ""),
            form.cleaned_data["version"],
        ),
        PageAnswer(
            request,
            render=lambda status, **shown: render_again(request, pk, status, **shown),
            url=reverse("perfgoals:finance_queue"),
            form_key="finance_form",
        ),
        lambda outcome: Done(_FINANCE_DONE[step, targets]),
    )
