"""The named changes of 整改. Each runs in one transaction, checks the user's scope (``access``, through
``projects.scoping``), compares the version the page saw and writes its history with a reason. The
status moves are one table (``TRANSITIONS``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from projects.models import Project

from ..evidence import actions as evidence_actions
from ..evidence.models import Evidence
from ..recheck.access import may_recheck
from ..recheck.models import ItemStatus, RecheckItem
from ..workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from ..workflow.versions import acting_as, conflict_message, last_change
from .access import may_answer, may_review
from .models import RectifyItem, RectifyStatus, Source

TEXT_MAX_CHARS = 5000
#: a deadline at most this far ahead (a typo such as 2205 is refused)
MAX_DEADLINE_DAYS = 3 * 366


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: str  # "unit" (the responsible unit's users) or "reviewer" (finance or the department)
    text_field: str  # the text the move requires: the unit's account or the reviewer's comment


TRANSITIONS = {
    "answer": Transition(
        "answer",
        "反馈整改情况",
        (RectifyStatus.OPEN, RectifyStatus.RETURNED),
        RectifyStatus.ANSWERED,
        "unit",
        "account",
    ),
    "confirm": Transition(
        "confirm",
        "确认整改",
        (RectifyStatus.ANSWERED,),
        RectifyStatus.CONFIRMED,
        "reviewer",
        "review_comment",
    ),
    "return": Transition(
        "return", "退回整改", (RectifyStatus.ANSWERED,), RectifyStatus.RETURNED, "reviewer", "review_comment"
    ),
}


def _text(value, field: str, label: str, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidData({field: [f"请填写{label}。"]})
    if len(text) > TEXT_MAX_CHARS:
        raise InvalidData({field: [f"{label}不能超过 {TEXT_MAX_CHARS} 字。"]})
    return text


def parse_deadline(value, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    text = str(value or "").strip()
    try:
        deadline = datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidData(
            {"deadline": [f"整改期限“{text[:20]}”不是日期，请按 2026-06-30 的格式填写。"]}
        ) from None
    if deadline < today:
        raise InvalidData({"deadline": ["整改期限不能早于今天。"]})
    if (deadline - today).days > MAX_DEADLINE_DAYS:
        raise InvalidData({"deadline": ["整改期限不能晚于三年之后。"]})
    return deadline


@transaction.atomic
def open_item(user, project: Project, source, problem, deadline, recheck_item: RecheckItem | None = None):
    """Open a 整改事项 of ``project`` for its unit. From a 复核 record only once that 复核 is finished
    (its findings are finance's working notes until then) and of the same project."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not may_review(user, project):
        raise NotPermitted("只有本地区的财政审阅人或本部门的审核人可以提出整改事项。")
    errors: dict[str, list[str]] = {}
    source = str(source or "").strip()
    if recheck_item is not None:
        if not may_recheck(user, recheck_item.sample.region):
            raise NotPermitted("只有本地区的财政审阅人可以依据复核记录提出整改事项。")
        if recheck_item.evaluation.project_id != project.pk:
            raise NotPermitted("该复核记录不属于本项目。")
        if recheck_item.status != ItemStatus.DONE:
            raise WorkflowError("该项复核尚未完成，不能据此提出整改事项。")
        source = Source.RECHECK
    if source not in Source.values:
        errors["source"] = ["请选择问题来源。"]
    for check in (
        lambda: _text(problem, "problem", "整改事项"),
        lambda: parse_deadline(deadline),
    ):
        try:
            check()
        except InvalidData as refused:
            errors.update(refused.errors)
    if errors:
        raise InvalidData(errors)
    item = RectifyItem(
        project=project,
        unit_id=project.unit_id,
        source=source,
        recheck_item=recheck_item,
        problem=_text(problem, "problem", "整改事项"),
        deadline=parse_deadline(deadline),
        opened_by=user,
    )
    with acting_as(user):
        item._change_reason = f"提出整改事项（{Source(source).label}），期限 {item.deadline}"
        item.save()
    return item


@transaction.atomic
def move(user, item: RectifyItem, name: str, text, expected_version=None) -> RectifyItem:
    """Carry out the transition ``name`` of ``TRANSITIONS`` with its required text."""
    transition = TRANSITIONS.get(str(name))
    if transition is None:
        raise WorkflowError("未知的操作。")
    item = RectifyItem.objects.select_related("project").select_for_update(of=("self",)).get(pk=item.pk)
    allowed = may_answer(user, item) if transition.who == "unit" else may_review(user, item.project)
    if not allowed:
        raise NotPermitted("您不能对该整改事项执行此操作。")
    if expected_version is not None and str(expected_version) != str(item.version):
        by, at = last_change(item.history)
        raise VersionConflict(conflict_message("该整改事项", by, at), changed_by=by, changed_at=at)
    if item.status not in transition.sources:
        raise WorkflowError(f"该整改事项当前为“{item.get_status_display()}”，不能{transition.label}。")
    label = (
        "整改情况" if transition.text_field == "account" else ("退回意见" if name == "return" else "确认意见")
    )
    value = _text(text, transition.text_field, label, required=name != "confirm")
    now = timezone.now()
    item.status = transition.target
    if transition.who == "unit":
        item.account, item.answered_by, item.answered_at = value, user, now
    else:
        item.review_comment, item.reviewed_by, item.reviewed_at = value, user, now
    item.version += 1
    with acting_as(user):
        item._change_reason = f"{transition.label}：{value[:60]}" if value else transition.label
        item.save()
    return item


def _lock_for_evidence(user, item: RectifyItem, expected_version) -> RectifyItem:
    """The item locked, checked for the unit's right to change its account and for the version the page
    saw: files go with the account, so only while the unit may answer (待整改 or 退回)."""
    item = RectifyItem.objects.select_related("project").select_for_update(of=("self",)).get(pk=item.pk)
    if not may_answer(user, item):
        raise NotPermitted("只有责任单位可以上传或删除整改佐证材料。")
    if expected_version is not None and str(expected_version) != str(item.version):
        by, at = last_change(item.history)
        raise VersionConflict(conflict_message("该整改事项", by, at), changed_by=by, changed_at=at)
    if item.status not in TRANSITIONS["answer"].sources:
        raise WorkflowError(
            f"该整改事项当前为“{item.get_status_display()}”，不能再更改整改佐证材料；如需补充，请联系审核人退回。"
        )
    return item


def _bump(user, item: RectifyItem, reason: str) -> None:
    """A change of the item's files moves its version, so that a page showing the older set (a confirm
    from a stale page) is refused."""
    item.version += 1
    with acting_as(user):
        item._change_reason = reason[:100]
        item.save(update_fields=["version"])


@transaction.atomic
def attach_rectify_evidence(user, item: RectifyItem, uploaded, description="", expected_version=None):
    """The unit attaches a file to its account of ``item``: the evidence room's checks and storage
    (``evidence.actions.store``), the file linked to the item and of the item's project-year."""
    item = _lock_for_evidence(user, item, expected_version)
    evidence = evidence_actions.store(
        user,
        item.project,
        uploaded,
        rectify_item=item,
        description=description,
        where=f"整改事项 #{item.pk} 的",
    )
    _bump(user, item, f"上传整改佐证材料：{evidence.original_name}")
    return evidence


@transaction.atomic
def remove_rectify_evidence(user, evidence: Evidence, reason, expected_version=None) -> Evidence:
    """The unit removes a file of its account, with a reason (the file and its record are kept)."""
    if evidence.rectify_item_id is None:
        raise WorkflowError("该文件不是整改佐证材料。")
    item = _lock_for_evidence(user, evidence.rectify_item, expected_version)
    evidence = evidence_actions.mark_removed(user, evidence, reason, project=item.project)
    _bump(user, item, f"删除整改佐证材料：{evidence.original_name}")
    return evidence


@transaction.atomic
def restore_rectify_evidence(user, evidence: Evidence, reason, expected_version=None) -> Evidence:
    """Bring back a removed file of the item, with a reason: the unit while it may change its account,
    or the item's reviewers (finance, the department) at any time."""
    if evidence.rectify_item_id is None:
        raise WorkflowError("该文件不是整改佐证材料。")
    item = (
        RectifyItem.objects.select_related("project")
        .select_for_update(of=("self",))
        .get(pk=evidence.rectify_item_id)
    )
    if not may_restore(user, item):
        raise NotPermitted("只有责任单位（整改待反馈时）或本事项的审核人可以恢复整改佐证材料。")
    if expected_version is not None and str(expected_version) != str(item.version):
        by, at = last_change(item.history)
        raise VersionConflict(conflict_message("该整改事项", by, at), changed_by=by, changed_at=at)
    evidence = evidence_actions.mark_restored(user, evidence, reason, project=item.project)
    _bump(user, item, f"恢复整改佐证材料：{evidence.original_name}")
    return evidence


def may_restore(user, item: RectifyItem) -> bool:
    unit_may = may_answer(user, item) and item.status in TRANSITIONS["answer"].sources
    return unit_may or may_review(user, item.project)
