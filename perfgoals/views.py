"""Pages of entry and review: the project page laid out like the official 自评表, the inline saves,
submission, the review queue and the review page.

Views configure: they fetch the project through `projects.scoping.visible_projects` (another unit's
or department's project is a 404), hand what the user sent to a named action of `perfgoals.workflow`
(which checks the right to act, the status and the version), and render. The presentation helpers
below (`build_sheet`, `project_history`) only arrange loaded data; they run no queries per row.

The page's version: every input that carries ``Evaluation.version`` on the entry page (submit, budget,
explanations, and one in each row's form) has the class ``page-version``. An inline save answers, out of
band, the row's neighbours (result bar, total, history section) and one more such input that replaces
them all: with the new version when the page had seen everything up to the save
(``SaveOutcome.page_version``), else with the version the page was rendered with, so that the user's own
saves never make the submit stale and a save over someone else's change never hides it. The target stage
re-renders its whole tree (with the submit form) after each action, and the history out of band.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from projects.choices import BudgetSource, Role
from projects.filtersets import ReviewQueueFilterSet
from projects.models import BudgetLine, Project
from projects.scoping import reviewable_projects, roles_of, visible_projects
from projects.tables import ReviewQueueTable, StatusColumn
from projects.views import ObjectListView

from . import services, workflow
from .choices import Status
from .engine import (
    LEVEL1,
    LEVEL2,
    Direction,
    EvaluationResult,
    Flag,
    Kind,
    parse,
    score_evaluation,
    vocabulary,
)
from .engine.nature import direction_signal
from .engine.values import format_decimal
from .forms import (
    ApproveForm,
    BudgetForm,
    ExplanationForm,
    IndicatorEntryForm,
    Level1WeightsForm,
    ReopenForm,
    ReturnForm,
    SubmitForm,
    TargetForm,
    TargetReturnForm,
)
from .intake import services as intake_services
from .intake.models import CarriedIndicator
from .models import Evaluation, Indicator
from .templatetags.perf_format import plain_number, score_text

#: engine flags not worth a chip while entering: the explanation already says "封顶" and "推测…请确认"
#: (the direction is part of the approved targets, not of the results), and the reported scores are
#: replaced by the computed ones on submission
_ENTRY_HIDDEN_FLAGS = {Flag.CAPPED, Flag.REPORTED_SCORE_DIFFERS, Flag.DIRECTION_SUGGESTED}
_FLAG_LEVEL = {
    Flag.DIRECTION_SUGGESTED: "info",
    Flag.OVERSHOOT: "warn",
    Flag.DEVIATION_NOTE_REQUIRED: "warn",
    Flag.DEADLINE_LATE: "warn",
    Flag.TARGET_ZERO: "info",
}


# --- loading -----------------------------------------------------------------------------------------


def _project_for(user, pk: int) -> Project:
    """The project if the user may see it; 404 otherwise (never a hint that it exists)."""
    queryset = visible_projects(user).select_related("unit__department__region", "evaluation__scheme")
    return get_object_or_404(queryset.prefetch_related("budget_lines"), pk=pk)


def _indicators(project: Project) -> list[Indicator]:
    indicators = list(project.indicators.order_by("order"))
    for indicator in indicators:
        indicator.project = project  # no query per row when something asks for it
    return indicators


def _score(project: Project, indicators: list[Indicator]) -> EvaluationResult:
    """The engine's view of the stored data (pure: no query), for subtotals and suggestions."""
    scheme = project.evaluation.scheme.engine_scheme()
    return score_evaluation(services.evaluation_input(project, indicators), scheme)


# --- the 自评表 layout ---------------------------------------------------------------------------------


@dataclass
class SheetRow:
    """One row of the indicator block: an indicator, or a level-2 category printed as "无"."""

    level1: str
    level2: str
    indicator: Indicator | None = None
    level1_cell: dict | None = None  # {"label", "weight", "rowspan"} on the first row of a level 1
    level2_cell: dict | None = None  # {"label", "rowspan"} on the first row of a level 2
    form: IndicatorEntryForm | None = None
    show_band: bool = False
    suggested_band: str | None = None
    flags: list[tuple[str, str]] = field(default_factory=list)
    review_flags: list = field(default_factory=list)
    message: str = ""
    message_level: str = ""

    @property
    def needs_check(self) -> bool:
        """The row carries a review flag beyond mere information."""
        return any(flag.level != "info" for flag in self.review_flags)

    @property
    def anchor(self) -> str:
        return f"ind-{self.indicator.pk}" if self.indicator else f"empty-{self.level1}-{self.level2}"


