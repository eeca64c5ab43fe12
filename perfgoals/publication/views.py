"""Pages of 公开: configuration only.

The public pages (``public_*``) need no login and show only publications in force, from their frozen
contents: a withdrawn publication, a department-year never published and a project not in a
publication are 404s. The department's page (``manage``, ``publish``, ``withdraw``) is for those who
publish (``actions.publishing_departments``); anyone else gets a 404, and every change is a named action
whose refusal is shown in Chinese with nothing saved."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from projects.exports import streaming_download, xlsx_chunks
from projects.models import Project

from ..goaltables import tables as goal_tables
from ..workflow.errors import InvalidData, VersionConflict, WorkflowError
from . import actions
from .contents import RESULTS_APPROVED_STATUSES, TARGETS_APPROVED_STATUSES, preview
from .models import Kind, Publication

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- public pages (no login) ------------------------------------------------------------------------


def _in_force():
    return Publication.objects.filter(withdrawn_at__isnull=True).select_related("department__region")


@login_not_required
@require_GET
def public_index(request):
    """Every department-year with a publication in force, by region."""
    regions: dict[str, dict[tuple[str, int, int], list[Publication]]] = defaultdict(lambda: defaultdict(list))
    for p in _in_force().order_by("department__region__name", "department__name", "-year", "kind"):
        regions[p.department.region.name][(p.department.name, p.department_id, p.year)].append(p)
    listing = [
        (region, [(name, pk, year, pubs) for (name, pk, year), pubs in years.items()])
        for region, years in regions.items()
    ]
    return render(request, "publication/public_index.html", {"regions": listing})


@login_not_required
@require_GET
def public_department_year(request, department: int, year: int):
    publications = list(_in_force().filter(department_id=department, year=year).order_by("kind"))
    if not publications:
        raise Http404("该部门该年度没有公开的信息。")
    return render(
        request,
        "publication/public_department_year.html",
        {"publications": publications, "first": publications[0]},
    )


def _public(slug: str) -> Publication:
    return get_object_or_404(_in_force(), slug=slug)


@login_not_required
@require_GET
def public_publication(request, slug: str):
    publication = _public(slug)
    return render(
        request, "publication/public_publication.html", {"p": publication, "projects": publication.projects}
    )


@login_not_required
@require_GET
def public_project(request, slug: str, project: int):
    publication = _public(slug)
    item = next((p for p in publication.projects if p["id"] == project), None)
    if item is None:
        raise Http404("该项目不在本次公开范围内。")
    return render(
        request, "publication/public_publication.html", {"p": publication, "projects": [item], "single": True}
    )


GOALS_HEADER = [
    "序号",
    "项目名称",
    "实施单位",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "指标值",
    "度量单位",
]
RESULTS_HEADER = ["序号", "项目名称", "实施单位", "自评得分", "自评等级", "预算执行率"]


def _number(text: str):
    """A score as printed ("92.50") as a number for the workbook; a dash stays text."""
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return text


def table_rows(publication: Publication) -> tuple[list[str], list[list], list[str | None]]:
    """The 公开表 of a publication: its header, rows (from the frozen contents) and number formats."""
    rows: list[list] = []
    if publication.kind == Kind.GOALS:
        for n, project in enumerate(publication.projects, start=1):
            for ind in project["indicators"] or [{}]:
                rows.append(
                    [
                        n,
                        project["name"],
                        project["unit"],
                        ind.get("level1", ""),
                        ind.get("level2", ""),
                        ind.get("name", ""),
                        ind.get("nature", ""),
                        ind.get("target", ""),
                        ind.get("unit", ""),
                    ]
                )
        return GOALS_HEADER, rows, [None] * len(GOALS_HEADER)
    for n, project in enumerate(publication.projects, start=1):
        rows.append(
            [
                n,
                project["name"],
                project["unit"],
                _number(project["total_score"]),
                project["grade"],
                project["execution_rate"],
            ]
        )
    return RESULTS_HEADER, rows, [None, None, None, "0.00", None, None]


def table_title(publication: Publication) -> str:
    what = "项目支出绩效目标公开表" if publication.kind == Kind.GOALS else "项目支出绩效自评结果公开表"
    return f"{publication.contents.get('department', '')}{publication.year}年度{what}"


def frozen_goal_tables(publication: Publication) -> goal_tables.GoalTables | None:
    """The 公开表 of a goals publication in the region-year's published layout (青海 2021: 部门预算项目支出
    绩效目标公开表), rebuilt from the goal-table content frozen with it; None for a publication frozen
    before that content was kept (it prints the plain table of :func:`table_rows`)."""
    projects = publication.projects
    if publication.kind != Kind.GOALS or not projects or not all(p.get("table") for p in projects):
        return None
    return goal_tables.for_frozen(
        publication.contents.get("region", ""),
        publication.year,
        table_title(publication),
        [p["table"] for p in projects],
    )


@login_not_required
@require_GET
def public_xlsx(request, slug: str):
    publication = _public(slug)
    title = table_title(publication)
    tables = frozen_goal_tables(publication)
    if tables is not None:
        data = tables.workbook(stamp=publication.published_at)
        return streaming_download(iter([data]), f"{goal_tables.file_name(title)}.xlsx", XLSX)
    header, rows, formats = table_rows(publication)
    return streaming_download(xlsx_chunks(header, rows, title=title, formats=formats), f"{title}.xlsx", XLSX)


# --- the department's page ----------------------------------------------------------------------------


def _departments(user):
    departments = actions.publishing_departments(user)
    if not departments.exists():
        raise Http404("没有可公开的部门。")
    return departments.order_by("region__name", "name")


def _years(department) -> list[int]:
    return sorted(
        set(Project.objects.filter(department=department).values_list("year", flat=True)), reverse=True
    )


def year_rows(department, years: list[int]) -> list[dict]:
    """Every year of the department: per kind the publication in force, else how many projects it would
    include (two queries)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {Kind.GOALS: 0, Kind.RESULTS: 0, "all": 0})
    for year, status, n in (
        Project.objects.filter(department=department)
        .order_by()
        .values_list("year", "evaluation__status")
        .annotate(n=Count("pk"))
    ):
        counts[year]["all"] += n
        if status in TARGETS_APPROVED_STATUSES:
            counts[year][Kind.GOALS] += n
        if status in RESULTS_APPROVED_STATUSES:
            counts[year][Kind.RESULTS] += n
    published = {
        (p.year, p.kind): p
        for p in Publication.objects.filter(department=department, withdrawn_at__isnull=True)
    }
    return [
        {
            "year": year,
            "projects": counts[year]["all"],
            "kinds": [
                (kind, published.get((year, kind)), counts[year][kind]) for kind in (Kind.GOALS, Kind.RESULTS)
            ],
        }
        for year in years
    ]


