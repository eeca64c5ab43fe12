"""Pages of the reports app. Every object is fetched through the user's scope (access / scoping):
what a user may not read is answered with 404, as if it did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from projects.models import Department, Project
from projects.scoping import visible_projects

from . import access, actions, html, packages, tasks, xlsx_forms
from .data import DepartmentYear, department_projects, department_year, project_form, with_form_data
from .forms import PackageForm, ReportTextForm
from .models import PackageStatus, ReportPackage, style_of
from .wording import report_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _department_year(request, department_id: int, year: int) -> tuple[Department, DepartmentYear]:
    """The department-year as the user may read it, or 404."""
    department = get_object_or_404(access.report_departments(request.user), pk=department_id)
    projects = department_projects(visible_projects(request.user), department, year)
    if not projects.exists():
        raise Http404("该部门本年度没有项目。")
    return department, department_year(department, year, projects)


def _index_url(department_id: int, year: int, anchor: str = "") -> str:
    return f"{reverse('reports:index')}?department={department_id}&year={year}{anchor}"


def _project(request, pk: int) -> Project:
    return get_object_or_404(with_form_data(visible_projects(request.user)), pk=pk)


# --- the report page ------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    """Choose a department and year; see the summary, word the report, build and fetch packages."""
    user = request.user
    departments = list(access.report_departments(user).order_by("region__name", "name"))
    context: dict = {"departments": departments, "packages": access.visible_packages(user)[:30]}
    if not departments:
        # unit users: the forms of their own projects, nothing of other units
        projects = with_form_data(visible_projects(user)).order_by("-year", "name")
        styles: dict = {}  # one query per region, not per project; a list numbers no 附件
        own = []
        for project in projects[:200]:
            if project.region_id not in styles:
                styles[project.region_id] = style_of(project.region_id)
            own.append(project_form(project, styles[project.region_id], 0))
        context["own_forms"] = own
        return render(request, "reports/index.html", context)

    wanted = request.GET.get("department")
    department = departments[0]
    if wanted:
        department = next((d for d in departments if str(d.pk) == wanted), None)
        if department is None:
            raise Http404("没有该部门。")
    years = sorted(
        set(visible_projects(user).filter(department=department).values_list("year", flat=True)), reverse=True
    )
    year = years[0] if years else None
    if request.GET.get("year", "").isdigit() and int(request.GET["year"]) in years:
        year = int(request.GET["year"])
    context.update({"department": department, "years": years, "year": year})
    if year is not None:
        dy = department_year(department, year, department_projects(visible_projects(user), department, year))
        text = report_text(dy)
        editable = access.can_edit_wording(user, department) and not text.is_final
        context.update(
            {
                "dy": dy,
                "text": text,
                "wording_form": ReportTextForm(
                    initial=text.sections, readonly=not editable, sections=text.headings
                ),
                "can_edit": access.can_edit_wording(user, department),
                "editable": editable,
                "budget_annual": dy.budget_sum("annual"),
                "budget_executed": dy.budget_sum("executed"),
            }
        )
    context["package_form"] = PackageForm(
        user, initial={"target": f"department:{department.pk}", "year": year}
    )
    return render(request, "reports/index.html", context)


@login_required
@require_POST
def wording(request, department_id: int, year: int):
    """Save, finalise, reopen or reset the report's wording."""
    department, dy = _department_year(request, department_id, year)
    action = request.POST.get("action", "save")
    try:
        if action == "save" or action == "finalize":
            form = ReportTextForm(request.POST, sections=dy.style.sections)
            form.is_valid()  # every field is optional text
            actions.save_report_text(request.user, dy, form.cleaned_data)
            if action == "finalize":
                actions.finalize_report(request.user, dy)
                messages.success(request, "报告已定稿，文字不再随数据变化。")
            else:
                messages.success(request, "报告文字已保存。")
        elif action == "reopen":
            actions.reopen_report(request.user, dy)
            messages.success(request, "已撤销定稿，可以继续修改。")
        elif action.startswith("reset:"):
            # keep what was typed in the other sections, then let this one follow the data again
            form = ReportTextForm(request.POST, sections=dy.style.sections)
            form.is_valid()
            actions.save_report_text(request.user, dy, form.cleaned_data)
            actions.reset_section(request.user, dy, action.removeprefix("reset:"))
            messages.success(request, "该部分已恢复为按数据生成的文字。")
        else:
            raise ValidationError("未知操作。")
    except PermissionDenied:
        raise Http404("没有该报告。") from None
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(_index_url(department.pk, year, "#wording"))


