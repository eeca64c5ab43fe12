"""The named change of 结果应用: finance decides a project-year's budget action.

It runs in one transaction, checks that the user is a finance reviewer of the project's region (through
``projects.scoping``), compares the version the page saw, and writes its history with a reason. The
decision records the grade and proposal it was taken against, so a later change of grade shows as a
difference and never overwrites it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from projects.models import Project

from ..workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from ..workflow.versions import acting_as, conflict_message, last_change
from . import rows
from .access import may_decide
from .models import BudgetAction, BudgetDecision, action_text, check_percent
from .rules import rule_for

REASON_MAX_CHARS = 2000
CENT = Decimal("0.01")


def parse_percent(value) -> Decimal | None:
    """A typed percentage as Decimal (None for blank), or InvalidData in Chinese. "10%" reads as 10."""
    text = str(value if value is not None else "").strip().removesuffix("%").removesuffix("％").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(text) > 12:
        raise InvalidData({"reduction_percent": [f"核减比例“{text[:20]}”不是数字。"]})
    if number != number.quantize(CENT):
        raise InvalidData({"reduction_percent": ["核减比例最多保留两位小数。"]})
    return number.quantize(CENT)


def clean(action, percent, reason) -> tuple[str, Decimal | None, str]:
    errors: dict[str, list[str]] = {}
    action = str(action or "").strip()
    if action not in BudgetAction.values:
        errors["action"] = ["请选择措施。"]
    try:
        percent = parse_percent(percent)
    except InvalidData as refused:
        errors.update(refused.errors)
        percent = None
    else:
        if "action" not in errors:
            errors.update(check_percent(action, percent))
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = ["请填写调整理由。"]
    elif len(reason) > REASON_MAX_CHARS:
        errors["reason"] = [f"理由不能超过 {REASON_MAX_CHARS} 字。"]
    if errors:
        raise InvalidData(errors)
    return action, percent, reason


def _check_version(decision: BudgetDecision | None, expected_version) -> None:
    if expected_version is None:
        return
    current = str(decision.version) if decision else "0"
    if str(expected_version).strip() != current:
        if decision is None:
            raise VersionConflict("该项目的决定已被撤销或页面已过期，请刷新后重试。")
        by, at = last_change(decision.history)
        raise VersionConflict(conflict_message("该项目的结果应用决定", by, at), changed_by=by, changed_at=at)


@transaction.atomic
def decide(user, project: Project, action, percent, reason, expected_version=None) -> BudgetDecision:
    """Store finance's decision on ``project``'s budget action (and its 核减比例) with a reason.

    ``expected_version`` is the decision's version the page saw ("0": no decision yet)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not may_decide(user, project):
        raise NotPermitted("只有本地区的财政审阅人可以作出结果应用决定。")
    decision = BudgetDecision.objects.filter(project=project).first()
    _check_version(decision, expected_version)
    action, percent, reason = clean(action, percent, reason)
    row = rows.graded(Project.objects.filter(pk=project.pk)).values("final_grade").first()
    if row is None:
        raise WorkflowError("该项目尚无最终等级（自评未审核、也无已完成的复核），不能作出结果应用决定。")
    grade = row["final_grade"]
    proposal = rule_for(project.region_id).get(grade)
    if decision is None:
        decision = BudgetDecision(project=project, version=1)
        verb = "作出结果应用决定"
    else:
        decision.version += 1
        verb = "修改结果应用决定"
    decision.action, decision.reduction_percent, decision.reason = action, percent, reason
    decision.basis_grade = grade
    decision.basis_action = proposal.action if proposal else ""
    decision.basis_percent = proposal.percent if proposal else None
    decision.decided_by, decision.decided_at = user, timezone.now()
    decision.full_clean(exclude=["project"])
    with acting_as(user):
        decision._change_reason = f"{verb}：{action_text(action, percent)}（{reason[:40]}）"[:100]
        decision.save()
    return decision
