"""Pages of the intake app: upload → preview → confirm or cancel; year rollover; indicator library.

Views only decide who may act and what to show; the work is done by ``services`` (and by the tasks
for large files). Every project is reached through ``projects.scoping``: a batch, a project or an
indicator outside the user's scope answers 404; pages a role cannot use at all answer 403.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from perfgoals.engine import vocabulary
from projects.choices import Role
from projects.scoping import roles_of, visible_projects

from . import services, tasks, template
from .forms import RolloverForm, UploadForm
from .models import BatchStatus, ImportKind, LibraryIndicator
from .reader import WorkbookRejected, max_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(request, message: str):
    return render(request, "intake/forbidden.html", {"message": message}, status=403)


def _is_admin(user) -> bool:
    return Role.ADMIN in roles_of(user)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    # RFC 5987 for the Chinese name, an ASCII fallback for old clients
    response["Content-Disposition"] = (
        f"attachment; filename=\"workbook.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
def index(request):
    """The import page: upload form, templates, the user's recent batches."""
    if not services.can_import(request.user):
        return _forbidden(request, "只有实施单位的填报人可以导入绩效目标表和完成情况。")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            batch = services.create_batch(
                request.user, uploaded, kind=form.cleaned_data["kind"], year=form.cleaned_data["year"]
            )
        except WorkbookRejected as exc:
            for problem in exc.problems:
                form.add_error("file", problem.text())
        else:
            if services.in_background(batch):
                tasks.queue_preview(batch)
                messages.info(request, "文件较大，正在后台解析，完成后本页会显示预览。")
            else:
                services.build_preview(batch.pk)
            return redirect("intake:batch", pk=batch.pk)
    batches = services.batches_for(request.user).order_by("-created_at")[:15]
    years = sorted(set(visible_projects(request.user).values_list("year", flat=True)), reverse=True)
    return render(
        request,
        "intake/index.html",
        {"form": form, "batches": batches, "years": years, "limit_mb": f"{max_bytes() / 1024 / 1024:.0f}"},
    )


@login_required
@require_GET
def template_download(request, kind: str):
    if kind not in ImportKind.values:
        raise Http404
    name = "绩效目标表导入模板.xlsx" if kind == ImportKind.GOALS else "完成情况导入模板.xlsx"
    return _xlsx(template.write_template(kind), name)


@login_required
@require_GET
def export(request):
    """The user's projects (all they can see, or one year, or one project) in the template layout."""
    year = request.GET.get("year")
    project_id = request.GET.get("project")
    try:
        year_value = int(year) if year else None
        ids = [int(project_id)] if project_id else None
    except ValueError as exc:
        raise Http404 from exc
    projects = services.export_queryset(request.user, year=year_value, project_ids=ids)
    if ids and not projects.exists():
        raise Http404
    label = f"{year_value} 年" if year_value else ""
    if ids:
        first = projects.first()
        label = f"{first.year} 年 {first.name}"
    return _xlsx(template.export_projects(projects), f"绩效目标表 {label}".strip() + ".xlsx")


def _own_batch(request, pk: int):
    return get_object_or_404(services.batches_for(request.user).select_related("user"), pk=pk)


@login_required
@require_GET
def batch_detail(request, pk: int):
    """Status, progress, errors, and the preview of every row as parsed."""
    batch = _own_batch(request, pk)
    preview = batch.preview or {}
    rows = [
        {
            **row,
            "project": project["name"],
            "project_year": project["year"],
            "action": project["action_label"],
        }
        for project in preview.get("projects", [])
        for row in project["rows"]
    ]
    page = Paginator(rows, services.PREVIEW_PAGE).get_page(request.GET.get("page"))
    stale = services.is_stale(batch)
    return render(
        request,
        "intake/batch.html",
        {
            "batch": batch,
            "preview": preview,
            "page": page,
            "refresh": batch.is_active and not stale,
            "can_confirm": batch.can_confirm,
            "can_cancel": batch.status == BatchStatus.PREVIEW or stale,
            "stale": stale,
            "stale_minutes": services.stale_minutes(),
            "retention_days": services.retention_days(),
        },
    )


