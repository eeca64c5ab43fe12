"""Lists: scope, filters, sorting, paging, CSV and Excel export, numbers as printed, and a fixed
number of queries on every list and project page whatever the number of rows."""

from __future__ import annotations

import io
import itertools
import re
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from perfgoals import scoring, workflow
from perfgoals.choices import Status
from perfgoals.models import Indicator
from perfgoals.signals import bump
from perfgoals.tables import ProjectTable, ReviewQueueTable
from projects.models import Project

from .conftest import set_status

pytestmark = pytest.mark.django_db

LIST = reverse("project_list")


def names(response) -> set[str]:
    return {row.record.name for row in response.context["table"].paginated_rows}


# --- scope and default year ----------------------------------------------------------------------


def test_a_unit_user_sees_the_units_projects_of_the_latest_year(demo, client_of):
    response = client_of("unit_own").get(LIST)
    assert response.status_code == 200
    projects = Project.objects.filter(unit__name="烟台市医疗保障局", year=2021)
    assert names(response) == set(projects.values_list("name", flat=True))
    assert response.context["filter"].form["year"].value() == "2021"


def test_all_years_show_the_2019_self_evaluations_too(demo, client_of):
    response = client_of("unit_own").get(LIST, {"year": "all"})
    assert "居民基本医疗保险市级财政补助" in names(response)
    assert "药品医用耗材采购和价格监测" not in names(response)  # the other unit's project


def test_a_finance_reviewer_reads_the_whole_region_and_nothing_else(demo, client_of):
    response = client_of("finance").get(LIST, {"year": "all"})
    expected = Project.objects.filter(unit__department__region__name="烟台市")
    assert names(response) == set(expected.values_list("name", flat=True))
    assert response.context["table"].paginator.count == 11


def test_a_supervisor_sees_the_departments_units(demo, client_of):
    response = client_of("supervisor_own").get(LIST, {"year": "2021"})
    assert "药品医用耗材采购和价格监测" in names(response)  # 烟台市医疗保障服务中心
    assert response.context["table"].paginator.count == 8


# --- filters, sorting, paging --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "all", "q": "医疗救助"}, {"困难群众医疗救助", "困难群众医疗救助补助"}),
        (
            {"year": "all", "status": Status.APPROVED},
            {"居民基本医疗保险市级财政补助", "职工长期护理保险市级财政补助", "困难群众医疗救助"},
        ),
        (
            {"year": "all", "grade": "优"},
            {"居民基本医疗保险市级财政补助", "职工长期护理保险市级财政补助", "困难群众医疗救助"},
        ),
        ({"year": "2019", "grade": "差"}, set()),
    ],
)
def test_filters(demo, client_of, params, expected):
    assert names(client_of("unit_own").get(LIST, params)) == expected


def test_the_department_and_unit_filters_offer_only_what_is_in_scope(demo, client_of):
    form = client_of("supervisor_own").get(LIST).context["filter"].form
    assert [str(d) for d in form.fields["department"].queryset] == ["烟台市医疗保障局"]
    assert {str(u) for u in form.fields["unit"].queryset} == {"烟台市医疗保障局", "烟台市医疗保障服务中心"}
    yantai = form.fields["department"].queryset.get()
    response = client_of("admin").get(LIST, {"year": "all", "department": yantai.pk})
    assert response.context["table"].paginator.count == 11


