"""The overview pages: ``overview`` for supervisors, finance reviewers and administrators (a year of their
scope, drilled down by department and unit), ``unit_home`` for unit users (their projects, what each still
needs, their returned evaluations with the comment). Configuration only: the figures are ``figures``'s."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from projects.choices import Role
from projects.scoping import roles_of, visible_projects

from ..choices import Status
from ..models import ReviewAction, ReviewActionKind
from . import scope as scopes
from . import snapshots, tasks
from .figures import STATUS_ORDER
from .signals import SIGNAL_BY_CODE, SIGNALS

#: who gets the overview as the starting page (a unit user gets their own page)
OVERSEERS = {Role.SUPERVISOR, Role.FINANCE, Role.ADMIN}

#: what a unit does next, by status
NEXT_STEP = {
    Status.DRAFT: "填报绩效目标并提交主管部门",
    Status.TARGETS_SUBMITTED: "等待主管部门批复绩效目标",
    Status.TARGETS_FINANCE: "绩效目标已经主管部门批复，等待财政部门审核",
    Status.TARGETS_APPROVED: "年度结束后填报实际完成值",
    Status.ENTERING: "继续填报实际完成值并提交",
    Status.RETURNED: "按审核意见修改后重新提交",
    Status.SUBMITTED: "等待主管部门审核",
    Status.FINANCE_PENDING: "主管部门已审核通过，等待财政部门审核",
    Status.APPROVED: "已审核通过",
    Status.PUBLISHED: "已公开",
}
#: a draft whose targets the department returned (中) or refused (差)
TARGETS_BACK_STEP = "按评审意见修改绩效目标后重新提交"


def list_url(**params) -> str:
    """The project list filtered to exactly these projects."""
    return reverse("project_list") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@login_required
@require_GET
def overview_page(request):
    if not OVERSEERS & roles_of(request.user):
        return redirect("oversight:unit_home")
    asked = (request.GET.get("year"), request.GET.get("department"), request.GET.get("unit"))
    scope = scopes.for_user(request.user, *asked)
    size = scope.projects.count()
    snapshot = snapshots.read(
        scope.projects,
        scope.year,
        scope.level,
        size,
        refresh=lambda: tasks.queue_refresh(request.user.pk, scope.year, *asked[1:]),
    )
    if snapshot.pending:
        return render(request, "oversight/pending.html", {"scope": scope, "size": size}, status=202)
    figures = snapshot.figures
    base = {
        "year": scope.year,
        "department": scope.department.pk if scope.department else None,
        "unit": scope.unit.pk if scope.unit else None,
    }
    status_cards = [
        {
            "code": s.value,
            "label": s.label,
            "count": figures.by_status[s],
            "url": list_url(status=s.value, **base),
        }
        for s in STATUS_ORDER
    ]
    grade_cards = [
        {"grade": g, "count": n, "url": list_url(grade=g, **base)} for g, n in figures.by_grade.items()
    ]
    chosen = SIGNAL_BY_CODE.get(request.GET.get("signal", ""))
    flagged, flagged_count = figures.flagged, figures.flagged_count
    if chosen:
        row = next(r for r in figures.signal_rows if r["signal"] is chosen or r["signal"].code == chosen.code)
        flagged, flagged_count = row["top"], row["evaluations"]
    child_param = {"region": "department", "department": "unit"}.get(scope.level)
    children = [
        {
            "row": row,
            "url": (
                "?" + urlencode({**{k: v for k, v in base.items() if v}, child_param: row.key})
                if child_param
                else reverse("perfgoals:review", args=[row.key])
            ),
            "list_url": list_url(
                **{**base, "unit": row.key}
                if scope.level == "department"
                else {**base, "department": row.key}
            )
            if child_param
            else None,
            # one cell per follow-up signal (整改逾期 …), in the order of the 需跟进 table
            "follow_ups": [row.follow_ups.get(f.signal.code, 0) for f in figures.follow_ups],
        }
        for row in figures.children
    ]
    totals = {
        "projects": sum(r.projects for r in figures.children),
        "submitted": sum(r.submitted for r in figures.children),
        "approved": sum(r.approved for r in figures.children),
        "returned": sum(r.returned for r in figures.children),
        "flagged": sum(r.flagged for r in figures.children),
        "gap": figures.reported_minus_computed,
        "mean": figures.mean_score,
        "follow_ups": [f.items for f in figures.follow_ups],
    }
    chart_data = {
        "grades": list(figures.by_grade.items()),
        "scores": figures.score_bands,
        "execution": figures.execution_bands,
        "scatter": figures.scatter,
        "status": [(c["label"], c["count"]) for c in status_cards],
        "review_url": reverse("perfgoals:review", args=[0]),
    }
    return render(
        request,
        "oversight/overview.html",
        {
            "scope": scope,
            "figures": figures,
            "status_cards": status_cards,
            "grade_cards": grade_cards,
            "signals": SIGNALS,
            "signal_rows": figures.signal_rows,
            "chosen_signal": chosen,
            "flagged": flagged[:50],
            "flagged_count": flagged_count,
            "snapshot": snapshot,
            "children": children,
            "totals": totals,
            "chart_data": chart_data,
            "child_label": {"region": "主管部门", "department": "实施单位", "unit": "项目"}[scope.level],
            "base_query": urlencode({k: v for k, v in base.items() if v}),
        },
    )


@login_required
@require_GET
def unit_home(request):
    """我的项目: the unit user's projects of the latest year by status, what each still needs, and the
    returned ones with the supervisor's comment first."""
    scoped = visible_projects(request.user)
    scope = scopes.narrow(scoped, request.GET.get("year"))
    projects = list(
        scope.projects.select_related("evaluation", "unit")
        .annotate(
            indicator_count=Count("indicators", filter=Q(indicators__not_applicable=False)),
            filled=Count(
                "indicators", filter=Q(indicators__not_applicable=False) & ~Q(indicators__actual_text="")
            ),
        )
        .order_by("name")
    )
    # a draft is back with the unit only after a graded target review returned (中) or refused (差) it
    returned_ids = [
        p.evaluation.pk for p in projects if p.evaluation.status in (Status.RETURNED, Status.DRAFT)
    ]
    comments = {}
    for action in (
        ReviewAction.objects.filter(
            evaluation_id__in=returned_ids,
            action__in=(
                ReviewActionKind.RETURN,
                ReviewActionKind.REOPEN,
                ReviewActionKind.RETURN_TARGETS,
                ReviewActionKind.REFUSE_TARGETS,
                ReviewActionKind.FINANCE_TO_UNIT,
                ReviewActionKind.FINANCE_REOPEN,
                ReviewActionKind.FINANCE_TARGETS_TO_UNIT,
            ),
        )
        .select_related("user")
        .order_by("evaluation_id", "-created_at")
    ):
        comments.setdefault(action.evaluation_id, action)
    rows = [
        {
            "project": p,
            "status": p.evaluation.get_status_display(),
            "next": TARGETS_BACK_STEP
            if p.evaluation.status == Status.DRAFT and p.evaluation.pk in comments
            else NEXT_STEP.get(p.evaluation.status, ""),
            "comment": comments.get(p.evaluation.pk),
            "returned": p.evaluation.status == Status.RETURNED
            or (p.evaluation.status == Status.DRAFT and p.evaluation.pk in comments),
        }
        for p in projects
    ]
    rows.sort(key=lambda r: (not r["returned"], r["project"].name))
    counts = {s: 0 for s in STATUS_ORDER}
    for p in projects:
        counts[p.evaluation.status] = counts.get(p.evaluation.status, 0) + 1
    return render(
        request,
        "oversight/unit_home.html",
        {
            "scope": scope,
            "rows": rows,
            "status_cards": [
                {"label": s.label, "count": counts[s], "url": list_url(year=scope.year, status=s.value)}
                for s in STATUS_ORDER
                if counts[s]
            ],
            "returned": [r for r in rows if r["returned"]],
        },
    )
