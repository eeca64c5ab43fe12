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

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from projects.models import Project

from .. import workflow
from ..choices import Status
from ..engine import EvaluationResult
from ..evidence import listing as evidence_listing
from ..forms import BudgetForm, ExplanationForm, IndicatorEntryForm, SubmitForm
from ..models import Evaluation, Indicator
from ..pages.history import project_history
from ..pages.sheet import budget_rows, build_sheet, level1_order, sheet_row, subtotals
from ..templatetags.perf_format import plain_number, score_text
from .actions import (
    CONFLICT,
    INVALID,
    NO_VERSION,
    Done,
    PageAnswer,
    Refusal,
    flash,
    form_errors,
    perform,
    require,
    sent_page_version,
)
from .loading import engine_result, history_records, indicators_of, project_for

# --- the page ----------------------------------------------------------------------------------------


def page_context(
    request,
    project: Project,
    *,
    bound: dict[int, IndicatorEntryForm] | None = None,
    row_messages: dict[int, tuple[str, str]] | None = None,
    budget_form: BudgetForm | None = None,
    goal_form: ExplanationForm | None = None,
    low_form: ExplanationForm | None = None,
    submit_problems: list | None = None,
    page_error: str = "",
) -> dict:
    """What project.html shows of a project-year in its results stage.

    After a refused action: ``bound`` (indicator pk → the row's form as the user sent it) and the
    block forms as sent (``budget_form``, ``goal_form``, ``low_form``), with their errors;
    ``row_messages`` (indicator pk → (message, level) in the row); ``submit_problems`` (what a refused
    submission lacks); ``page_error`` (the message at the top).
    """
    evaluation = project.evaluation
    indicators = indicators_of(project)
    result = engine_result(project, indicators)
    caps = workflow.capabilities(request.user, project, evaluation)
    sheet = build_sheet(
        project, evaluation, indicators, result, caps=caps, bound=bound, row_messages=row_messages
    )
    actions = list(evaluation.review_actions.select_related("user")[:20])
    history, history_total = project_history(history_records(project))
    latest = actions[0] if actions else None
    if caps.can_enter:
        budget_form = budget_form or BudgetForm(
            evaluation=evaluation, lines=project.budget_lines.all(), can_edit_plan=caps.can_edit_plan
        )
        goal_form = goal_form or ExplanationForm(
            initial={"version": evaluation.version, "goal_result_text": project.goal_result_text}
        )
        low_form = low_form or ExplanationForm(
            initial={"version": evaluation.version, "low_score_explanation": evaluation.low_score_explanation}
        )
    return {
        **_result_parts(project, evaluation, indicators, result, caps),
        "sheet": sheet,
        "budget": budget_rows(project.budget_lines.all(), project.budget_totals()),
        "budget_form": budget_form,
        "goal_form": goal_form,
        "low_form": low_form,
        "submit_problems": submit_problems,
        "page_error": page_error,
        "actions": actions,
        "notice": latest
        if latest
        and evaluation.status == Status.RETURNED
        and latest.action in ("return", "reopen", "finance_to_unit", "finance_reopen")
        else None,
        "history": history,
        "history_total": history_total,
        "evidence_panel": evidence_listing.panel(
            request.user, project, can_enter=caps.can_enter, indicators=indicators
        ),
        "plan_locked": workflow.plan_locked(evaluation),
        "guessed_directions": workflow.unconfirmed(indicators) if caps.can_choose_direction else [],
        # the evaluation version the page stands for: what its submit (and budget, explanations) send
        "page_version": evaluation.version,
    }


def _result_parts(
    project: Project,
    evaluation: Evaluation,
    indicators: list[Indicator],
    result: EvaluationResult,
    caps: workflow.Capabilities,
) -> dict:
    """What the page and an inline save's answer both show around the rows: the result bar (scores,
    what is still missing) and the total row."""
    return {
        "project": project,
        "evaluation": evaluation,
        "scheme": evaluation.scheme.engine_scheme(),
        "result": result,
        "caps": caps,
        "subtotals": subtotals(result, level1_order(project, indicators)),
        "pending": workflow.missing_items(project, evaluation, indicators, result) if caps.can_enter else [],
        "column_count": 9 if caps.can_enter else 8,
    }


def render_page(request, project: Project, status: int, **shown) -> HttpResponse:
    """The page again after a refused action, with what ``shown`` passes to :func:`page_context`."""
    # the data may have changed in the failed action: read it again
    project = project_for(request.user, project.pk)
    return render(request, "perfgoals/project.html", page_context(request, project, **shown), status=status)


def _page_answer(request, project: Project, **config) -> PageAnswer:
    """The answer of an action posted from the page (budget, explanations, submission)."""
    return PageAnswer(
        request,
        render=lambda status, **shown: render_page(request, project, status, **shown),
        url=reverse("perfgoals:project", args=[project.pk]),
        **config,
    )


# --- an inline save ----------------------------------------------------------------------------------


