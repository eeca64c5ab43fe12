"""Table machinery of the lists (django-tables2) that knows nothing of what a list shows: paging in two
steps, the body written in one pass, and the cached render signatures.

The lists' tables and columns are declared where their data lives (the project lists: `perfgoals.tables`).
"""

from __future__ import annotations

import django_tables2.utils
from django.db.models import Count, Q, QuerySet
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2.rows import BoundRows
from django_tables2.utils import AttributeDict

from .models import Department

# django-tables2 asks inspect.signature which arguments a render method takes for every cell (33 times
# a row here): half the time of rendering a page of 25 rows. A function's signature does not change,
# so it is computed once per function. `cache_render_signatures` (called by ProjectsConfig.ready)
# puts the cached function in django-tables2's place.
_uncached_signature = django_tables2.utils.signature
_signatures: dict = {}


def _cached_signature(fn):
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    try:
        return _signatures[key]
    except KeyError:
        pass
    except TypeError:  # unhashable callable
        return _uncached_signature(fn)
    result = _uncached_signature(fn)
    if len(_signatures) < 4096:
        _signatures[key] = result
    return result


def cache_render_signatures() -> None:
    """Make django-tables2 compute each render method's signature once (see above); calling it again
    changes nothing."""
    # django-tables2 looks the function up in its utils module on every call (call_with_appropriate)
    if django_tables2.utils.signature is not _cached_signature:
        django_tables2.utils.signature = _cached_signature


class TwoStepPageMixin:
    """Pages a queryset in two steps: the page's primary keys first (sorting and skipping only the
    sort keys), then the page's rows with their joins and subqueries, 25 rows whatever the page.

    A deep page of a province (OFFSET 99,975) would otherwise compute every skipped row's budget
    subqueries. The primary key ends every ordering, so rows with equal sort keys keep one order.

    ``filtered`` is the same rows without the list's joins and subqueries (the view passes it): the
    total is counted on it, an index-only count on the project's own columns.

    An ordering led by the department (the default one: year ↓, department, name) is paged by group:
    one query counts the rows of each (year, department) — which is also the total — the groups are
    put in order (the departments' names ordered by the database, as the list orders them), and the
    page's keys are read from the few groups the page falls in only, with the ordering's remaining
    keys. Sorting a province's 100,000 rows to skip 50,000 of them cost ~150 ms; this costs ~15 ms,
    whichever the page. Any other ordering is read from the nearer end (the order reversed past the
    middle, a small OFFSET), so the last page costs what the first does.
    """

    #: sort keys that can lead a grouped ordering → the field grouped on
    GROUP_KEYS = {"year": "year", "department__name": "department_id"}

    def __init__(self, *args, filtered=None, **kwargs):
        self.filtered = filtered
        super().__init__(*args, **kwargs)

    def paginate(self, *args, **kwargs):
        base = getattr(self.data, "data", None)
        filtered = self.filtered if isinstance(self.filtered, QuerySet) else None
        groups = None
        if isinstance(base, QuerySet):
            ordering = list(base.query.order_by) or list(base.model._meta.ordering)
            if not any(str(key).lstrip("-") in ("pk", "id") for key in ordering):
                base = base.order_by(*ordering, "pk")
            if filtered is not None:
                groups = self._groups(filtered, ordering)
                # TableQuerysetData counts once and keeps the figure here
                self.data._length = (
                    sum(rows for _, rows, _ in groups) if groups is not None else filtered.count()
                )
        super().paginate(*args, **kwargs)
        sliced = getattr(self.page.object_list, "data", None)
        if not (isinstance(sliced, QuerySet) and isinstance(base, QuerySet)):
            return self
        count = self.paginator.count
        bottom = (self.page.number - 1) * self.paginator.per_page
        top = min(bottom + self.paginator.per_page, count)
        if top <= bottom:
            ids = []
        elif groups is not None:
            ids = self._grouped_page(base, groups, bottom, top)
        elif bottom > count // 2:
            ids = list(base.reverse()[count - top : count - bottom].values_list("pk", flat=True))[::-1]
        else:
            ids = list(base[bottom:top].values_list("pk", flat=True))
        records = {record.pk: record for record in base.order_by().filter(pk__in=ids)} if ids else {}
        self.page.object_list = BoundRows([records[pk] for pk in ids if pk in records], table=self)
        return self

    def _groups(self, filtered, ordering) -> list[tuple[tuple, int, dict]] | None:
        """The ordered groups of an ordering led by the department: [(sort key, rows, filter)], or None
        when the ordering is not led by the department (or year and department)."""
        lead = []
        for key in ordering:
            if not isinstance(key, str) or key.lstrip("-") not in self.GROUP_KEYS:
                break
            lead.append(key)
        if "department__name" not in {key.lstrip("-") for key in lead}:
            return None
        fields = [self.GROUP_KEYS[key.lstrip("-")] for key in lead]
        counts = list(
            filtered.order_by().values(*fields).annotate(rows=Count("*")).values_list(*fields, "rows")
        )
        # departments of equal name (in different regions) form one group, as the ordering has them
        # side by side; the database orders the names, with its collation, as it orders the list
        department_ids = {row[fields.index("department_id")] for row in counts}
        rank, position, previous = {}, -1, None
        for pk, name in (
            Department.objects.filter(pk__in=department_ids).order_by("name").values_list("pk", "name")
        ):
            if position < 0 or name != previous:
                position, previous = position + 1, name
            rank[pk] = position
        groups: dict[tuple, list] = {}
        for *values, rows in counts:
            sort_key, condition = [], {}
            for key, field, value in zip(lead, fields, values, strict=True):
                position = rank[value] if field == "department_id" else value
                sort_key.append(-position if key.startswith("-") else position)
                if field != "department_id":
                    condition[field] = value
            group = groups.setdefault(tuple(sort_key), [0, condition, []])
            group[0] += rows
            group[2].extend(v for f, v in zip(fields, values, strict=True) if f == "department_id")
        return [
            (key, rows, {**condition, "department_id__in": ids})
            for key, (rows, condition, ids) in sorted(groups.items())
        ]

    @staticmethod
    def _grouped_page(base, groups, bottom: int, top: int) -> list:
        """The keys of rows [bottom, top) from the groups the page falls in."""
        start, condition, first = 0, Q(pk__in=[]), None
        for _, rows, group_filter in groups:
            if start + rows > bottom and start < top:
                first = start if first is None else first
                condition |= Q(**group_filter)
            start += rows
            if start >= top:
                break
        if first is None:
            return []
        return list(base.filter(condition)[bottom - first : top - first].values_list("pk", flat=True))