def _manage_context(user, department, year) -> dict:
    blocks = []
    for kind in (Kind.GOALS, Kind.RESULTS):
        current = actions.in_force(department, year, kind)
        blocks.append(
            {
                "kind": kind,
                "label": kind.label,
                "current": current,
                "preview": None if current else preview(department, year, kind),
            }
        )
    history = Publication.objects.filter(department=department, year=year).select_related(
        "published_by", "withdrawn_by"
    )
    return {"department": department, "year": year, "blocks": blocks, "history": history}


@login_required
@require_GET
def manage(request):
    """The department-years of the user's departments, with what 预算公开 / 决算公开 would include."""
    departments = list(_departments(request.user))
    wanted = request.GET.get("department")
    department = departments[0]
    if wanted:
        department = next((d for d in departments if str(d.pk) == wanted), None)
        if department is None:
            raise Http404("没有该部门。")
    years = _years(department)
    year = years[0] if years else None
    if request.GET.get("year", "").isdigit() and int(request.GET["year"]) in years:
        year = int(request.GET["year"])
    context = {
        "departments": departments,
        "department": department,
        "years": years,
        "year": year,
        "year_rows": year_rows(department, years),
    }
    if year is not None:
        context.update(_manage_context(request.user, department, year))
    return render(request, "publication/manage.html", context)


def _back(department, year) -> str:
    return reverse("publication:manage") + f"?department={department.pk}&year={year}"


def _refused(request, department, year, message: str, status: int):
    context = {
        "departments": list(_departments(request.user)),
        "department": department,
        "years": _years(department),
        "year": year,
        "year_rows": year_rows(department, _years(department)),
        "error": message,
        **_manage_context(request.user, department, year),
    }
    return render(request, "publication/manage.html", context, status=status)


@login_required
@require_POST
def publish(request, department: int, year: int, kind: str):
    department = get_object_or_404(_departments(request.user), pk=department)
    if kind not in Kind.values or year not in _years(department):
        raise Http404("没有该公开类型或年度。")
    act = actions.publish_goals if kind == Kind.GOALS else actions.publish_results
    try:
        publication = act(department, year, request.user, expected=request.POST.get("token", "")[:64])
    except VersionConflict as refused:
        return _refused(request, department, year, refused.message, 409)
    except InvalidData as refused:
        return _refused(request, department, year, refused.message, 422)
    except WorkflowError as refused:
        return _refused(request, department, year, refused.message, 409)
    messages.success(request, f"已{Kind(kind).label}：{len(publication.projects)} 个项目。")
    return redirect(_back(department, year))


@login_required
@require_POST
def withdraw(request, pk: int):
    publication = get_object_or_404(
        Publication.objects.filter(department__in=actions.publishing_departments(request.user)), pk=pk
    )
    department, year = publication.department, publication.year
    try:
        actions.withdraw(
            publication, request.user, request.POST.get("reason", "")[: actions.REASON_MAX_CHARS + 1]
        )
    except InvalidData as refused:
        return _refused(request, department, year, refused.message, 422)
    except WorkflowError as refused:
        return _refused(request, department, year, refused.message, 409)
    messages.success(request, f"已撤回{publication.get_kind_display()}。")
    return redirect(_back(department, year))