@dataclass
class RowAnswer:
    """The answer to an inline save of one indicator.

    htmx gets the row and, out of band, the result bar, the total row, the history, the page's version
    and a toast (``_row_response.html``) — rendered from the data this request loaded and the save
    returned, not from the whole page: the history is the only thing read again. A status the action
    refuses (submitted, approved meanwhile) reloads the page, locked. A plain post is redirected back to
    the row, or gets the page with the row's form and message.
    """

    request: object
    project: Project
    indicators: list[Indicator]
    caps: workflow.Capabilities
    indicator: Indicator
    #: the version the page posting was rendered with (the page follows a save only if it had seen all)
    page_version: int | None

    def done(self, outcome: workflow.SaveOutcome, done: Done) -> HttpResponse:
        message = (done.text, done.level)
        if not self.request.htmx:
            flash(self.request, done)
            return redirect(self._url() + f"#ind-{self.indicator.pk}")
        evaluation = outcome.evaluation or self.project.evaluation
        self.project.evaluation = evaluation
        stored = outcome.indicator
        stored.project = self.project
        indicators = [stored if ind.pk == stored.pk else ind for ind in self.indicators]
        return self._row(
            200,
            outcome.page_version(self.page_version),
            message,
            indicators=indicators,
            result=outcome.result,
            caps=self.caps.at(evaluation),
        )

    def refused(self, refusal: Refusal, form) -> HttpResponse:
        if refusal.kind == INVALID:
            status, message = 422, ("有填写错误，未保存，请按提示修改。", "error")
        else:
            if refusal.kind != CONFLICT and self.request.htmx:
                # the status changed under the page (submitted, approved): reload it, locked
                messages.error(self.request, refusal.message)
                return HttpResponse(refusal.message, status=409, headers={"HX-Refresh": "true"})
            status, message = (
                409,
                (refusal.message + (_yours(form) if refusal.kind == CONFLICT else ""), "error"),
            )
            form = None  # the row shows what is stored now
        bound = {self.indicator.pk: form} if form else None
        if self.request.htmx:
            return self._row(status, self.page_version, message, bound=bound)
        return render_page(
            self.request,
            self.project,
            status,
            bound=bound,
            row_messages={self.indicator.pk: message},
            page_error=message[0],
        )

    def _row(
        self,
        status: int,
        page_version: int | None,
        message: tuple[str, str],
        *,
        indicators: list[Indicator] | None = None,
        result: EvaluationResult | None = None,
        caps: workflow.Capabilities | None = None,
        bound: dict | None = None,
    ) -> HttpResponse:
        project, evaluation = self.project, self.project.evaluation
        indicators = indicators or self.indicators
        result = result or engine_result(project, indicators)
        caps = caps or self.caps
        row = sheet_row(
            project,
            evaluation,
            indicators,
            result,
            self.indicator.pk,
            caps=caps,
            bound=bound,
            row_messages={self.indicator.pk: message} if message[0] else None,
        )
        history, history_total = project_history(history_records(project))
        context = {
            **_result_parts(project, evaluation, indicators, result, caps),
            "row": row,
            "toast": message,
            "history": history,
            "history_total": history_total,
            # a page sending no version stays without one: its submit is refused until it is reloaded
            "page_version": -1 if page_version is None else page_version,
        }
        html = render_to_string("perfgoals/_row_response.html", context, request=self.request)
        return HttpResponse(html, status=status)

    def _url(self) -> str:
        return reverse("perfgoals:project", args=[self.project.pk])


def _yours(form: IndicatorEntryForm) -> str:
    """What the user sent, for the message of a conflict (their values were not saved)."""
    sent = form.submitted() if hasattr(form, "cleaned_data") else {}
    parts = [
        f"{workflow.INDICATOR_FIELDS[name]}“{plain_number(value) if isinstance(value, Decimal) else value}”"
        for name, value in sent.items()
        if value not in (None, "") and value != getattr(form.indicator, name, None)
    ]
    return f"（您填写的是：{'，'.join(parts)}）" if parts else ""


def _saved(outcome: workflow.SaveOutcome) -> Done:
    stored = outcome.indicator
    if outcome.changed:
        return Done(f"已保存“{stored.name}”：得分 {score_text(stored.score)}")
    return Done("没有修改，无需保存。", "info")


# --- the actions -------------------------------------------------------------------------------------


@login_required
@require_POST
def save_indicator(request, pk: int, indicator_pk: int):
    """Save one indicator's values (htmx: answer the row; otherwise redirect back to it)."""
    project = project_for(request.user, pk)
    indicators = indicators_of(project)  # the answer's row, result bar and total are built from them
    indicator = next((ind for ind in indicators if ind.pk == indicator_pk), None)
    if indicator is None:
        raise Http404
    caps = workflow.capabilities(request.user, project, project.evaluation)
    require(caps.is_unit_user)
    form = IndicatorEntryForm(
        request.POST,
        indicator=indicator,
        scheme=project.evaluation.scheme.engine_scheme(),
        can_edit_plan=caps.can_edit_plan,
    )
    return perform(
        form,
        lambda: workflow.save_indicator_actual(
            indicator, request.user, form.submitted(), form.cleaned_data["version"]
        ),
        RowAnswer(request, project, indicators, caps, indicator, page_version=sent_page_version(request)),
        _saved,
    )


