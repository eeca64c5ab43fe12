"""审核: the queue of the targets and self-evaluations of a supervisor's department, in three tabs —
待审核 (waiting: approved one by one, or several at once with one comment), 已退回 (returned, still with
the unit) and 已批复 (approved or published) — and the batch approval."""

from __future__ import annotations

from urllib.parse import urlencode

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from projects.choices import Role
from projects.scoping import finance_reviewable_projects, reviewable_projects, roles_of

from .. import workflow
from ..choices import Status
from ..evidence.listing import with_evidence_count
from ..filtersets import ReviewQueueFilterSet
from ..lists import ProjectYearListView
from ..models import Indicator
from ..tables import ReviewQueueTable, StatusColumn


class SelectColumn(tables.Column):
    """A checkbox per row for the batch approval: its value carries the version the page showed."""

    def __init__(self, **kwargs):
        super().__init__(
            verbose_name="选择",
            accessor="evaluation__pk",
            orderable=False,
            exclude_from_export=True,
            attrs={"td": {"class": "select"}, "th": {"class": "select"}},
            **kwargs,
        )

    def render(self, value, record):
        return format_html(
            '<input type="checkbox" name="select" value="{}:{}" form="batch-approve" aria-label="选择 {}">',
            value,
            record.evaluation.version,
            record.name,
        )


class TargetsAndSelfEvaluationQueueTable(ReviewQueueTable):
    """The queue with both kinds of submission: the status column says which; target rows get the
    target flags (unreadable, direction unconfirmed, weights) instead of the score flags."""

    select = SelectColumn()
    status = StatusColumn("状态", accessor="evaluation__status", order_by=("status_rank",))

    class Meta(ReviewQueueTable.Meta):
        sequence = (
            "select",
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
            if evaluation.status in (Status.TARGETS_SUBMITTED, Status.TARGETS_FINANCE):
                cached = workflow.target_review_summary(record, evaluation, list(record.indicators.all()))
            else:
                cached = workflow.review_summary(
                    evaluation, record.indicators.all(), evaluation.scheme.engine_scheme()
                )
            record._review_summary = cached
        return cached


class DecidedQueueTable(ReviewQueueTable):
    """已退回 / 已批复: the status instead of the flags (a decided submission needs no checking)."""

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
        )
        exclude = ("department", "budget_annual", "budget_executed", "flags")
        empty_text = "没有项目。"


#: the queue's tabs: (code, label, statuses)
TABS = [
    ("pending", "待审核", (Status.SUBMITTED, Status.TARGETS_SUBMITTED)),
    ("returned", "已退回", (Status.RETURNED,)),
    ("approved", "已批复", (Status.APPROVED, Status.PUBLISHED)),
]
TAB_STATUSES = {code: statuses for code, _label, statuses in TABS}