# --- printed outputs ------------------------------------------------------------------------------


@login_required
def form_print(request, pk: int):
    form = project_form(_project(request, pk))
    return render(
        request,
        "reports/form_print.html",
        {
            "form": form,
            **html.app_context(),
            "xlsx_url": reverse("reports:form_xlsx", args=[pk]),
            "back_url": reverse("reports:index"),
        },
    )


@login_required
def form_xlsx(request, pk: int):
    form = project_form(_project(request, pk))
    filename = f"{form.year}年度_{packages.safe_name(form.name)}_项目支出绩效自评表.xlsx"
    return _attachment(xlsx_forms.form_workbook(form), filename, XLSX)


@login_required
def summary_print(request, department_id: int, year: int):
    department, dy = _department_year(request, department_id, year)
    return render(
        request,
        "reports/summary_print.html",
        {
            "dy": dy,
            **html.app_context(),
            "link_forms": True,
            "xlsx_url": reverse("reports:summary_xlsx", args=[department.pk, year]),
            "back_url": _index_url(department.pk, year),
        },
    )


@login_required
def summary_xlsx(request, department_id: int, year: int):
    _department, dy = _department_year(request, department_id, year)
    filename = f"{packages.safe_name(dy.summary_title)}.xlsx"
    return _attachment(xlsx_forms.summary_workbook(dy), filename, XLSX)


@login_required
def report_print(request, department_id: int, year: int):
    department, dy = _department_year(request, department_id, year)
    return render(
        request,
        "reports/report_print.html",
        {
            "text": report_text(dy),
            **html.app_context(),
            "docx_url": reverse("reports:report_docx", args=[department.pk, year]),
            "back_url": _index_url(department.pk, year, "#wording"),
        },
    )


@login_required
def report_docx(request, department_id: int, year: int):
    from .docx_report import report_document

    _department, dy = _department_year(request, department_id, year)
    text = report_text(dy)
    return _attachment(report_document(text), f"{packages.safe_name(text.title)}.docx", DOCX)


# --- packages -------------------------------------------------------------------------------------


@login_required
@require_POST
def package_create(request):
    form = PackageForm(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要生成的范围和年度。")
        return redirect(f"{reverse('reports:index')}#packages")
    try:
        package = actions.start_package(
            request.user, year=form.cleaned_data["year"], **form.cleaned_data["target"]
        )
    except PermissionDenied:
        raise Http404("没有该范围。") from None
    tasks.queue_package(package)
    messages.success(request, f"已开始生成“{package.label}”的材料包。")
    back = request.POST.get("next", "")
    if back.startswith("/reports/") and "//" not in back:
        return redirect(f"{back}#packages")
    return redirect(f"{reverse('reports:index')}#packages")


def _package(request, pk: int) -> ReportPackage:
    return get_object_or_404(access.visible_packages(request.user), pk=pk)


def package_payload(package: ReportPackage) -> dict:
    ready = package.status == PackageStatus.DONE and bool(package.file)
    return {
        "id": package.pk,
        "label": package.label,
        "status": package.status,
        "status_label": package.get_status_display(),
        "progress": package.progress,
        "finished": package.finished,
        "stale": package.is_stale,  # a worker crash: the page offers to rebuild it
        "project_count": package.project_count,
        "error": package.error,
        "download_url": reverse("reports:package_download", args=[package.pk]) if ready else None,
    }


@login_required
@require_GET
def package_status(request, pk: int):
    return JsonResponse(package_payload(_package(request, pk)), json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def package_download(request, pk: int):
    package = _package(request, pk)
    if (
        package.status != PackageStatus.DONE
        or not package.file
        or not default_storage.exists(package.file.name)
    ):
        raise Http404("材料包尚未生成。")
    return FileResponse(
        default_storage.open(package.file.name, "rb"),
        as_attachment=True,
        filename=f"{packages.package_filename(package)}.zip",
        content_type="application/zip",
    )


@login_required
@require_POST
def package_rebuild(request, pk: int):
    package = _package(request, pk)
    if actions.rebuild_package(request.user, package):
        tasks.queue_package(package)
        messages.success(request, f"已重新开始生成“{package.label}”的材料包。")
    else:
        messages.info(request, f"“{package.label}”的材料包{package.get_status_display()}，无需重新生成。")
    return redirect(f"{reverse('reports:index')}#packages")
