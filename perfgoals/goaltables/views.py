"""The goal tables' pages: a project's (or a department-year's) table as a print page and as Excel.

Projects come through ``projects.scoping`` (another unit's project is a 404); a department-year needs
the whole department in the reader's scope (``reports.access``), as the department's other outputs do.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from projects.scoping import visible_projects

from ..reports import access
from . import tables
from .layouts import LayoutNotFound, variants_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _variant(request) -> str:
    return request.GET.get("variant", "").strip()[:20]


def _project(request, pk: int):
    queryset = visible_projects(request.user).select_related("unit__department__region")
    return get_object_or_404(queryset, pk=pk)


def _project_tables(request, pk: int):
    project = _project(request, pk)
    try:
        return project, tables.for_project(project, _variant(request))
    except LayoutNotFound:
        raise Http404("本地区没有该格式的绩效目标表。") from None


def _department_tables(request, department_id: int, year: int):
    department = get_object_or_404(
        access.report_departments(request.user).select_related("region"), pk=department_id
    )
    projects = visible_projects(request.user).filter(department=department, year=year)
    if not projects.exists():
        raise Http404("该部门本年度没有项目。")
    try:
        return department, tables.for_department_year(department, year, projects, _variant(request))
    except LayoutNotFound:
        raise Http404("本地区没有该格式的绩效目标表。") from None


def _query(request) -> str:
    variant = _variant(request)
    return f"?variant={variant}" if variant else ""


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_GET
def project_print(request, pk: int):
    project, goal_tables = _project_tables(request, pk)
    return render(
        request,
        "goaltables/print.html",
        {
            "tables": goal_tables,
            "standalone": False,
            "variant": _variant(request),
            "variants": variants_for(goal_tables.layout.region, project.year)
            if goal_tables.layout.region
            else [],
            "xlsx_url": reverse("goaltables:project_xlsx", args=[pk]) + _query(request),
            "back_url": reverse("perfgoals:project", args=[pk]),
        },
    )


@login_required
@require_GET
def project_xlsx(request, pk: int):
    project, goal_tables = _project_tables(request, pk)
    kind = _variant(request) or "项目支出"
    return _attachment(
        goal_tables.workbook(), f"{project.year}年度_{tables.file_name(project.name)}_{kind}绩效目标表.xlsx"
    )


@login_required
@require_GET
def department_print(request, department_id: int, year: int):
    department, goal_tables = _department_tables(request, department_id, year)
    return render(
        request,
        "goaltables/print.html",
        {
            "tables": goal_tables,
            "standalone": False,
            "variant": _variant(request),
            "variants": variants_for(department.region.name, year),
            "xlsx_url": reverse("goaltables:department_xlsx", args=[department.pk, year]) + _query(request),
            "back_url": f"{reverse('reports:index')}?department={department.pk}&year={year}",
        },
    )


@login_required
@require_GET
def department_xlsx(request, department_id: int, year: int):
    _department, goal_tables = _department_tables(request, department_id, year)
    return _attachment(goal_tables.workbook(), f"{tables.file_name(goal_tables.title)}.xlsx")
