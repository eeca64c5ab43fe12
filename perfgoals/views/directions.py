"""Directions (#12): the unit confirms a guessed direction (one row, or all listed at once) on its
project page; a supervisor corrects one on the review page, with a reason. Plain form posts: the
action runs, the page comes back (a flash message and a redirect to the row), or the refusal's message."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import workflow
from ..forms import ConfirmDirectionsForm, CorrectDirectionForm, DirectionForm
from ..models import Indicator
from .actions import Done, PageAnswer, perform, require
from .loading import project_for
from .project import project_page_response
from .review import TARGET_REVIEW_STATUSES, _rendered, review_context, target_review_context


def _project_page_again(request, pk: int):
    return lambda status, **shown: project_page_response(
        request, project_for(request.user, pk), status, **shown
    )


def _indicator(project, indicator_pk: int) -> Indicator:
    indicator = get_object_or_404(Indicator, pk=indicator_pk, project=project)
    indicator.project = project
    return indicator


@login_required
@require_POST
def confirm_direction(request, pk: int, indicator_pk: int):
    """The unit confirms (or changes) one indicator's direction."""
    project = project_for(request.user, pk)
    require(workflow.may_enter(request.user, project))
    indicator = _indicator(project, indicator_pk)
    form = DirectionForm(request.POST)
    return perform(
        form,
        lambda: workflow.confirm_direction(
            indicator, request.user, form.cleaned_data["direction"], form.cleaned_data["version"]
        ),
        PageAnswer(
            request,
            render=_project_page_again(request, pk),
            url=reverse("perfgoals:project", args=[pk]),
            invalid="请选择指标方向。",
        ),
        lambda outcome: Done(
            f"已确认“{indicator.name}”的指标方向，得分已按此重新计算。", anchor=f"ind-{indicator.pk}"
        ),
    )


@login_required
@require_POST
def confirm_directions(request, pk: int):
    """The unit confirms every guessed direction as the system read it."""
    project = project_for(request.user, pk)
    require(workflow.may_enter(request.user, project))
    form = ConfirmDirectionsForm(request.POST)
    return perform(
        form,
        lambda: workflow.confirm_directions(project, request.user, form.cleaned_data["version"]),
        PageAnswer(
            request,
            render=_project_page_again(request, pk),
            url=reverse("perfgoals:project", args=[pk]),
            invalid="页面缺少版本信息，请刷新后重试。",
        ),
        lambda outcome: Done(
            f"已确认 {len(outcome.changed)} 项指标方向。" if outcome.changed else "没有需要确认的指标方向。",
            "success" if outcome.changed else "info",
        ),
    )


@login_required
@require_POST
def correct_direction(request, pk: int, indicator_pk: int):
    """A supervisor corrects an indicator's direction while reviewing, with a reason the unit reads."""
    project = project_for(request.user, pk)
    require(workflow.may_review(request.user, project))
    indicator = _indicator(project, indicator_pk)
    form = CorrectDirectionForm(request.POST, prefix=f"dir{indicator.pk}")
    if project.evaluation.status in TARGET_REVIEW_STATUSES:
        render_again = _rendered("perfgoals/review_targets.html", target_review_context)
    else:
        render_again = _rendered("perfgoals/review.html", review_context)
    return perform(
        form,
        lambda: workflow.correct_direction(
            indicator,
            request.user,
            form.cleaned_data["direction"],
            form.cleaned_data["reason"],
            form.cleaned_data["version"],
        ),
        PageAnswer(
            request,
            render=lambda status, **shown: render_again(request, pk, status, **shown),
            url=reverse("perfgoals:review", args=[pk]),
            invalid="更正指标方向需选择方向并填写理由。",
        ),
        lambda outcome: Done(
            f"已更正“{indicator.name}”的指标方向，得分已重新计算；理由已记入审核记录，填报单位可见。",
            anchor=f"ind-{indicator.pk}",
        ),
    )
