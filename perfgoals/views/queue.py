"""待审核: the queue of the targets and self-evaluations waiting for a supervisor of the department."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from projects.choices import Role
from projects.scoping import reviewable_projects, roles_of

from .. import workflow
from ..choices import Status
from ..filtersets import ReviewQueueFilterSet
from ..lists import ProjectYearListView
from ..tables import ReviewQueueTable, StatusColumn


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


class ReviewQueueView(ProjectYearListView):
    """待审核: the submitted targets and self-evaluations of the units under the supervisor's department."""

    table_class = TargetsAndSelfEvaluationQueueTable
    filterset_class = ReviewQueueFilterSet
    title = "待审核"
    intro = (
        "本部门所属单位已提交、等待批复的绩效目标和等待审核的绩效自评（见“状态”栏）。"
        "提示栏列出需要重点核实的问题。"
    )

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