@login_required
@require_GET
def batch_progress(request, pk: int):
    batch = _own_batch(request, pk)
    return JsonResponse(
        {
            "id": batch.pk,
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "progress": batch.progress,
            "note": batch.progress_note,
            "active": batch.is_active,
            "errors": len(batch.errors),
            "file_removed": batch.file_removed,
            "url": reverse("intake:batch", args=[batch.pk]),
        }
    )


@login_required
@require_POST
def batch_confirm(request, pk: int):
    batch = _own_batch(request, pk)
    if not services.confirm_batch(batch):
        batch.refresh_from_db()
        if batch.file_removed:
            messages.error(
                request,
                "上传的文件已超过保留期限被清理，不能再确认导入，没有写入任何数据。"
                "如需导入，请重新上传文件。",
            )
        else:
            messages.error(request, f"此批次当前状态为「{batch.get_status_display()}」，不能确认导入。")
        return redirect("intake:batch", pk=batch.pk)
    if services.in_background(batch):
        tasks.queue_import(batch)
        messages.info(request, "正在后台导入，完成后本页会显示结果。")
    else:
        run = services.run_batch_import(batch.pk)
        if run.feeds_library:
            tasks.queue_library_update(run.project_ids)
        batch = run.batch
        if batch.status == BatchStatus.DONE:
            messages.success(request, "导入完成：" + batch.result.get("text", ""))
        else:
            messages.error(request, "导入未完成，没有写入任何数据：请查看下面的错误。")
    return redirect("intake:batch", pk=batch.pk)


@login_required
@require_POST
def batch_retry(request, pk: int):
    """Start a stuck batch (no progress for ``INTAKE_STALE_MINUTES``) again, by a task."""
    batch = _own_batch(request, pk)
    again = services.retry_batch(batch)
    if again == "import":
        tasks.queue_import(batch)
        messages.info(request, "已重新开始导入，完成后本页会显示结果。")
    elif again == "preview":
        tasks.queue_preview(batch)
        messages.info(request, "已重新开始读取文件。")
    else:
        messages.error(request, f"此批次当前状态为「{batch.get_status_display()}」，并未中断，不能重新开始。")
    return redirect("intake:batch", pk=batch.pk)


@login_required
@require_POST
def batch_cancel(request, pk: int):
    batch = _own_batch(request, pk)
    if services.cancel_batch(batch):
        messages.info(request, "已取消，没有写入任何数据。")
    else:
        messages.error(request, f"此批次当前状态为「{batch.get_status_display()}」，不能取消。")
    return redirect("intake:index")


# --- year rollover --------------------------------------------------------------------------------


@login_required
def rollover(request):
    """Start a new year from last year's projects."""
    if not services.can_import(request.user):
        return _forbidden(request, "只有实施单位的填报人可以结转项目。")
    actor = services.Actor(request.user)
    years = sorted(set(actor.projects().values_list("year", flat=True)), reverse=True)
    try:
        from_year = int(
            request.POST.get("from_year") or request.GET.get("from_year") or (years[0] if years else 0)
        )
    except ValueError as exc:
        raise Http404 from exc
    sources = list(services.rollover_sources(actor, from_year))
    taken = set(
        actor.projects()
        .filter(year=from_year + 1, name__in=[p.name for p in sources])
        .values_list("unit_id", "name")
    )
    initial = {
        "from_year": from_year,
        "to_year": from_year + 1,
        "projects": [p.pk for p in sources if (p.unit_id, p.name) not in taken],
    }
    form = RolloverForm(request.POST or None, sources=sources, initial=initial)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.rollover(actor, form.cleaned_data["projects"], form.cleaned_data["to_year"])
        if report.created:
            messages.success(
                request,
                f"已结转 {len(report.created)} 个项目到 {form.cleaned_data['to_year']} 年（目标草稿）。",
            )
        for project, reason in report.skipped:
            messages.warning(request, f"「{project.name}」未结转：{reason}。")
    if form.is_bound:
        selected = {int(v) for v in form.data.getlist("projects") if str(v).isdigit()}
    else:
        selected = set(initial["projects"])
    rows = [
        {"project": p, "taken": (p.unit_id, p.name) in taken, "selected": p.pk in selected} for p in sources
    ]
    return render(
        request,
        "intake/rollover.html",
        {"form": form, "years": years, "from_year": from_year, "rows": rows, "report": report},
    )


