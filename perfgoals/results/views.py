"""Pages of 结果应用: configuration only. Regions and projects come through ``access`` (the user's scope);
what a user may not read is a 404. The one change (finance's decision) is ``actions.decide``; its
refusal is shown on the form, in Chinese, and nothing is saved."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from projects.exports import XLSX, streaming_download, xlsx_chunks
from projects.filtersets import years_of
from projects.models import Project

from ..workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from . import access, actions, rows
from .filters import ApplicationFilterSet
from .models import BudgetAction, BudgetDecision, action_text
from .rules import BASE_FALLBACK_NOTE, BASE_NEXT, BASE_THIS, reduction, reduction_base, rule_for
from .tables import ApplicationTable, decision_of

PER_PAGE = 25


@login_required
@require_http_methods(["GET"])
def index(request):
    """The user's first region, its latest year with a final grade."""
    region = access.readable_regions(request.user).order_by("name").first()
    if region is None:
        raise Http404("没有可查看的结果应用。")
    years = years_of(Project.objects.filter(region=region))
    if not years:
        raise Http404("该地区还没有项目。")
    # the latest year with a final grade to apply (a year still being set up has none); else the latest
    projects = access.readable_projects(request.user).filter(region=region)
    year = next((y for y in years if rows.graded(projects.filter(year=y)).exists()), years[0])
    return redirect("results:summary", region.pk, year)


def _region_rows(request, region_pk: int, year: int):
    region = get_object_or_404(access.readable_regions(request.user), pk=region_pk)
    projects = access.readable_projects(request.user).filter(region=region, year=year)
    rule = rule_for(region)
    filterset = ApplicationFilterSet(
        request.GET or None, queryset=rows.annotated(projects), region=region, rule=rule
    )
    if filterset.is_bound and not filterset.is_valid():
        qs = filterset.queryset.none()
    else:
        qs = filterset.qs
    return region, rule, filterset, qs, rows.recheck_graded(region, year)


