"""Pages of 抽查复核: configuration only. Objects come through ``access`` (the user's regions); what a
user may not read is a 404. Every change is a named action of ``actions``; an action's refusal is shown
on the page it came from, in Chinese, and nothing is saved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from projects.exports import streaming_download, xlsx_chunks
from projects.filtersets import years_of
from projects.models import Project
from projects.scoping import third_party_regions, whole_regions

from ..evidence import listing as evidence_listing
from ..models import Indicator
from ..workflow.errors import InvalidData, VersionConflict, WorkflowError
from . import access, actions, pages, report
from .models import DrawReason, ItemStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _readable(user) -> None:
    if not whole_regions(user).exists() and not third_party_regions(user).exists():
        raise Http404("没有可查看的复核。")


@login_required
@require_http_methods(["GET", "POST"])
def sample_list(request):
    """The samples of the user's region(s); finance reviewers draw a new one here."""
    user = request.user
    _readable(user)
    regions = list(access.finance_regions(user))
    years = years_of(Project.objects.filter(region__in=regions)) if regions else []
    values = {"year": str(years[0]) if years else "", "seed": "", "notes": ""}
    values.update({reason.value: "0" for reason in actions.CRITERIA})
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not regions:
            raise actions.NotPermitted("只有财政审阅人可以抽取复核样本。")
        values.update({k: request.POST.get(k, "").strip()[:100] for k in values})
        criteria = {reason.value: values[reason.value] for reason in actions.CRITERIA}
        try:
            sample = actions.draw_sample(
                user, values["year"], criteria, values["seed"], notes=request.POST.get("notes", "")
            )
        except InvalidData as refused:
            errors, status = refused.errors, 422
        except WorkflowError as refused:
            errors, status = {"criteria": [refused.message]}, 422
        else:
            messages.success(request, f"已抽取 {sample.items.count()} 个项目（随机种子 {sample.seed}）。")
            return redirect("recheck:sample", sample.pk)
    samples = access.visible_samples(user).order_by("-created_at", "-pk")[:200]
    assigned = access.assigned_items(user).select_related(
        "sample__region", "evaluation__project__unit", "evaluation__project__department"
    )
    context = {
        "samples": samples,
        "assigned": assigned.order_by("status", "-sample__created_at", "order")[:500],
        "sees_samples": whole_regions(user).exists(),
        "can_draw": bool(regions),
        "regions": regions,
        "years": years,
        "values": values,
        "errors": errors,
        "criteria": [(reason.value, reason.label, values[reason.value]) for reason in actions.CRITERIA],
    }
    return render(request, "recheck/index.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def sample_detail(request, pk: int):
    sample = get_object_or_404(access.visible_samples(request.user), pk=pk)
    rows = _sample_rows(sample)
    labels = dict(DrawReason.choices)
    context = {
        "sample": sample,
        "rows": rows,
        "gaps": pages.department_gaps(rows),
        "criteria": [(labels[k], v) for k, v in sample.criteria.items()],
        "done": sum(1 for r in rows if r.final),
    }
    return render(request, "recheck/sample.html", context)


def _sample_rows(sample):
    items = sample.items.select_related(
        "evaluation__project__unit", "evaluation__project__department", "evaluation__scheme"
    ).order_by("order")
    return pages.item_rows(items)


@login_required
@require_http_methods(["GET"])
def sample_xlsx(request, pk: int):
    """The 复核 result table of a sample as a workbook (text never read as a formula)."""
    sample = get_object_or_404(access.visible_samples(request.user), pk=pk)
    rows = pages.result_table(_sample_rows(sample))
    title = f"{sample.region.name}{sample.year}年度复核结果"
    chunks = xlsx_chunks(pages.RESULT_HEADER, rows, title=title, formats=pages.RESULT_FORMATS)
    return streaming_download(chunks, f"{title}_样本{sample.pk}.xlsx", XLSX)


@login_required
@require_http_methods(["GET"])
def report_docx(request, region: int, year: int):
    """The 复核报告 of a region-year (every sample of it; finished items only) as a Word document:
    finance of the region and administrators; anyone else a 404."""
    found = get_object_or_404(whole_regions(request.user), pk=region)
    gathered = report.gather(found, year)
    if not gathered.samples:
        raise Http404("该地区该年度没有复核样本。")
    return streaming_download(iter([report.report_document(gathered)]), f"{gathered.title}.docx", DOCX)


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request, pk: int):
    user = request.user
    item = get_object_or_404(
        access.visible_items(user).select_related(
            "sample__region",
            "evaluation__project__unit",
            "evaluation__project__department",
            "evaluation__scheme",
        ),
        pk=pk,
    )
    is_finance = access.may_recheck(user, item.sample.region)
    in_progress = item.status == ItemStatus.IN_PROGRESS
    can_score = access.may_score(user, item) and in_progress
    row_errors: dict[int, dict] = {}
    findings_error, assignee_error, conflict = [], [], ""
    findings = item.findings
    status = 200
    if request.method == "POST":
        do = request.POST.get("do")
        if not (is_finance or (do not in ("finish", "assign") and access.may_score(user, item))):
            raise actions.NotPermitted("只有本地区的财政审阅人可以进行抽查复核。")
        version = request.POST.get("version") or None
        try:
            if do == "assign":
                try:
                    done = actions.assign_item(user, item, request.POST.get("assignee"), version)
                except InvalidData as refused:
                    assignee_error = refused.errors.get("assignee", [])
                    raise
                who = done.assignee
                messages.success(
                    request,
                    f"已委托第三方复核：{who.get_full_name() or who.username}。"
                    if who
                    else "已收回第三方复核，由财政审阅人复核。",
                )
                return redirect("recheck:item", item.pk)
            if do == "finish":
                findings = request.POST.get("findings", "")
                done = actions.finish_item(user, item, findings, version)
                messages.success(
                    request, f"复核已完成：复核总分 {done.recheck_total}，等级 {done.recheck_grade}。"
                )
                return redirect("recheck:item", item.pk)
            indicator = get_object_or_404(
                Indicator, pk=request.POST.get("indicator") or 0, project_id=item.evaluation.project_id
            )
            try:
                saved = actions.record_indicator_score(
                    user, item, indicator, request.POST.get("score"), request.POST.get("reason", ""), version
                )
            except InvalidData as refused:
                row_errors[indicator.pk] = {
                    "messages": [m for msgs in refused.errors.values() for m in msgs],
                    "score": request.POST.get("score", "")[:20],
                    "reason": request.POST.get("reason", "")[:2000],
                }
                raise
            text = (
                "已撤回复核得分"
                if saved is None
                else f"已保存“{indicator.name[:30]}”的复核得分 {saved.score}"
            )
            messages.success(request, text + "。")
            return redirect(reverse("recheck:item", args=[item.pk]) + f"#ind-{indicator.pk}")
        except VersionConflict as refused:
            conflict, status = refused.message, 409
            item.refresh_from_db()
        except InvalidData as refused:
            status = 422
            if "findings" in refused.errors:
                findings_error = refused.errors["findings"]
        except WorkflowError as refused:
            conflict, status = refused.message, 409
            item.refresh_from_db()
    result = actions.recheck_total(item) if item.status == ItemStatus.IN_PROGRESS else None
    context = {
        "item": item,
        "evaluation": item.evaluation,
        "project": item.evaluation.project,
        "rows": pages.indicator_rows(item, row_errors),
        "result": result,
        "can_edit": can_score,
        "can_finish": is_finance and in_progress,
        "sees_sample": access.visible_samples(user).filter(pk=item.sample_id).exists(),
        "is_finance": is_finance,
        "reviewers": list(access.third_party_reviewers(item.sample.region))
        if is_finance and in_progress
        else [],
        "assignee_error": assignee_error,
        # a finished 复核's findings may become 整改事项 (finance of the region opens them)
        "may_open_rectify": item.status == ItemStatus.DONE and is_finance,
        "findings": findings,
        "findings_error": findings_error,
        "conflict": conflict,
        "evidence_panel": evidence_listing.panel(user, item.evaluation.project, can_enter=False),
    }
    return render(request, "recheck/item.html", context, status=status)