@login_required
@require_POST
def save_sheet(request, pk: int):
    """全部保存: every row the page sent (``ind<pk>-version`` marks one), in one transaction.

    Saved: a flash message and back to the sheet. Refused (a field the form refuses, a rule, another
    person's save of a row): nothing is saved and the page comes back with every sent row as the user
    typed it (still marked unsaved), each problem at its row; a row in conflict shows what is stored.
    """
    project = project_for(request.user, pk)
    caps = workflow.capabilities(request.user, project, project.evaluation)
    require(caps.is_unit_user)
    scheme = project.evaluation.scheme.engine_scheme()
    forms = {
        ind.pk: IndicatorEntryForm(
            request.POST, indicator=ind, scheme=scheme, can_edit_plan=caps.can_edit_plan
        )
        for ind in indicators_of(project)
        if f"ind{ind.pk}-version" in request.POST
    }
    url = reverse("perfgoals:project", args=[project.pk]) + "#indicators"
    if not forms:
        flash(request, Done("没有需要保存的修改。", "info"))
        return redirect(url)
    row_messages: dict[int, tuple[str, str]] = {}
    invalid = [pk for pk, form in forms.items() if not form.is_valid()]
    if not invalid:
        try:
            outcome = workflow.save_sheet(
                project,
                request.user,
                {pk: (form.submitted(), form.cleaned_data["version"]) for pk, form in forms.items()},
            )
        except workflow.SheetRefused as exc:
            for pk, errors in exc.errors.items():
                form_errors(forms[pk], workflow.InvalidData(errors))
                invalid.append(pk)
            for pk, message in exc.conflicts.items():
                row_messages[pk] = (message + _yours(forms.pop(pk)), "error")
        except workflow.WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect(url)
        else:
            saved = len(outcome.changed)
            flash(
                request,
                Done(
                    f"已保存 {saved} 行指标，得分已重新计算。" if saved else "没有修改，无需保存。",
                    "success" if saved else "info",
                ),
            )
            return redirect(url)
    for pk in invalid:
        row_messages[pk] = ("有填写错误，未保存，请按提示修改。", "error")
    for pk in forms:
        row_messages.setdefault(pk, ("本行没有问题，但因其他行未能保存，本行也未保存。", "info"))
    problems = len([level for _, level in row_messages.values() if level == "error"])
    conflicted = any(pk not in forms for pk in row_messages)
    return render_page(
        request,
        project,
        409 if conflicted else 422,
        bound=forms,
        row_messages=row_messages,
        page_error=f"有 {problems} 行未能保存，本次全部保存未执行（任何一行都没有保存），请按各行提示处理。",
    )


@login_required
@require_POST
def save_budget(request, pk: int):
    """The budget block: 年初预算数, 全年预算数 and 全年执行数 of each fund source."""
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
    return perform(
        form,
        lambda: workflow.save_budget(evaluation, request.user, form.lines(), form.cleaned_data["version"]),
        _page_answer(
            request, project, form_key="budget_form", invalid="预算数据有填写错误，未保存，请按提示修改。"
        ),
        lambda outcome: (
            Done("预算执行数据已保存，预算执行得分已重新计算。", anchor="budget")
            if outcome.changed
            else Done("预算数据没有修改。", "info", anchor="budget")
        ),
    )


@login_required
@require_POST
def save_explanations(request, pk: int):
    """目标实际完成情况 or the below-80 explanation, each posted from its own place on the page."""
    project = project_for(request.user, pk)
    require(workflow.may_enter(request.user, project))
    form = ExplanationForm(request.POST)
    anchor = "low-score" if "low_score_explanation" in request.POST else "goal"
    return perform(
        form,
        lambda: workflow.save_explanations(
            project.evaluation, request.user, form.submitted(), form.cleaned_data["version"]
        ),
        _page_answer(
            request,
            project,
            form_key="low_form" if anchor == "low-score" else "goal_form",
            invalid="说明文字有填写错误，未保存。",
        ),
        lambda outcome: Done("说明已保存。" if outcome.changed else "说明没有修改。", anchor=anchor),
    )


@login_required
@require_POST
def submit(request, pk: int):
    """Submit for review: all or nothing, with everything missing listed at once."""
    project = project_for(request.user, pk)
    require(workflow.may_enter(request.user, project))
    form = SubmitForm(request.POST)
    return perform(
        form,
        lambda: workflow.submit_evaluation(project.evaluation, request.user, form.cleaned_data["version"]),
        _page_answer(request, project, invalid=NO_VERSION.format("自评"), invalid_status=409),
        lambda outcome: Done("自评已提交审核。审核期间数据锁定；如被退回，可在本页看到审核意见。"),
    )