@login_required
@require_GET
def rollover_compare(request, pk: int):
    """A carried-forward project: each new target beside last year's target and actual."""
    project = get_object_or_404(
        services.Actor(request.user).projects().select_related("unit__department", "evaluation"), pk=pk
    )
    rows = services.compare_with_last_year(project)
    return render(
        request,
        "intake/compare.html",
        {"project": project, "rows": rows, "editable": project.evaluation.status == "draft"},
    )


@login_required
@require_POST
def apply_suggestion(request, pk: int):
    actor = services.Actor(request.user)
    indicator = services.apply_suggestion(actor, pk)
    if indicator is None:
        raise Http404
    messages.success(request, f"「{indicator.name}」的指标值已设为「{indicator.target_text}」。")
    return redirect("intake:rollover_compare", pk=indicator.project_id)


# --- indicator library ----------------------------------------------------------------------------


@login_required
@require_GET
def library_suggest(request):
    """Suggestions while a user types an indicator name: JSON, or an HTML fragment for htmx."""
    query = (request.GET.get("q") or request.GET.get("name") or "").strip()[:100]
    level1 = request.GET.get("level1") or None
    level2 = request.GET.get("level2") or None
    if level1 and level1 not in vocabulary.LEVEL1:
        level1 = vocabulary.normalise_level1(level1)
    if level2 and level2 not in vocabulary.LEVEL2:
        level2 = vocabulary.normalise_level2(level2)
    entries = services.suggest(query, user=request.user, level1=level1, level2=level2) if query else []
    if getattr(request, "htmx", False):
        return render(request, "intake/_suggestions.html", {"entries": entries, "query": query})
    return JsonResponse({"query": query, "results": [services.suggestion_dict(e) for e in entries]})


@login_required
@require_GET
def library_entry(request, pk: int):
    """One library entry, read-only, for anyone it may be suggested to (the review page links here):
    its usual levels, direction, unit, target and 101号 texts."""
    entry = get_object_or_404(services.library_for(request.user), pk=pk)
    return render(request, "intake/library_entry.html", {"entry": entry, "is_admin": _is_admin(request.user)})


@login_required
def library(request):
    """The library for administrators: filter, see usage, rebuild; curating is done in the admin."""
    if not _is_admin(request.user):
        return _forbidden(request, "指标库由系统管理员维护。")
    if request.method == "POST":
        report = services.build_library()
        messages.success(
            request,
            f"指标库已重建：新增 {report.created} 条，更新 {report.updated} 条，"
            f"移除 {report.removed} 条，共 {report.total} 条（{timezone.localtime():%H:%M}）。",
        )
        return redirect("intake:library")
    entries = LibraryIndicator.objects.all()
    level1 = request.GET.get("level1") or ""
    query = (request.GET.get("q") or "").strip()
    if level1:
        entries = entries.filter(level1=level1)
    if query:
        entries = entries.filter(name__icontains=query)
    page = Paginator(entries.order_by("level1", "level2", "-usage_count", "name"), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "intake/library.html",
        {
            "page": page,
            "level1": level1,
            "query": query,
            "level1_choices": [(code, vocabulary.level1_name(code)) for code in vocabulary.LEVEL1],
            "total": LibraryIndicator.objects.count(),
        },
    )