class ReviewQueueView(ProjectYearListView):
    """审核: the targets and self-evaluations of the units under the supervisor's department, by tab."""

    #: the tabs, who may open the queue, and which projects it reads (through projects.scoping)
    tabs = TABS
    roles = frozenset({Role.SUPERVISOR, Role.ADMIN})
    scope = staticmethod(reviewable_projects)
    batch = True
    template_name = "perfgoals/review_queue.html"
    table_class = TargetsAndSelfEvaluationQueueTable
    filterset_class = ReviewQueueFilterSet
    title = "审核"
    intro = (
        "待审核：本部门所属单位已提交、等待批复的绩效目标和等待审核的绩效自评（见“状态”栏），"
        "提示栏列出需要重点核实的问题；已退回、已批复的项目在另外两栏。"
    )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (self.roles & roles_of(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def export_name(self) -> str:
        """The export is named after its tab: 待审核-2026-12-05.xlsx, 已退回-…, 已批复-…"""
        return next(label for code, label, _statuses in self.tabs if code == self.tab)

    @property
    def tab_statuses(self) -> dict[str, tuple[str, ...]]:
        return {code: statuses for code, _label, statuses in self.tabs}

    @property
    def tab(self) -> str:
        tab = self.request.GET.get("tab", "")
        return tab if tab in self.tab_statuses else "pending"

    def get_table_class(self):
        return TargetsAndSelfEvaluationQueueTable if self.tab == "pending" else DecidedQueueTable

    def scoped_queryset(self):
        # every tab's projects: the filters (and their choices) and the tab counts work on them all
        every = [status for _code, _label, statuses in self.tabs for status in statuses]
        return self.scope(self.request.user).filter(evaluation__status__in=every)

    def get_table_data(self):
        queryset = super().get_table_data().filter(evaluation__status__in=self.tab_statuses[self.tab])
        if self.tab == "pending":
            # with each indicator's evidence count: a text actual backed by evidence is no open item
            indicators = Prefetch("indicators", queryset=with_evidence_count(Indicator.objects.all()))
            queryset = queryset.select_related("evaluation__scheme").prefetch_related(indicators)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # how many in each tab, under the same filters (one query)
        counts = {}
        for row in self.filterset.qs.order_by().values("evaluation__status").annotate(n=Count("pk")):
            counts[row["evaluation__status"]] = row["n"]
        query = self.request.GET.copy()
        for name in ("tab", "page", "sort"):
            query.pop(name, None)
        context["tabs"] = [
            {
                "code": code,
                "label": label,
                "count": sum(counts.get(s, 0) for s in statuses),
                "url": "?" + urlencode({**query.dict(), "tab": code}),
                "active": code == self.tab,
            }
            for code, label, statuses in self.tabs
        ]
        context["tab"] = self.tab
        context["batch_url"] = reverse("perfgoals:approve_many") if self.batch else ""
        return context


class FinanceQueueTable(TargetsAndSelfEvaluationQueueTable):
    """What awaits finance: the same columns and flags, one by one (no batch approval)."""

    select = None

    class Meta(TargetsAndSelfEvaluationQueueTable.Meta):
        sequence = tuple(c for c in TargetsAndSelfEvaluationQueueTable.Meta.sequence if c != "select")
        empty_text = "没有等待财政审核的绩效目标或自评。"


#: finance's queue: what the departments approved and forwarded to it, and what it accepted
FINANCE_TABS = [
    ("pending", "待财政审核", (Status.TARGETS_FINANCE, Status.FINANCE_PENDING)),
    ("approved", "已审核通过", (Status.APPROVED, Status.PUBLISHED)),
]


class FinanceQueueView(ReviewQueueView):
    """财政审核: where the region's finance is the last level (``FinanceReview``), the targets and
    self-evaluations its departments approved and forwarded, by tab; each is accepted or returned on its
    review page."""

    tabs = FINANCE_TABS
    roles = frozenset({Role.FINANCE, Role.ADMIN})
    scope = staticmethod(finance_reviewable_projects)
    batch = False
    title = "财政审核"
    intro = (
        "待财政审核：各主管部门已批复的绩效目标和已审核通过的绩效自评，由财政部门最终审核："
        "审核通过，或填写意见退回主管部门、退回填报单位。已审核通过的项目在另一栏。"
    )

    def get_table_class(self):
        return FinanceQueueTable if self.tab == "pending" else DecidedQueueTable


@login_required
@require_POST
def approve_many(request):
    """Approve the ticked submissions of the queue with one comment (all or nothing)."""
    if not ({Role.SUPERVISOR, Role.ADMIN} & roles_of(request.user)):
        raise PermissionDenied
    items = []
    for value in request.POST.getlist("select"):
        pk, _, version = value.partition(":")
        if not (pk.isascii() and pk.isdigit() and version.isascii() and version.isdigit()) or len(pk) > 18:
            messages.error(request, "提交的选择无效，请刷新页面后重试。")
            return redirect("perfgoals:review_queue")
        items.append((int(pk), int(version)))
    try:
        done = workflow.approve_many(
            items,
            request.user,
            request.POST.get("comment", "")[:2000],
            target_grade=request.POST.get("target_grade", "")[:2],
        )
    except workflow.InvalidData as invalid:
        messages.error(request, "；".join(m for errors in invalid.errors.values() for m in errors))
    except workflow.WorkflowError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"已批复 {len(done)} 个项目。")
    return redirect("perfgoals:review_queue")
