"""The one list view every list uses (projects, the review queue): a scoped queryset, a django-filter
filterset, a django-tables2 table, paging, sorting and `?_export=csv|xlsx`.

It knows nothing of what a list shows: the lists themselves (`perfgoals.lists`, the review queue) set
the table, the filterset, the scope and the joins their columns need.
"""

from __future__ import annotations

import itertools

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import EmptyPage
from django.utils import timezone
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from . import exports

#: the largest page a list shows, whatever ``?per_page=`` asks for: a page size is read from the query
#: string (bookmarks and the tests use it), so it is bounded here rather than trusted
MAX_PER_PAGE = 200


class ObjectListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """A scoped, filtered, sorted, paged and exportable list. Subclasses set the attributes below
    (with `table_class` and `filterset_class`), `scoped_queryset()` and, if their columns need joins
    or subqueries, `annotate_rows()`; nothing else."""

    template_name = "projects/object_list.html"
    #: rows a page (django-tables2 pages the table; Django's own list paging stays off)
    per_page = 25
    export_trigger_param = "_export"
    export_formats = ("csv", "xlsx")
    #: the export's file name before the date, in Chinese like the page (empty: the page's title)
    export_name = ""
    title = "项目"
    intro = ""
    #: FilterView would answer an invalid filter with an empty list; show the errors instead
    strict = True

    @classmethod
    def bounded_per_page(cls, value) -> int:
        """The page size for a ``?per_page=`` value: the list's default for anything that is not a
        positive whole number, and at most MAX_PER_PAGE (a larger one is clamped to it)."""
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            return cls.per_page
        if number < 1:
            return cls.per_page
        return min(number, MAX_PER_PAGE)

    def scoped_queryset(self):
        raise NotImplementedError

    def annotate_rows(self, queryset):
        """The filtered rows with what the list's columns show and sort by (joins, subqueries)."""
        return queryset

    def get_queryset(self):
        # the filterset (and the year, department and unit choices it reads) works on the plain scoped
        # queryset; the list's joins and subqueries are added to the filtered rows only
        return self.scoped_queryset()

    def get_table(self, **kwargs):
        # as SingleTableMixin.get_table, with the list's joins and subqueries added to the filtered rows;
        # the table also gets the filtered rows without them, to count (and group) cheaply: see
        # TwoStepPageMixin
        filtered = self.get_table_data()
        table = self.get_table_class()(data=self.annotate_rows(filtered), filtered=filtered, **kwargs)
        # RequestConfig reads the sort order only: it would hand ?per_page= and ?page= to the paginator
        # as they come (a negative page size raised, an answer of 500), so the page is chosen here
        RequestConfig(self.request, paginate=False).configure(table)
        pagination = self.get_table_pagination(table)
        if pagination:
            self._paginate(table, **pagination)
        return table

    def _paginate(self, table, per_page: int) -> None:
        """Page the table: the requested page, the first one for anything before it or not a number,
        the last one for anything past the end."""
        page = self.request.GET.get(table.prefixed_page_field, "")
        try:
            number = max(int(page.strip()), 1)
        except ValueError:
            number = 1
        try:
            table.paginate(page=number, per_page=per_page)
        except EmptyPage:
            table.paginate(page=table.paginator.num_pages, per_page=per_page)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound, so that the default year applies
        return kwargs

    def get_table_pagination(self, table):
        if self.export_format():
            return None  # an export has every row of the filter, read in chunks (create_export)
        return {"per_page": self.bounded_per_page(self.request.GET.get(table.prefixed_per_page_field))}

    def export_format(self) -> str | None:
        """ "csv" or "xlsx" when the request asks for an export of the list, else None (any other
        ``?_export=`` value shows the list)."""
        wanted = self.request.GET.get(self.export_trigger_param)
        return wanted if wanted in self.export_formats else None

    def render_to_response(self, context, **kwargs):
        export_format = self.export_format()
        if export_format:
            return self.create_export(export_format)
        return super().render_to_response(context, **kwargs)

    def create_export(self, export_format):
        """The whole filtered list, streamed: CSV row by row, XLSX in constant memory (see
        projects.exports); user text is written as text, never as a formula."""
        table = self.get_table(**self.get_table_kwargs())
        header, rows = exports.table_values(table)
        formats = exports.table_formats(table)
        footer = getattr(table, "footer_values", None)
        if footer is not None:
            # the list's 合计 as the last row (the table decides what it sums)
            names = [c.name for c in table.columns.iterall() if not c.column.exclude_from_export]
            rows = itertools.chain(rows, filter(None, [footer(names)]))
        filename = self.get_export_filename(export_format)
        if export_format == "csv":
            return exports.streaming_download(
                exports.csv_chunks(header, rows, formats), filename, exports.CSV
            )
        chunks = exports.xlsx_chunks(header, rows, title=self.title, formats=formats)
        return exports.streaming_download(chunks, filename, exports.XLSX)

    def get_export_filename(self, export_format):
        """项目列表-2026-12-04.xlsx: the page's name and the day, as an official would save it."""
        stamp = timezone.localdate().strftime("%Y-%m-%d")
        return f"{self.export_name or self.title}-{stamp}.{export_format}"

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
