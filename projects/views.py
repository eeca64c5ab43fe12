"""Pages of the projects app. Views configure; the scoping module decides what a user sees.

`ObjectListView` is the one list view every list uses (projects, the review queue): a scoped
queryset, a django-filter filterset, a django-tables2 table, paging, sorting and `?_export=csv|xlsx`.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Case, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.shortcuts import redirect
from django.utils import timezone
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export.views import ExportMixin

from perfgoals.choices import Status

from .filtersets import ProjectFilterSet
from .models import BudgetLine
from .scoping import visible_projects
from .tables import BomTableExport, ProjectTable

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


class ObjectListView(LoginRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    """A scoped, filtered, sorted, paged and exportable list. Subclasses set the attributes below
    and `scoped_queryset()`; nothing else."""

    template_name = "projects/object_list.html"
    table_class = ProjectTable
    filterset_class = ProjectFilterSet
    #: rows a page (django-tables2 pages the table; Django's own list paging stays off)
    per_page = 25
    export_class = BomTableExport
    export_formats = ("csv", "xlsx")
    export_name = "projects"
    title = "项目"
    intro = ""
    #: FilterView would answer an invalid filter with an empty list; show the errors instead
    strict = True

    def scoped_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        # the filterset (and the year, department and unit choices it reads) works on the plain scoped
        # queryset; the list's joins and subqueries are added to the filtered rows only
        return self.scoped_queryset()

    def get_table(self, **kwargs):
        # as SingleTableMixin.get_table, with the list's joins and subqueries added to the filtered rows;
        # the table also gets the filtered rows without them, to count (and group) cheaply: see
        # TwoStepPageMixin
        filtered = self.get_table_data()
        table = self.get_table_class()(data=annotate_for_lists(filtered), filtered=filtered, **kwargs)
        return RequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(table)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound, so that the default year applies
        return kwargs

    def get_table_pagination(self, table):
        return {"per_page": self.per_page}

    def get_export_filename(self, export_format):
        stamp = timezone.localdate().strftime("%Y%m%d")
        return f"{self.export_name}-{stamp}.{export_format}"

    def get_dataset_kwargs(self):
        return {"title": self.title[:31]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title,
            intro=self.intro,
            export_formats=self.export_formats,
            export_query=query.urlencode(),
            filterset_year=getattr(self.filterset, "latest_year", None),
        )
        return context


class ProjectListView(ObjectListView):
    """我的项目: every project the user may see (unit, department, region or all)."""

    title = "项目列表"
    intro = "默认显示最近一个年度的项目；选择“全部年度”可查看历年项目。"

    def scoped_queryset(self):
        return visible_projects(self.request.user)


def home(request):
    """The starting page is the project list (the login page for visitors)."""
    return redirect("project_list")