def test_an_invalid_filter_says_so(demo, client_of):
    response = client_of("unit_own").get(LIST, {"year": "1999"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


@pytest.mark.parametrize("column", list(ProjectTable.Meta.sequence))
@pytest.mark.parametrize("direction", ["", "-"])
def test_every_column_sorts_both_ways(demo, client_of, column, direction):
    response = client_of("admin").get(LIST, {"year": "all", "sort": f"{direction}{column}"})
    assert response.status_code == 200
    rows = list(response.context["table"].paginated_rows)
    assert len(rows) == 25


@pytest.mark.parametrize("column", [c for c in ReviewQueueTable.Meta.sequence if c != "flags"])
@pytest.mark.parametrize("direction", ["", "-"])
def test_every_queue_column_sorts_both_ways(demo, client_of, column, direction):
    for project in Project.objects.filter(year=2021)[:3]:
        set_status(project, Status.SUBMITTED)
    response = client_of("admin").get(reverse("perfgoals:review_queue"), {"sort": f"{direction}{column}"})
    assert response.status_code == 200
    assert len(list(response.context["table"].paginated_rows)) == 3


def test_sorting_by_budget_and_score_orders_the_rows(demo, client_of):
    rows = (
        client_of("finance")
        .get(LIST, {"year": "all", "sort": "-budget_annual"})
        .context["table"]
        .paginated_rows
    )
    amounts = [row.record.budget_annual for row in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert amounts[0] == Decimal("6640")


def test_paging(demo, client_of):
    first = client_of("admin").get(LIST, {"year": "all"})
    assert first.context["table"].paginator.num_pages == 2
    second = client_of("admin").get(LIST, {"year": "all", "page": 2})
    assert len(list(second.context["table"].paginated_rows)) == 49 - 25
    assert "下一页" in first.content.decode() and "共 49 项" in first.content.decode()


@pytest.mark.parametrize(
    ("sort", "ordering"),
    [
        (None, ["-year", "department__name", "name", "pk"]),  # the default: paged by department
        ("department", ["department__name", "pk"]),
        ("-department", ["-department__name", "pk"]),
        ("-total_score", ["-evaluation__total_score", "pk"]),  # not by department: read from the nearer end
    ],
)
def test_every_page_holds_the_rows_the_ordering_puts_there(demo, client_of, sort, ordering):
    """Paging by department (and from the nearer end) gives exactly what one ORDER BY … OFFSET gives."""
    from projects.models import Department, Region, Unit

    # a second department of an existing name, in another region: its rows sort among the other's
    region = Region.objects.create(name="另一市", finance_bureau="另一市财政局")
    twin = Department.objects.create(
        region=region, name=Project.objects.order_by("pk").first().department.name
    )
    unit = Unit.objects.create(department=twin, name="另一单位")
    Project.objects.bulk_create(Project(unit=unit, year=2021, name=f"同名部门项目{i}") for i in range(7))
    query = {"year": "all", "per_page": 25, **({"sort": sort} if sort else {})}
    client = client_of("admin")
    first = client.get(LIST, query).context["table"]
    seen = [row.record.pk for row in first.paginated_rows]
    for page in range(2, first.paginator.num_pages + 1):
        seen += [
            row.record.pk for row in client.get(LIST, {**query, "page": page}).context["table"].paginated_rows
        ]
    assert first.paginator.count == Project.objects.count() == 56
    assert seen == list(Project.objects.order_by(*ordering).values_list("pk", flat=True))


# --- numbers and exports -------------------------------------------------------------------------


def test_amounts_and_scores_print_as_officials_print_them(demo, client_of):
    html = client_of("unit_own").get(LIST, {"year": "2019"}).content.decode()
    assert ">5515<" in html and ">1807.5<" in html and ">100.00<" in html and ">100.00%<" in html
    assert "5515.0000" not in html and "1807.50" not in html


def test_csv_export_is_scoped_filtered_and_readable_by_excel(demo, client_of):
    response = client_of("unit_own").get(LIST, {"year": "2019", "_export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming  # row by row, whatever the number of rows
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff年度,项目名称,主管部门,实施单位,全年预算数（万元）")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 3 + 1  # the header, the rows, 合计
    # 合计 over every row of the filter: 350 + 5515 + 1807.5, their rate, the mean score
    assert lines[-1] == "合计,3 个项目（得分为 3 个已评分项目的平均）,,,7672.5,7672.5,100.00%,,100.00,"
    assert (
        "2019,职工长期护理保险市级财政补助,烟台市医疗保障局,烟台市医疗保障局,1807.5,1807.5,100.00%,自评已审核,100.00,优"
        in text
    )
    assert "0000" not in text and "<span" not in text
    # the file is named in Chinese, like the page, with the day (项目列表-2026-12-04.csv)
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert unquote(response["Content-Disposition"]).endswith(f"''项目列表-{today}.csv")


def test_xlsx_export_holds_numbers(demo, client_of):
    response = client_of("finance").get(LIST, {"year": "all", "_export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("年度", "项目名称", "主管部门", "实施单位")
    assert len(rows) == 1 + 11 + 1  # every row of the filter, not only the first page, and 合计
    assert rows[-1][0] == "合计" and rows[-1][1].startswith("11 个项目")
    annual = sum(row[4] or 0 for row in rows[1:-1])
    assert rows[-1][4] == pytest.approx(annual)  # the budget's sum, a number Excel can check
    # the rate over the projects that report their execution only (the 2021 ones do not yet): 100 %
    assert rows[-1][6] == 1
    by_name = {row[1]: row for row in rows[1:-1]}
    assert by_name["职工长期护理保险市级财政补助"][4] == 1807.5
    assert by_name["居民基本医疗保险市级财政补助"][8] == 100
    # a score is a number that Excel shows at two places, as the page does (100.00, not 100)
    score_cells = [row[8] for row in list(sheet.iter_rows(min_row=2))[:-1] if row[8].value is not None]
    assert score_cells and {cell.number_format for cell in score_cells} == {"0.00"}
    assert sheet.column_dimensions["E"].width >= 18  # 全年预算数（万元） fits its column
    # a rate is a number shown as a percentage (it can be summed and sorted), not the text "100.00%"
    assert by_name["职工长期护理保险市级财政补助"][6] == 1
    rate_cells = [row[6] for row in list(sheet.iter_rows(min_row=2))[:-1] if row[6].value is not None]
    assert rate_cells and {cell.number_format for cell in rate_cells} == {"0.00%"}
    assert all(isinstance(cell.value, int | float) for cell in rate_cells)
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert unquote(response["Content-Disposition"]).endswith(f"''项目列表-{today}.xlsx")


# --- a fixed number of queries -------------------------------------------------------------------

# Every page starts with 3: the session, the user, the user's memberships (the scope).
#: + the years in scope (filter choices and the default year), the departments offered by the filter
#: (read once: also whether the units are few enough to offer them all; a province offers a
#: department's only), the rows counted by year and department (the default order is paged by
#: department: the count too), the departments' names in order, the page's keys, the page's rows
#: (budget sums and status rank annotated), and the units offered by the filter. Any other order: a
#: plain count instead of the two department queries, one query fewer. + the footer's 合计 over every
#: filtered row: the budget's sums and the scores' sum (2).
LIST_QUERIES = 12
#: + the project (unit, department, region, evaluation, scheme), its budget lines, its indicators, the
#: right to enter (scoping), the review log, the history of indicators, evaluation, budget, project, the
#: bulk rescorings' score changes (ScoreChange, #18), and the evidence files (佐证材料, #14) and the
#: project's open 整改事项 (perfgoals/rectify's block), and its finished 复核 (perfgoals/recheck's block:
#: one query, a second only when there is one)
PROJECT_PAGE_QUERIES_UNIT = 16
#: the same, with the right to review instead of the right to enter (the other scope is empty: no query)
PROJECT_PAGE_QUERIES_SUPERVISOR = 16
#: + project, budget lines, indicators, the right to review, the review log, the evidence files
REVIEW_PAGE_QUERIES = 9
#: the list's 10 − 1 (ordered by submission: a plain count) + the indicators of the page's rows (one
#: prefetch) for the flags + the count of each tab (待审核 / 已退回 / 已批复) + the footer's 合计 (2)
QUEUE_QUERIES = 13


def test_the_project_list_runs_a_fixed_number_of_queries(demo, client_of, django_assert_num_queries):
    admin, unit = client_of("admin"), client_of("unit_own")
    with django_assert_num_queries(LIST_QUERIES):
        assert len(names(admin.get(LIST, {"year": "all"}))) == 25
    with django_assert_num_queries(LIST_QUERIES):
        assert len(names(unit.get(LIST, {"year": "2019"}))) == 3
    # no rows: no departments' names to order, and the paginator skips the page's keys and rows
    with django_assert_num_queries(LIST_QUERIES - 3):
        assert len(names(unit.get(LIST, {"year": "2019", "q": "不存在"}))) == 0
    # another order: a plain count; the same filter's 合计 is read from the cache (no aggregate)
    with django_assert_num_queries(LIST_QUERIES - 1 - 2):
        assert len(names(admin.get(LIST, {"year": "all", "sort": "-total_score"}))) == 25


def test_the_lists_totals_are_stored_until_the_data_moves(demo, client_of, user_of, main_project):
    """合计 is summed once per filter and data generation; a workflow save makes it current again."""
    client = client_of("supervisor_own")
    first = client.get(LIST, {"year": "2019"}).context["table"].totals()
    assert first["scored"] == 3 and first["total_score"] == Decimal("100.00")
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "更正")
    Indicator.objects.filter(project=main_project, weight__gt=0).update(actual_text="0")
    scoring.recompute(main_project)  # saves the evaluation: the generation moves
    again = client.get(LIST, {"year": "2019"}).context["table"].totals()
    assert again["total_score"] < first["total_score"]


def test_a_province_sized_filter_sums_on_request(demo, client_of, monkeypatch):
    from perfgoals import tables

    monkeypatch.setattr(tables, "TOTALS_LIVE_LIMIT", 2)
    client = client_of("finance")
    page = client.get(LIST, {"year": "all"})
    assert page.context["table"].totals().get("deferred")
    assert 'data-testid="compute-totals"' in page.content.decode()
    asked = client.get(LIST, {"year": "all", "totals": "1"}).context["table"].totals()
    assert not asked.get("deferred") and asked["count"] == 11
    # the export always has its 合计
    rows = client.get(LIST, {"year": "all", "_export": "csv"}).getvalue().decode("utf-8").strip().splitlines()
    assert rows[-1].startswith("合计,11 个项目")


def test_the_project_page_runs_a_fixed_number_of_queries(
    main_project, small_project, client_of, user_of, django_assert_num_queries
):
    unit, supervisor = client_of("unit_own"), client_of("supervisor_own")
    # entry mode (24 and 5 indicators), with history rows
    for project in (main_project, small_project):
        workflow.reopen_evaluation(project.evaluation, user_of("supervisor_own"), "更正")
    with django_assert_num_queries(PROJECT_PAGE_QUERIES_UNIT):
        assert unit.get(reverse("perfgoals:project", args=[main_project.pk])).status_code == 200
    with django_assert_num_queries(PROJECT_PAGE_QUERIES_UNIT):
        assert unit.get(reverse("perfgoals:project", args=[small_project.pk])).status_code == 200
    with django_assert_num_queries(PROJECT_PAGE_QUERIES_SUPERVISOR):
        assert supervisor.get(reverse("perfgoals:project", args=[main_project.pk])).status_code == 200
    with django_assert_num_queries(PROJECT_PAGE_QUERIES_SUPERVISOR):
        assert supervisor.get(reverse("perfgoals:project", args=[small_project.pk])).status_code == 200


def test_the_review_page_runs_a_fixed_number_of_queries(
    main_project, small_project, client_of, django_assert_num_queries
):
    supervisor = client_of("supervisor_own")
    for project in (main_project, small_project):
        with django_assert_num_queries(REVIEW_PAGE_QUERIES):
            assert supervisor.get(reverse("perfgoals:review", args=[project.pk])).status_code == 200


def test_the_review_queue_runs_a_fixed_number_of_queries(demo, client_of, django_assert_num_queries):
    supervisor = client_of("admin")
    queue = reverse("perfgoals:review_queue")
    submitted = list(Project.objects.filter(year=2021).order_by("pk")[:12])
    set_status(submitted[0], Status.SUBMITTED)
    with django_assert_num_queries(QUEUE_QUERIES):
        assert supervisor.get(queue).context["table"].paginator.count == 1
    for project in submitted[1:]:
        set_status(project, Status.SUBMITTED)
    bump()  # set_status writes with update(), which no save signal sees
    with django_assert_num_queries(QUEUE_QUERIES):
        assert supervisor.get(queue).context["table"].paginator.count == 12


def _tbody_by_template(table, request) -> str:
    """The body as django-tables2's own template renders it (what tbody_html replaces)."""
    html = get_template("django_tables2/table.html").render({"table": table}, request)
    return re.search(r"<tbody[^>]*>.*?</tbody>", html, re.S).group(0)


def _tags_only(html: str) -> str:
    """HTML without the white space between tags (the template's indentation)."""
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("project_list", {"year": "all"}),
        ("project_list", {"year": "all", "sort": "-total_score", "page": 2}),
        ("project_list", {"q": "没有这个项目"}),  # the empty text
        ("perfgoals:review_queue", {}),
    ],
)
def test_the_body_rendered_in_one_pass_is_the_templates(demo, client_of, url, params):
    for project in Project.objects.filter(year=2021)[:3]:
        set_status(project, Status.SUBMITTED)
    response = client_of("admin").get(reverse(url), params)
    table = response.context["table"]

    page = response.content.decode()
    # rows take their odd/even class from a counter of the table's: start each rendering afresh
    table._counter = itertools.count()
    by_template = _tbody_by_template(table, response.wsgi_request)
    table._counter = itertools.count()
    in_one_pass = str(table.tbody_html())

    assert "<td" in by_template
    assert _tags_only(in_one_pass) == _tags_only(by_template)
    assert in_one_pass in page