def _level2_rank(code: str) -> int:
    codes = list(LEVEL2)
    return codes.index(code) if code in codes else len(codes)


def build_sheet(
    project: Project,
    evaluation: Evaluation,
    indicators: list[Indicator],
    result: EvaluationResult,
    *,
    caps: workflow.Capabilities | None = None,
    review: bool = False,
    bound: dict[int, IndicatorEntryForm] | None = None,
    row_messages: dict[int, tuple[str, str]] | None = None,
) -> list[SheetRow]:
    """The indicator block grouped by level 1 and level 2 with the rowspans of the printed form.

    Level-1 blocks follow the order of the indicators (the order of the source), level-2 groups the
    vocabulary's order; empty level-2 categories ("无") keep their place.
    """
    scheme = evaluation.scheme.engine_scheme()
    entry = caps is not None and caps.can_enter and not review
    bound = bound or {}
    row_messages = row_messages or {}
    results = {ind.pk: res for ind, res in zip(indicators, result.indicators, strict=True)}

    groups: dict[str, dict[str, list[Indicator | None]]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(indicator)
    for level1, level2 in project.empty_level2 or []:
        groups.setdefault(level1, {}).setdefault(level2, [None])

    declared = evaluation.declared_level1_weights or {}
    rows: list[SheetRow] = []
    for level1, level2_groups in groups.items():
        level1_rows = sum(len(members) for members in level2_groups.values())
        weights = [
            ind.weight
            for members in level2_groups.values()
            for ind in members
            if ind and ind.weight is not None
        ]
        header = declared.get(level1)
        weight = (
            Decimal(str(header))
            if header not in (None, "")
            else (sum(weights, Decimal(0)) if weights else None)
        )
        first_of_level1 = True
        for level2 in sorted(level2_groups, key=_level2_rank):
            members = level2_groups[level2]
            for position, indicator in enumerate(members):
                row = SheetRow(level1=level1, level2=level2, indicator=indicator)
                if first_of_level1:
                    row.level1_cell = {
                        "label": LEVEL1.get(level1, level1),
                        "weight": weight,
                        "rowspan": level1_rows,
                    }
                    first_of_level1 = False
                if position == 0:
                    row.level2_cell = {"label": LEVEL2.get(level2, level2), "rowspan": len(members)}
                if indicator is not None:
                    _fill_row(
                        row,
                        indicator,
                        results[indicator.pk],
                        scheme,
                        caps,
                        entry,
                        review,
                        bound,
                        row_messages,
                    )
                rows.append(row)
    return rows


def _fill_row(row, indicator, scored, scheme, caps, entry, review, bound, row_messages) -> None:
    row.suggested_band = scored.suggested_band if Flag.BAND_REQUIRED in scored.flags else None
    row.show_band = workflow.needs_band(indicator)
    hidden = _ENTRY_HIDDEN_FLAGS if not review else set()
    row.flags = [
        (flag.label, _FLAG_LEVEL.get(flag, "danger"))
        for flag in Flag
        if flag.value in (indicator.flags or []) and flag not in hidden
    ]
    if review:
        row.review_flags = workflow.indicator_review_flags(indicator, scheme)
    if entry:
        row.form = bound.get(indicator.pk) or IndicatorEntryForm(
            indicator=indicator, scheme=scheme, can_edit_plan=caps.can_edit_plan
        )
        if row.form.is_bound:
            row.show_band = row.show_band or bool(row.form.data.get(row.form.add_prefix("band")))
    if indicator.pk in row_messages:
        row.message, row.message_level = row_messages[indicator.pk]


def _subtotals(result: EvaluationResult) -> list[dict]:
    return [
        {
            "name": sub.name,
            "score": sub.capped_score,
            "weight": sub.declared_weight if sub.declared_weight is not None else sub.weight_sum,
        }
        for sub in result.subtotals.values()
    ]


def _budget_rows(project: Project) -> dict:
    lines = {line.source: line for line in project.budget_lines.all()}
    totals = project.budget_totals()
    return {
        "totals": totals,
        "lines": [(label, lines.get(source)) for source, label in BudgetForm.SOURCES],
    }


# --- history -----------------------------------------------------------------------------------------

_TRACKED = {
    "indicator": [
        "actual_text",
        "band",
        "band_score",
        "weight",
        "deviation_note",
        "score",
        "reported_score",
        "target_text",
        "not_applicable",
    ],
    "evaluation": [
        "status",
        "total_score",
        "grade",
        "execution_score",
        "low_score_explanation",
        "review_comment",
    ],
    "budget": ["initial", "annual", "executed"],
    "project": ["goal_result_text", "goal_text", "name"],
}
_SCORE_FIELDS = {"score", "reported_score", "band_score", "total_score", "execution_score"}
_STATUS_LABELS = dict(Status.choices)
_SOURCE_LABELS = dict(BudgetSource.choices)


@dataclass
class HistoryEntry:
    when: object
    user: str
    subject: str
    changes: list[tuple[str, str, str]]
    reason: str = ""


def _history_value(name: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if name == "status":
        return _STATUS_LABELS.get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return score_text(value) if name in _SCORE_FIELDS else plain_number(value)
    text = str(value)
    return text if len(text) <= 80 else text[:78] + "…"


def _diff_records(records, kind: str, model, subject) -> list[HistoryEntry]:
    fields = _TRACKED[kind]
    labels = {name: str(model._meta.get_field(name).verbose_name) for name in fields}
    by_object = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    entries = []
    for object_records in by_object.values():
        previous = None
        for record in object_records:
            user = record.history_user
            who = (user.first_name or user.username) if user else "（系统）"
            if previous is None:
                # the first record is the data as loaded; only what a person created in the app is news
                if record.history_type == "+" and user is not None:
                    changes = [
                        (labels[n], "（空）", _history_value(n, getattr(record, n)))
                        for n in fields
                        if getattr(record, n) not in (None, "")
                    ]
                    entries.append(
                        HistoryEntry(
                            record.history_date,
                            who,
                            subject(record) + "（新增）",
                            changes,
                            record.history_change_reason or "",
                        )
                    )
            else:
                changes = [
                    (
                        labels[n],
                        _history_value(n, getattr(previous, n)),
                        _history_value(n, getattr(record, n)),
                    )
                    for n in fields
                    if getattr(previous, n) != getattr(record, n)
                ]
                if changes:
                    entries.append(
                        HistoryEntry(
                            record.history_date,
                            who,
                            subject(record),
                            changes,
                            record.history_change_reason or "",
                        )
                    )
            previous = record
    return entries


def project_history(project: Project, limit: int = 100) -> tuple[list[HistoryEntry], int]:
    """Every recorded change of the project-year (values, statuses, scores): who, when, old → new.

    Four queries whatever the number of rows; the newest ``limit`` entries and the total count.
    """

    def order(qs):
        return qs.select_related("history_user").order_by("id", "history_date", "history_id")

    entries = []
    entries += _diff_records(
        order(Indicator.history.filter(project_id=project.pk)),
        "indicator",
        Indicator,
        lambda r: f"指标“{r.name}”",
    )
    entries += _diff_records(
        order(Evaluation.history.filter(project_id=project.pk)), "evaluation", Evaluation, lambda r: "自评"
    )
    entries += _diff_records(
        order(BudgetLine.history.filter(project_id=project.pk)),
        "budget",
        BudgetLine,
        lambda r: f"预算·{_SOURCE_LABELS.get(r.source, r.source)}",
    )
    entries += _diff_records(
        order(Project.history.filter(id=project.pk)), "project", Project, lambda r: "项目"
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit], len(entries)


# --- the project page --------------------------------------------------------------------------------


def _page_context(request, project: Project, **overrides) -> dict:
    evaluation = project.evaluation
    indicators = _indicators(project)
    result = _score(project, indicators)
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
    history, history_total = project_history(project)
    problems = workflow.missing_items(project, evaluation, indicators, result) if caps.can_enter else []
    latest = actions[0] if actions else None
    context = {
        "project": project,
        "evaluation": evaluation,
        "scheme": evaluation.scheme.engine_scheme(),
        "result": result,
        "caps": caps,
        "sheet": sheet,
        "subtotals": _subtotals(result),
        "budget": _budget_rows(project),
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


@login_required
@require_GET
def project_page(request, pk: int):
    """The 自评表 of one project-year: read-only, or in entry mode for the unit while it may enter."""
    project = _project_for(request.user, pk)
    if project.evaluation.status in workflow.TARGET_STAGE:
        return _targets_page(request, project)
    return render(request, "perfgoals/project.html", _page_context(request, project))


def _render_page(request, project: Project, status: int, **overrides):
    # the data may have changed in the failed action: read it again
    project = _project_for(request.user, project.pk)
    return render(
        request, "perfgoals/project.html", _page_context(request, project, **overrides), status=status
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _sent_page_version(request) -> int | None:
    """The evaluation version the page posting was rendered with (its ``page-version`` inputs)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


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
    project = _project_for(request.user, project.pk)
    context = _page_context(
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
    project = _project_for(request.user, pk)
    indicator = get_object_or_404(Indicator, pk=indicator_pk, project=project)
    indicator.project = project
    evaluation = project.evaluation
    caps = workflow.capabilities(request.user, project, evaluation)
    _require(caps.is_unit_user)
    form = IndicatorEntryForm(
        request.POST,
        indicator=indicator,
        scheme=evaluation.scheme.engine_scheme(),
        can_edit_plan=caps.can_edit_plan,
    )
    status, message = 200, ("", "")
    # the page's version follows this save only if the page had seen everything before it
    page_version = _sent_page_version(request)
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
    return _render_page(
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
    project = _project_for(request.user, pk)
    evaluation = project.evaluation
    caps = workflow.capabilities(request.user, project, evaluation)
    _require(caps.is_unit_user)
    form = BudgetForm(
        request.POST,
        evaluation=evaluation,
        lines=project.budget_lines.all(),
        can_edit_plan=caps.can_edit_plan,
    )
    if not form.is_valid():
        return _render_page(
            request, project, 422, budget_form=form, page_error="预算数据有填写错误，未保存，请按提示修改。"
        )
    try:
        outcome = workflow.save_budget(evaluation, request.user, form.lines(), form.cleaned_data["version"])
    except workflow.InvalidData as exc:
        for name, errors in exc.errors.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return _render_page(
            request, project, 422, budget_form=form, page_error="预算数据有填写错误，未保存，请按提示修改。"
        )
    except workflow.WorkflowError as exc:
        return _render_page(request, project, 409, page_error=exc.message)
    if outcome.changed:
        messages.success(request, "预算执行数据已保存，预算执行得分已重新计算。")
    else:
        messages.info(request, "预算数据没有修改。")
    return redirect(reverse("perfgoals:project", args=[project.pk]) + "#budget")


@login_required
@require_POST
def save_explanations(request, pk: int):
    project = _project_for(request.user, pk)
    _require(workflow.may_enter(request.user, project))
    evaluation = project.evaluation
    form = ExplanationForm(request.POST)
    anchor = "low-score" if "low_score_explanation" in request.POST else "goal"
    form_key = "low_form" if anchor == "low-score" else "goal_form"
    if not form.is_valid():
        return _render_page(
            request, project, 422, **{form_key: form, "page_error": "说明文字有填写错误，未保存。"}
        )
    try:
        outcome = workflow.save_explanations(
            evaluation, request.user, form.submitted(), form.cleaned_data["version"]
        )
    except workflow.WorkflowError as exc:
        return _render_page(request, project, 409, page_error=exc.message)
    messages.success(request, "说明已保存。" if outcome.changed else "说明没有修改。")
    return redirect(reverse("perfgoals:project", args=[project.pk]) + f"#{anchor}")


#: a submission from a page that sent no version (forged, or rendered before submissions carried one)
_NO_VERSION = "页面缺少版本信息，{}没有提交。页面已显示最新数据，请核对后再提交。"


@login_required
@require_POST
def submit(request, pk: int):
    """Submit for review: all or nothing, with everything missing listed at once."""
    project = _project_for(request.user, pk)
    _require(workflow.may_enter(request.user, project))
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _render_page(request, project, 409, page_error=_NO_VERSION.format("自评"))
    try:
        workflow.submit_evaluation(project.evaluation, request.user, form.cleaned_data["version"])
    except workflow.Incomplete as exc:
        return _render_page(request, project, 422, submit_problems=exc.problems)
    except workflow.WorkflowError as exc:
        return _render_page(request, project, 409, page_error=exc.message)
    messages.success(request, "自评已提交审核。审核期间数据锁定；如被退回，可在本页看到审核意见。")
    return redirect("perfgoals:project", pk=project.pk)


# --- review ------------------------------------------------------------------------------------------


#: statuses whose review page is about the targets (the tree and its readings), not the scores
TARGET_REVIEW_STATUSES = {Status.DRAFT, Status.TARGETS_SUBMITTED, Status.TARGETS_APPROVED}


class TargetsAndSelfEvaluationQueueTable(ReviewQueueTable):
    """The queue with both kinds of submission: the status column says which; target rows get the
    target flags (unreadable, direction unconfirmed, weights) instead of the score flags."""

    status = StatusColumn("状态", accessor="evaluation__status", order_by=("status_rank",))

    class Meta(ReviewQueueTable.Meta):
        sequence = (
            "year",
            "name",
            "unit",
            "status",
            "submitted_at",
            "execution_rate",
            "total_score",
            "grade",
            "flags",
        )
        exclude = ("department", "budget_annual", "budget_executed")
        empty_text = "没有待审核的自评或绩效目标。"

    @staticmethod
    def _summary(record) -> list[tuple[str, int, str]]:
        cached = getattr(record, "_review_summary", None)
        if cached is None:
            evaluation = record.evaluation
            if evaluation.status == Status.TARGETS_SUBMITTED:
                cached = workflow.target_review_summary(record, evaluation, list(record.indicators.all()))
            else:
                cached = workflow.review_summary(
                    evaluation, record.indicators.all(), evaluation.scheme.engine_scheme()
                )
            record._review_summary = cached
        return cached


class ReviewQueueView(ObjectListView):
    """待审核: the submitted targets and self-evaluations of the units under the supervisor's department."""

    table_class = TargetsAndSelfEvaluationQueueTable
    filterset_class = ReviewQueueFilterSet
    title = "待审核"
    intro = "本部门所属单位已提交、等待批复的绩效目标和等待审核的绩效自评（见“状态”栏）。提示栏列出需要重点核实的问题。"
    export_name = "review-queue"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not ({Role.SUPERVISOR, Role.ADMIN} & roles_of(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self):
        return (
            reviewable_projects(self.request.user)
            .filter(evaluation__status__in=[Status.SUBMITTED, Status.TARGETS_SUBMITTED])
            .select_related("evaluation__scheme")
            .prefetch_related("indicators")
        )


def _review_context(request, project: Project, **overrides) -> dict:
    evaluation = project.evaluation
    indicators = _indicators(project)
    result = _score(project, indicators)
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
        "subtotals": _subtotals(result),
        "budget": _budget_rows(project),
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
    project = _project_for(request.user, pk)
    if project.evaluation.status in TARGET_REVIEW_STATUSES:
        return render(request, "perfgoals/review_targets.html", _target_review_context(request, project))
    return render(request, "perfgoals/review.html", _review_context(request, project))


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
    project = _project_for(request.user, pk)
    _require(workflow.may_review(request.user, project))
    form_class, act, done = _REVIEW_ACTIONS[action]
    form = form_class(request.POST)
    form_key = f"{action}_form"
    if not form.is_valid():
        return render(
            request,
            "perfgoals/review.html",
            _review_context(request, project, **{form_key: form}),
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
            _review_context(request, project, **{form_key: form}),
            status=422,
        )
    except workflow.WorkflowError as exc:
        project = _project_for(request.user, pk)
        return render(
            request,
            "perfgoals/review.html",
            _review_context(request, project, page_error=exc.message),
            status=409,
        )
    messages.success(request, done)
    if action == "reopen":
        return redirect("perfgoals:review", pk=project.pk)
    return redirect("perfgoals:review_queue")


# --- the target stage: the indicator tree of a draft --------------------------------------------------

_SOURCE_LABELS_DIRECTION = {
    "user": "已人工确认",
    "column": "按指标性质列",
    "operator": "按符号识别",
    "word": "按用语识别",
    "name": "按指标名称推测",
    "default": "未标明方向，暂按正向",
}


def target_reading(indicator: Indicator) -> dict:
    """What the engine read in a target, for display beside the field (pure: no query)."""
    value = parse(
        indicator.target_text, nature=indicator.nature_printed or None, unit=indicator.unit_printed or None
    )
    kind = Kind(indicator.target_kind) if indicator.target_kind in Kind._value2member_map_ else value.kind
    direction = (
        Direction(indicator.direction) if indicator.direction in Direction._value2member_map_ else None
    )
    shown = ""
    if kind is Kind.QUANTITATIVE and value.number is not None:
        shown = (
            f"{direction.symbol if direction else ''}{format_decimal(value.number)}{value.printed_unit or ''}"
        )
    elif kind is Kind.DEADLINE and value.deadline is not None:
        shown = value.deadline.display()
    elif kind is Kind.QUALITATIVE and value.scale:
        shown = {"three": "完成/部分完成/未完成", "five": "优良中低差", "hml": "高中低"}.get(value.scale, "")
    suggested = workflow.direction_suggested(indicator)
    hint = ""
    if suggested and indicator.direction_source == "name":
        _, keyword = direction_signal(indicator.name)
        hint = f"按名称中的“{keyword}”推测为{direction.label if direction else ''}" if keyword else ""
    elif suggested:
        hint = "未标明方向，暂按正向（≥）计"
    return {
        "kind": kind.label,
        "kind_code": kind.value,
        "direction": direction.label if direction and kind is Kind.QUANTITATIVE else "",
        "direction_code": direction.value if direction else "",
        "value": shown,
        "source": _SOURCE_LABELS_DIRECTION.get(indicator.direction_source, "")
        if kind is Kind.QUANTITATIVE
        else "",
        "suggested": suggested,
        "unreadable": workflow.target_unreadable(indicator),
        "hint": hint,
    }


@dataclass
class TargetRow:
    """One indicator of the target tree, with its category cells, form, reading and last year's values."""

    indicator: Indicator
    level1_cell: dict | None = None
    level2_cell: dict | None = None
    form: TargetForm | None = None
    reading: dict = field(default_factory=dict)
    carried: object = None
    suggestion: str = ""
    review_flags: list = field(default_factory=list)
    first_in_group: bool = False
    last_in_group: bool = False
    message: str = ""
    message_level: str = ""

    @property
    def anchor(self) -> str:
        return f"tgt-{self.indicator.pk}"


def build_target_rows(
    indicators: list[Indicator],
    generation: str,
    carried: dict,
    *,
    editable: bool,
    review: bool = False,
    bound: dict | None = None,
    row_messages: dict | None = None,
) -> list[TargetRow]:
    """The tree grouped by level 1 and level 2 in the generation's print order, with rowspans."""
    bound = bound or {}
    row_messages = row_messages or {}
    level1_order = list(vocabulary.GENERATION_LEVEL1[generation]) + list(LEVEL1)
    level2_order = list(vocabulary.GENERATIONS[generation]) + list(LEVEL2)
    groups: dict[str, dict[str, list[Indicator]]] = {}
    for indicator in sorted(
        indicators, key=lambda i: (level1_order.index(i.level1) if i.level1 in level1_order else 99, i.order)
    ):
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(indicator)
    rows: list[TargetRow] = []
    for level1, level2_groups in groups.items():
        count = sum(len(m) for m in level2_groups.values())
        weights = [
            i.weight
            for m in level2_groups.values()
            for i in m
            if i.weight is not None and not i.not_applicable
        ]
        first = True
        for level2 in sorted(level2_groups, key=lambda c: level2_order.index(c) if c in level2_order else 99):
            members = level2_groups[level2]
            for position, indicator in enumerate(members):
                row = TargetRow(
                    indicator=indicator,
                    first_in_group=position == 0,
                    last_in_group=position == len(members) - 1,
                )
                if first:
                    row.level1_cell = {
                        "label": LEVEL1.get(level1, level1),
                        "rowspan": count,
                        "sum": sum(weights, Decimal(0)),
                    }
                    first = False
                if position == 0:
                    row.level2_cell = {"label": LEVEL2.get(level2, level2), "rowspan": len(members)}
                row.reading = target_reading(indicator)
                link = carried.get(indicator.pk)
                if link is not None:
                    row.carried = link
                    row.suggestion = intake_services.relative_suggestion(indicator, link)
                if editable:
                    row.form = bound.get(indicator.pk) or TargetForm(
                        generation=generation, indicator=indicator
                    )
                if review:
                    row.review_flags = workflow.target_review_flags(indicator)
                if indicator.pk in row_messages:
                    row.message, row.message_level = row_messages[indicator.pk]
                rows.append(row)
    return rows


def _carried(project: Project) -> dict:
    """Last year's values of a rolled-over project, by indicator (one query)."""
    return {c.indicator_id: c for c in CarriedIndicator.objects.filter(indicator__project_id=project.pk)}


def _targets_context(request, project: Project, *, caps=None, review: bool = False, **overrides) -> dict:
    evaluation = project.evaluation
    indicators = _indicators(project)
    caps = caps or workflow.capabilities(request.user, project, evaluation)
    tcaps = workflow.target_capabilities(request.user, project, evaluation, caps)
    generation = workflow.project_generation(project, indicators)
    carried = _carried(project)
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


def _targets_page(request, project: Project, status: int = 200, **overrides):
    context = _targets_context(request, project, **overrides)
    context["history"], context["history_total"] = project_history(project)
    return render(request, "perfgoals/project.html", context, status=status)


def _targets_response(
    request, project: Project, status: int = 200, *, anchor: str = "", success: str = "", **overrides
):
    """After a target action: htmx gets the re-rendered tree (and a toast); a plain post a redirect or the page."""
    project = _project_for(request.user, project.pk)
    if request.htmx:
        toast = overrides.pop("toast", None) or ((success, "success") if success else ("", ""))
        context = _targets_context(request, project, toast=toast, **overrides)
        # the whole tree (with the submit form and its version) is re-rendered; the history out of band
        context["history"], context["history_total"] = project_history(project)
        html = render_to_string("perfgoals/_targets_response.html", context, request=request)
        return HttpResponse(html, status=status)
    if status == 200:
        if success:
            messages.success(request, success)
        return redirect(
            reverse("perfgoals:project", args=[project.pk]) + (f"#{anchor}" if anchor else "#targets")
        )
    return _targets_page(request, project, status, **overrides)


def _unit_project(request, pk: int) -> Project:
    project = _project_for(request.user, pk)
    _require(workflow.may_enter(request.user, project))
    return project


def _form_errors(form, exc: workflow.InvalidData) -> None:
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


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
            _form_errors(form, exc)
        except workflow.WorkflowError as exc:
            return _targets_response(
                request, project, 409, page_error=exc.message, toast=(exc.message, "error")
            )
        else:
            ind = outcome.indicator
            return _targets_response(
                request, project, anchor=f"tgt-{ind.pk}", success=f"已添加指标“{ind.name}”。"
            )
    message = "有填写错误，指标未添加，请按提示修改。"
    return _targets_response(
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
            _form_errors(form, exc)
        except workflow.VersionConflict as exc:
            return _targets_response(
                request,
                project,
                409,
                page_error=exc.message,
                toast=(exc.message, "error"),
                row_messages={indicator.pk: (exc.message, "error")},
            )
        except workflow.WorkflowError as exc:
            return _targets_response(
                request, project, 409, page_error=exc.message, toast=(exc.message, "error")
            )
        else:
            stored = outcome.indicator
            text = f"已保存“{stored.name}”。" if outcome.changed else "没有修改，无需保存。"
            return _targets_response(
                request,
                project,
                anchor=f"tgt-{stored.pk}",
                success=text,
                row_messages={stored.pk: (text, "success" if outcome.changed else "info")},
            )
    message = "有填写错误，未保存，请按提示修改。"
    return _targets_response(
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
        return _targets_response(request, project, 409, page_error=exc.message, toast=(exc.message, "error"))
    return _targets_response(request, project, success=f"已删除指标“{indicator.name}”（变更记录中保留）。")


@login_required
@require_POST
def move_target(request, pk: int, indicator_pk: int):
    project = _unit_project(request, pk)
    indicator = _target_indicator(project, indicator_pk)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return _targets_response(request, project, 422, page_error="无效的移动方向。")
    try:
        workflow.move_indicator(indicator, request.user, direction)
    except workflow.WorkflowError as exc:
        return _targets_response(request, project, 409, page_error=exc.message, toast=(exc.message, "error"))
    return _targets_response(request, project, anchor=f"tgt-{indicator.pk}", success="已调整顺序。")


@login_required
@require_POST
def save_weights(request, pk: int):
    """The declared weight of each level-1 category."""
    project = _unit_project(request, pk)
    evaluation = project.evaluation
    form = Level1WeightsForm(request.POST, evaluation=evaluation, generation=_generation(project))
    message = "一级指标分值有填写错误，未保存，请按提示修改。"
    if not form.is_valid():
        return _targets_response(
            request, project, 422, weights_form=form, page_error=message, toast=(message, "error")
        )
    try:
        outcome = workflow.save_level1_weights(
            evaluation, request.user, form.weights(), form.cleaned_data["version"]
        )
    except workflow.InvalidData as exc:
        _form_errors(form, exc)
        return _targets_response(
            request, project, 422, weights_form=form, page_error=message, toast=(message, "error")
        )
    except workflow.WorkflowError as exc:
        return _targets_response(request, project, 409, page_error=exc.message, toast=(exc.message, "error"))
    text = "一级指标分值已保存。" if outcome.changed else "一级指标分值没有修改。"
    return _targets_response(request, project, anchor="level1-weights", success=text)


@login_required
@require_POST
def submit_targets(request, pk: int):
    """Submit the targets: all or nothing, everything missing listed at once."""
    project = _unit_project(request, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _targets_page(request, project, 409, page_error=_NO_VERSION.format("绩效目标"))
    try:
        workflow.submit_targets(project.evaluation, request.user, form.cleaned_data["version"])
    except workflow.TargetsIncomplete as exc:
        project = _project_for(request.user, pk)
        return _targets_page(request, project, 422, submit_problems=exc.problems)
    except workflow.VersionConflict as exc:
        project = _project_for(request.user, pk)
        return _targets_page(request, project, 409, page_error=exc.message)
    except workflow.WorkflowError as exc:
        project = _project_for(request.user, pk)
        return _render_page(request, project, 409, page_error=exc.message)
    messages.success(
        request, "绩效目标已提交主管部门批复。批复期间指标体系锁定；如被退回，可在本页看到意见。"
    )
    return redirect("perfgoals:project", pk=project.pk)


# --- reviewing targets --------------------------------------------------------------------------------


def _target_review_context(request, project: Project, **overrides) -> dict:
    context = _targets_context(request, project, review=True)
    evaluation = project.evaluation
    context.update(
        weight_flags=workflow.target_weight_flags(project, evaluation, _indicators(project)),
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
    project = _project_for(request.user, pk)
    _require(workflow.may_review(request.user, project))
    form_class, act, done = _TARGET_REVIEW_ACTIONS[action]
    form = form_class(request.POST)
    form_key = f"{action}_form"
    template = "perfgoals/review_targets.html"
    if not form.is_valid():
        return render(
            request, template, _target_review_context(request, project, **{form_key: form}), status=422
        )
    try:
        act(project.evaluation, request.user, form.cleaned_data, form.cleaned_data["version"])
    except workflow.InvalidData as exc:
        _form_errors(form, exc)
        return render(
            request, template, _target_review_context(request, project, **{form_key: form}), status=422
        )
    except workflow.WorkflowError as exc:
        project = _project_for(request.user, pk)
        return render(
            request, template, _target_review_context(request, project, page_error=exc.message), status=409
        )
    messages.success(request, done)
    return redirect("perfgoals:review_queue")
