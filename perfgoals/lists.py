"""The project lists: every project-year a user may see, with its budget and its evaluation's status,
score and grade (项目列表), and the starting page.

`ProjectYearListView` is the list of project-years the project list and the review queue are made of:
`projects.lists.ObjectListView` with the project table and filters, and the joins and subqueries its
columns read (`annotate_for_lists`).
"""

from __future__ import annotations

from django.db.models import Case, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.shortcuts import redirect

from projects.choices import Role
from projects.lists import ObjectListView
from projects.models import BudgetLine
from projects.scoping import roles_of, visible_projects

from .choices import Status
from .filtersets import ProjectFilterSet
from .tables import ProjectTable

#: lifecycle order of the statuses, for sorting by status
STATUS_RANK = {status: rank for rank, status in enumerate(Status.values)}


def _budget_sum(field: str) -> Subquery:
    lines = (
        BudgetLine.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(lines, output_field=DecimalField(max_digits=16, decimal_places=4))


def annotate_for_lists(queryset):
    """What the list columns show and sort by, in the same query as the rows."""
    return queryset.select_related("unit", "department", "evaluation").annotate(
        budget_annual=_budget_sum("annual"),
        budget_executed=_budget_sum("executed"),
        status_rank=Case(
            *[When(evaluation__status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()],
            default=Value(len(STATUS_RANK)),
            output_field=IntegerField(),
        ),
    )


class ProjectYearListView(ObjectListView):
    """A list of project-years with their budget and evaluation; subclasses set `scoped_queryset()`."""

    table_class = ProjectTable
    filterset_class = ProjectFilterSet

    def annotate_rows(self, queryset):
        return annotate_for_lists(queryset)


class ProjectListView(ProjectYearListView):
    """我的项目: every project the user may see (unit, department, region or all)."""

    title = "项目列表"
    intro = "默认显示最近一个年度的项目；选择“全部年度”可查看历年项目。"

    def scoped_queryset(self):
        return visible_projects(self.request.user)


def home(request):
    """The starting page: the overview (/overview/) for those who oversee, the unit's own page for unit
    users (oversight.views.overview_page sends them on); the login page for visitors."""
    if not request.user.is_authenticated:
        return redirect("project_list")  # → the login page, then back here
    if roles_of(request.user) == {Role.THIRD_PARTY}:
        return redirect("recheck:index")  # a third-party reviewer works only on the 复核 assigned to it
    return redirect("oversight:overview")
