"""The named changes of 佐证材料: attaching a file and removing one.

Each runs in one transaction: it checks that the user is a unit user of the project's unit (through
``projects.scoping``, via ``workflow.access``; supervisors, finance and administrators read only),
that the project-year is in a status where the unit may change its results (the workflow's own rule,
``workflow.access.require_editable``), checks the file (size, count, type by content), and writes its
history with a reason. A removed file is restored (``restore_evidence``, with a reason) by the unit
while it may change its results, or by finance of the project's region at any time (a file removed by
mistake found during 审核 or 复核).

None of them moves the evaluation's version, on purpose: evidence supports the values and scores, it
does not change them, and it changes only in the unit's edit statuses (``require_editable``), where
every other change is the unit's own — no reviewer decides in those statuses, so no decision can be
taken on a page showing an older set of files; moving the version would only refuse the unit's own
other open rows after each upload. (Finance's restore may happen in any status; it adds a file back,
which no decision refuses.) The files of a 整改事项 do move that item's version (``rectify.actions``):
there the reviewer confirms while the files are shown.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.choices import Role
from projects.models import Membership, Project

from ..choices import EDITABLE_STATUSES
from ..models import Indicator
from ..workflow.access import fresh_project, may_enter, require_editable, require_enter
from ..workflow.errors import InvalidData, NotPermitted, WorkflowError
from ..workflow.versions import acting_as, lock_evaluation
from . import content
from .models import Evidence

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PER_PROJECT = 50
DESCRIPTION_MAX_CHARS = 200
REASON_MAX_CHARS = 500


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_per_project() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_PER_PROJECT", DEFAULT_MAX_PER_PROJECT))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _digest(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def check_upload(uploaded) -> content.Kind:
    """The kind of an uploaded file within the limits, or InvalidData at the "file" field."""
    if uploaded is None:
        raise InvalidData({"file": ["请选择要上传的文件。"]})
    size = uploaded.size or 0
    if size > max_bytes():
        raise InvalidData(
            {"file": [f"文件过大（{_megabytes(size)}）：每个佐证材料最大 {_megabytes(max_bytes())}。"]}
        )
    try:
        return content.sniff(uploaded, uploaded.name or "")
    except content.Refused as refused:
        raise InvalidData({"file": [refused.message]}) from None
    finally:
        uploaded.seek(0)


@transaction.atomic
def attach_evidence(
    user, project: Project, uploaded, *, indicator: Indicator | None = None, description: str = ""
) -> Evidence:
    """Store ``uploaded`` (a Django UploadedFile) as evidence of the project-year, or of one of its
    indicators. Refuses (nothing stored): another unit's project or a reader (NotPermitted), a locked
    status (WorkflowError), a file too large, of a type not accepted, or one too many (InvalidData)."""
    project = fresh_project(project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_editable(evaluation)
    if indicator is not None and indicator.project_id != project.pk:
        raise InvalidData({"indicator": ["所选指标不属于本项目。"]})
    where = f"指标“{indicator.name[:30]}”" if indicator is not None else "项目"
    return store(user, project, uploaded, indicator=indicator, description=description, where=where)


def store(
    user,
    project: Project,
    uploaded,
    *,
    indicator: Indicator | None = None,
    rectify_item=None,
    description: str = "",
    where: str = "项目",
) -> Evidence:
    """The checks every evidence file passes (its description, its size and type by content, the
    project's count) and the storing of it, with its history. The caller has checked who may attach
    and locked what it attaches to (``attach_evidence``; ``rectify.actions.attach_rectify_evidence``
    for a file of a 整改事项), inside its transaction."""
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise InvalidData({"description": [f"说明不能超过 {DESCRIPTION_MAX_CHARS} 字。"]})
    kind = check_upload(uploaded)
    count = Evidence.objects.filter(project=project).active().count()
    if count >= max_per_project():
        raise InvalidData(
            {
                "file": [
                    f"本项目已有 {count} 个佐证材料，已达上限 {max_per_project()} 个；请先删除不需要的材料。"
                ]
            }
        )
    original = (uploaded.name or "佐证材料").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    evidence = Evidence(
        project=project,
        indicator=indicator,
        rectify_item=rectify_item,
        original_name=original or "佐证材料",
        size=uploaded.size,
        content_type=kind.content_type,
        sha256=_digest(uploaded),
        description=description,
        uploaded_by=user,
    )
    evidence._change_reason = f"上传{where}佐证材料：{evidence.original_name}"[:100]
    with acting_as(user):
        evidence.file.save("evidence", uploaded, save=False)
        stored = evidence.file.name
        try:
            evidence.save()
        except Exception:
            evidence.file.storage.delete(stored)
            raise
    # the file is written last: a refusal above stores nothing; a failing row removes its file
    return evidence


@transaction.atomic
def remove_evidence(user, evidence: Evidence, reason: str) -> Evidence:
    """Remove an evidence file from the project-year's pages, with the reason (required). The file
    stays in storage and the row in the database (who, when, why): nothing is lost."""
    project = fresh_project(evidence.project)
    require_enter(user, project)
    evaluation = lock_evaluation(project)
    require_editable(evaluation)
    return mark_removed(user, evidence, reason, project=project)


def clean_reason(reason, label: str = "删除原因") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidData({"reason": [f"请填写{label}。"]})
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidData({"reason": [f"{label}不能超过 {REASON_MAX_CHARS} 字。"]})
    return reason


def mark_removed(user, evidence: Evidence, reason: str, *, project: Project) -> Evidence:
    """Record the removal (who, when, why) of a file of ``project``; the caller has checked who may
    remove it and locked what it belongs to, inside its transaction."""
    reason = clean_reason(reason)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.project_id != project.pk:
        raise WorkflowError("该佐证材料不属于本项目。")
    if evidence.removed:
        raise WorkflowError("该佐证材料已被删除。")
    evidence.removed_at = timezone.now()
    evidence.removed_by = user
    evidence.removal_reason = reason
    evidence._change_reason = f"删除佐证材料：{reason}"[:100]
    with acting_as(user):
        evidence.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    return evidence


def is_region_finance(user, project: Project) -> bool:
    """A finance reviewer of the project's region (not an administrator: administrators read)."""
    return Membership.objects.filter(user=user, role=Role.FINANCE, region_id=project.region_id).exists()


def may_restore(user, project: Project) -> bool:
    """The unit while it may change its results, or finance of the project's region."""
    unit_may = may_enter(user, project) and project.evaluation.status in EDITABLE_STATUSES
    return unit_may or is_region_finance(user, project)


@transaction.atomic
def restore_evidence(user, evidence: Evidence, reason: str) -> Evidence:
    """Bring a removed file of the project-year back to its pages, with the reason (required)."""
    project = fresh_project(evidence.project)
    evaluation = lock_evaluation(project)
    project.evaluation = evaluation
    if not may_restore(user, project):
        raise NotPermitted("只有实施单位（自评可填报时）或本地区财政审阅人可以恢复佐证材料。")
    if evidence.rectify_item_id is not None:
        raise WorkflowError("整改佐证材料请在整改事项页恢复。")
    return mark_restored(user, evidence, reason, project=project)


def mark_restored(user, evidence: Evidence, reason: str, *, project: Project) -> Evidence:
    """Undo a removal (the history keeps who removed it and why, and who restored it and why); the
    caller has checked who may restore and locked what the file belongs to."""
    reason = clean_reason(reason, "恢复原因")
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.project_id != project.pk:
        raise WorkflowError("该佐证材料不属于本项目。")
    if not evidence.removed:
        raise WorkflowError("该佐证材料未被删除，无需恢复。")
    count = Evidence.objects.filter(project=project).active().count()
    if count >= max_per_project():
        raise InvalidData(
            {"reason": [f"本项目已有 {count} 个佐证材料，已达上限 {max_per_project()} 个，不能再恢复。"]}
        )
    evidence.removed_at = None
    evidence.removed_by = None
    evidence.removal_reason = ""
    evidence._change_reason = f"恢复佐证材料：{reason}"[:100]
    with acting_as(user):
        evidence.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    return evidence