@login_required
@require_http_methods(["GET"])
def summary(request, region_pk: int, year: int):
    region, rule, filterset, qs, recheck_ids = _region_rows(request, region_pk, year)
    totals = rows.cached_totals(qs, rule)
    table = ApplicationTable(qs, totals=totals, rule=rule, recheck_ids=recheck_ids, filtered=qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {
        "region": region,
        "year": year,
        "years": years_of(Project.objects.filter(region=region)),
        "regions": access.readable_regions(request.user).order_by("name"),
        "rule": [(grade, proposal.text) for grade, proposal in rule.items()],
        "filter": filterset,
        "table": table,
        "totals": totals,
        "query": request.GET.urlencode(),
    }
    return render(request, "results/summary.html", context)


EXPORT_HEADER = [
    "项目名称",
    "主管部门",
    "实施单位",
    "全年预算数（万元）",
    "核减基数（万元）",
    "基数来源",
    "等级",
    "等级来源",
    "建议措施",
    "建议核减（万元）",
    "财政决定",
    "调整理由",
    "应用核减（万元）",
    "等级或建议已变",
]
EXPORT_FORMATS = [
    None,
    None,
    None,
    "0.00##",
    "0.00##",
    None,
    None,
    None,
    None,
    "0.00",
    None,
    None,
    "0.00",
    None,
]


def _export_rows(qs, totals, rule, recheck_ids):
    for record in qs.iterator(chunk_size=2000):
        decision = decision_of(record)
        proposal = rows.proposal(rule, record.final_grade)
        base, is_next = reduction_base(record.budget, record.next_budget)
        proposed_cut = reduction(proposal.action, proposal.percent, base) if proposal else Decimal("0.00")
        applied_cut = (
            proposed_cut if decision is None else reduction(decision.action, decision.reduction_percent, base)
        )
        yield [
            record.name,
            record.department.name,
            record.unit.name,
            record.budget,
            base,
            BASE_NEXT if is_next else BASE_THIS,
            record.final_grade,
            "复核" if record.pk in recheck_ids else "自评",
            proposal.text if proposal else "",
            proposed_cut,
            action_text(decision.action, decision.reduction_percent) if decision else "",
            decision.reason if decision else "",
            applied_cut,
            "是" if rows.differs(decision, record.final_grade, proposal) else "",
        ]
    yield [
        f"合计（{totals['count']} 项）",
        "",
        "",
        totals["budget"],
        totals["base"],
        f"{totals['fallback']} 项按本年度" if totals["fallback"] else "",
        "",
        "",
        "",
        totals["proposed"],
        "",
        "",
        totals["applied"],
        "",
    ]


@login_required
@require_http_methods(["GET"])
def summary_xlsx(request, region_pk: int, year: int):
    """The filtered table as a workbook, every row and the 合计 (text never read as a formula)."""
    region, rule, _filterset, qs, recheck_ids = _region_rows(request, region_pk, year)
    totals = rows.cached_totals(qs, rule)
    title = f"{region.name}{year}年度结果应用"
    chunks = xlsx_chunks(
        EXPORT_HEADER,
        _export_rows(qs.order_by("department__name", "name", "pk"), totals, rule, recheck_ids),
        title=title[:31],
        formats=EXPORT_FORMATS,
    )
    return streaming_download(chunks, f"{title}.xlsx", XLSX)


@login_required
@require_http_methods(["GET", "POST"])
def project(request, pk: int):
    """One project-year: its grade, the proposal, finance's decision (and the form to change it) and the
    decision's history."""
    user = request.user
    item = get_object_or_404(
        access.readable_projects(user).select_related("region", "department", "unit"), pk=pk
    )
    can_decide = access.may_decide(user, item)
    errors: dict[str, list[str]] = {}
    conflict = ""
    status = 200
    values = {}
    if request.method == "POST":
        if not can_decide:
            raise NotPermitted("只有本地区的财政审阅人可以作出结果应用决定。")
        values = {k: request.POST.get(k, "")[:2000] for k in ("action", "reduction_percent", "reason")}
        try:
            decision = actions.decide(
                user,
                item,
                values["action"],
                values["reduction_percent"],
                values["reason"],
                request.POST.get("version", ""),
            )
        except VersionConflict as refused:
            conflict, status = refused.message, 409
        except InvalidData as refused:
            errors, status = refused.errors, 422
        except WorkflowError as refused:
            conflict, status = refused.message, 409
        else:
            messages.success(
                request, f"已保存结果应用决定：{action_text(decision.action, decision.reduction_percent)}。"
            )
            return redirect("results:project", item.pk)
    record = rows.annotated(Project.objects.filter(pk=item.pk)).first()
    # a decision stays visible when the grade it was taken on is gone (the evaluation reopened)
    decision = decision_of(record) if record else BudgetDecision.objects.filter(project=item).first()
    proposal = rows.proposal(rule_for(item.region_id), record.final_grade) if record else None
    base, base_is_next = reduction_base(record.budget, record.next_budget) if record else (None, False)
    if not values:
        values = {
            "action": decision.action if decision else (proposal.action if proposal else ""),
            "reduction_percent": (
                decision.reduction_percent if decision else (proposal.percent if proposal else "")
            )
            or "",
            "reason": "",
        }
    history = (
        decision.history.select_related("history_user").order_by("-history_date")[:50] if decision else []
    )
    context = {
        "project": item,
        "record": record,
        "proposal": proposal,
        "decision": decision,
        "grade_source": "复核"
        if record and rows.recheck_graded(item.region_id, item.year, Project.objects.filter(pk=item.pk))
        else "自评",
        "base": base,
        "base_is_next": base_is_next,
        "base_note": BASE_FALLBACK_NOTE,
        "proposed_cut": reduction(proposal.action, proposal.percent, base) if proposal else None,
        "decision_text": action_text(decision.action, decision.reduction_percent) if decision else "",
        "basis_text": action_text(decision.basis_action, decision.basis_percent) if decision else "",
        "changed": rows.differs(decision, record.final_grade, proposal) if record else False,
        "can_decide": can_decide and record is not None,
        "actions": BudgetAction.choices,
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "version": decision.version if decision else 0,
        "history": history,
    }
    return render(request, "results/project.html", context, status=status)