class CardCellsMixin:
    """Each body cell names its column: ``data-col`` (the column's name) and ``data-label`` (its heading).

    On a phone ``static/perfeval/app.css`` shows each row as a card, every value on a line under its
    column's heading; the attributes are the column's own, so the template and the one-pass body agree.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.columns.iterall():
            column = bound.column  # this table's own copy (django-tables2 copies the columns per table)
            attrs = dict(column.attrs or {})
            td = dict(attrs.get("td", attrs.get("cell", {})))
            td.setdefault("data-col", bound.name)
            td.setdefault("data-label", strip_tags(str(bound.header)))
            attrs["td"] = td
            column.attrs = attrs


class OnePassBodyMixin:
    """The table body rendered in Python in one pass, as the filter selects are.

    django-tables2 renders the body through its template, a template loop and a variable lookup for
    each of the 250 cells of a page: about half of a list page's time (cProfile of a unit user's list).
    This writes the same HTML — each cell as ``{{ cell }}`` would print it (localised, escaped unless
    safe), with its ``td`` attributes (which may depend on the row's record) — and the empty text when
    there are no rows. ``templates/projects/_table.html`` puts it in place of the template's loop.
    """

    def tbody_html(self) -> SafeString:
        rows = []
        for row in self.paginated_rows:
            cells = []
            for column, cell in row.items():  # items() points the columns at this row's record
                value = template_localtime(cell)
                value = (
                    localize(value)
                    if column.localize is None
                    else localize(value, use_l10n=bool(column.localize))
                )
                cells.append(
                    format_html("<td {}>{}</td>", column.attrs["td"].as_html(), conditional_escape(value))
                )
            rows.append(format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe("".join(cells))))
        if not rows and self.empty_text:
            rows.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(self.columns), self.empty_text))
        tbody = self.attrs.get("tbody")
        return format_html(
            "<tbody {}>{}</tbody>", AttributeDict(tbody).as_html() if tbody else "", mark_safe("".join(rows))
        )
