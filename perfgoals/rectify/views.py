"""Pages of 整改: configuration only. Items and projects come through ``access`` (the user's scope);
what a user may not read is a 404; a move the user may not make is a 403. Every change is a named action
of ``actions``; a refusal is shown on the form, in Chinese, and nothing is saved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from projects.scoping import member_projects

from ..evidence import actions as evidence_actions
from ..evidence import serving
from ..evidence.content import ALLOWED_TEXT
from ..evidence.models import Evidence
from ..recheck import access as recheck_access
from ..workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from . import access, actions
from .models import RectifyStatus, Source
from .tables import RectifyFilterSet, RectifyTable


@login_required
@require_http_methods(["GET"])
def item_list(request):
    items = access.visible_items(request.user).select_related("project", "unit").with_file_count()
    filterset = RectifyFilterSet(request.GET or None, queryset=items)
    qs = filterset.qs if not filterset.is_bound or filterset.is_valid() else items.none()
    table = RectifyTable(qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "rectify/list.html",
        {
            "table": table,
            "filter": filterset,
            "overdue": access.visible_items(request.user).overdue().count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_item(request, project_pk: int):
    """Finance or the reviewing department opens an item of a project (from a finished 复核: ?recheck=)."""
    user = request.user
    project = get_object_or_404(member_projects(user).select_related("unit", "department"), pk=project_pk)
    if not access.may_review(user, project):
        raise NotPermitted("只有本地区的财政审阅人或本部门的审核人可以提出整改事项。")
    recheck_pk = request.POST.get("recheck") or request.GET.get("recheck") or ""
    recheck = None
    if recheck_pk:
        # a 复核 record is finance's: only those who see it (its region's finance) may open from it
        recheck = get_object_or_404(
            recheck_access.visible_items(user).select_related("evaluation", "sample"),
            pk=recheck_pk if str(recheck_pk).isdigit() else 0,
            evaluation__project=project,
        )
    values = {
        "source": Source.RECHECK if recheck else "",
        "problem": recheck.findings if recheck and recheck.status == "done" else "",
        "deadline": "",
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "")[: actions.TEXT_MAX_CHARS + 1] for k in values}
        try:
            item = actions.open_item(
                user, project, values["source"], values["problem"], values["deadline"], recheck
            )
        except InvalidData as refused:
            errors, status = refused.errors, 422
        except WorkflowError as refused:
            errors, status = {"problem": [refused.message]}, 409
        else:
            messages.success(request, f"已提出整改事项 #{item.pk}，期限 {item.deadline}。")
            return redirect("rectify:item", item.pk)
    context = {
        "project": project,
        "recheck": recheck,
        "sources": Source.choices,
        "values": values,
        "errors": errors,
        "today": timezone.localdate(),
    }
    return render(request, "rectify/open.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request, pk: int):
    user = request.user
    item = _visible_item(user, pk)
    errors: dict[str, list[str]] = {}
    conflict = ""
    status = 200
    text = ""
    if request.method == "POST":
        name = request.POST.get("do", "")
        transition = actions.TRANSITIONS.get(name)
        if transition is None:
            errors, status = {"do": ["未知的操作。"]}, 422
        else:
            allowed = (
                access.may_answer(user, item)
                if transition.who == "unit"
                else access.may_review(user, item.project)
            )
            if not allowed:
                raise NotPermitted("您不能对该整改事项执行此操作。")
            text = request.POST.get("text", "")[: actions.TEXT_MAX_CHARS + 1]
            try:
                done = actions.move(user, item, name, text, request.POST.get("version") or None)
            except VersionConflict as refused:
                conflict, status = refused.message, 409
            except InvalidData as refused:
                errors, status = refused.errors, 422
            except WorkflowError as refused:
                conflict, status = refused.message, 409
            else:
                messages.success(
                    request, f"{transition.label}：已完成，当前状态“{done.get_status_display()}”。"
                )
                return redirect("rectify:item", item.pk)
            item.refresh_from_db()
    return _item_page(request, item, errors=errors, conflict=conflict, text=text, status=status)


def _item_page(request, item, *, errors=None, conflict="", text="", status=200, file_errors=None):
    user = request.user
    errors = errors or {}
    can_answer = access.may_answer(user, item) and item.status in actions.TRANSITIONS["answer"].sources
    can_review = access.may_review(user, item.project) and item.status == RectifyStatus.ANSWERED
    history = item.history.select_related("history_user").order_by("-history_date")[:50]
    files, removed = [], []
    for f in item.evidence.select_related("uploaded_by", "removed_by").order_by("uploaded_at", "pk"):
        (removed if f.removed else files).append(f)
    may_restore = bool(removed) and actions.may_restore(user, item)
    context = {
        "item": item,
        "files": files,
        "removed_files": removed if may_restore else [],
        "file_errors": file_errors or {},
        "max_mb": evidence_actions.max_bytes() // (1024 * 1024),
        "allowed": ALLOWED_TEXT,
        "can_answer": can_answer,
        "can_review": can_review,
        "errors": errors,
        "field_errors": [m for msgs in errors.values() for m in msgs],
        "conflict": conflict,
        "text": text,
        "history": history,
    }
    return render(request, "rectify/item.html", context, status=status)


def _visible_item(user, pk: int):
    return get_object_or_404(
        access.visible_items(user).select_related(
            "project", "unit", "opened_by", "answered_by", "reviewed_by"
        ),
        pk=pk,
    )


@login_required
@require_POST
def item_evidence(request, pk: int):
    """The unit attaches a file to its account of the item (the evidence room's checks and storage)."""
    user = request.user
    item = _visible_item(user, pk)
    if not access.may_answer(user, item):
        raise NotPermitted("只有责任单位可以上传整改佐证材料。")
    try:
        evidence = actions.attach_rectify_evidence(
            user,
            item,
            request.FILES.get("file"),
            request.POST.get("description", "")[:500],
            request.POST.get("version") or None,
        )
    except InvalidData as refused:
        return _item_page(request, item, file_errors=refused.errors, status=422)
    except WorkflowError as refused:  # a stale page (VersionConflict) or a status that allows no change
        item.refresh_from_db()
        return _item_page(request, item, conflict=refused.message, status=409)
    messages.success(request, f"已上传整改佐证材料“{evidence.original_name}”。")
    return redirect(reverse("rectify:item", args=[item.pk]) + "#files")


def _item_file(user, pk: int, *, removed: bool = False) -> Evidence:
    """A file of a 整改事项 the user may read (another's: a 404; a removed one only to restore it)."""
    return get_object_or_404(
        Evidence.objects.filter(removed_at__isnull=not removed)
        .filter(rectify_item__in=access.visible_items(user).values("pk"))
        .select_related("rectify_item__project"),
        pk=pk,
    )


@login_required
@require_GET
def evidence_download(request, pk: int):
    return serving.attachment(_item_file(request.user, pk))


@login_required
@require_POST
def evidence_remove(request, pk: int):
    """The unit removes a file of its account, with a reason (the file and its record are kept)."""
    user = request.user
    evidence = _item_file(user, pk)
    item = evidence.rectify_item
    if not access.may_answer(user, item):
        raise NotPermitted("只有责任单位可以删除整改佐证材料。")
    try:
        actions.remove_rectify_evidence(
            user, evidence, request.POST.get("reason", ""), request.POST.get("version") or None
        )
    except InvalidData as refused:
        messages.error(
            request, f"未删除“{evidence.original_name}”：" + "；".join(refused.errors.get("reason", []))
        )
    except WorkflowError as refused:
        messages.error(request, f"未删除“{evidence.original_name}”：{refused.message}")
    else:
        messages.success(request, f"已删除整改佐证材料“{evidence.original_name}”（记录保留）。")
    return redirect(reverse("rectify:item", args=[item.pk]) + "#files")


@login_required
@require_POST
def evidence_restore(request, pk: int):
    """The unit (while it may answer) or the item's reviewers bring back a removed file, with a reason."""
    user = request.user
    evidence = _item_file(user, pk, removed=True)
    item = evidence.rectify_item
    if not actions.may_restore(user, item):
        raise NotPermitted("您不能恢复该整改佐证材料。")
    try:
        actions.restore_rectify_evidence(
            user, evidence, request.POST.get("reason", ""), request.POST.get("version") or None
        )
    except InvalidData as refused:
        text = "；".join(m for msgs in refused.errors.values() for m in msgs)
        messages.error(request, f"未恢复“{evidence.original_name}”：{text}")
    except WorkflowError as refused:
        messages.error(request, f"未恢复“{evidence.original_name}”：{refused.message}")
    else:
        messages.success(request, f"已恢复整改佐证材料“{evidence.original_name}”。")
    return redirect(reverse("rectify:item", args=[item.pk]) + "#files")
