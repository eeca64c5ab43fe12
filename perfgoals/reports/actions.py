"""The reports app's named changes: each checks the user's scope and runs in one transaction.

The department's wording of its report (save, finalise, reopen, reset a section) and the annual
packages (start one, rebuild one). Actions never queue work: a caller that created or reset a package
hands it to :func:`.tasks.queue_package` afterwards, so that this module needs nothing of Celery.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from projects.models import Department, Region

from . import access
from .data import DepartmentYear
from .models import SECTIONS, DepartmentReportText, PackageScope, PackageStatus, ReportPackage
from .wording import ReportText, generate_sections, normalise_text, report_text

# --- the department's wording ---------------------------------------------------------------------

#: characters a section of the report may hold (some ten printed pages): the wording is free text sent
#: by a browser, stored, and written into every Word file and package of the department's year
SECTION_MAX_CHARS = 20_000


class ReportLocked(ValidationError):
    """The report is final; reopen it before changing the wording."""


def _check_editor(user, dy: DepartmentYear) -> Department:
    department = Department.objects.get(pk=dy.department_id)
    if not access.can_edit_wording(user, department):
        raise PermissionDenied("只有主管部门审核人可以修改报告文字。")
    return department


@transaction.atomic
def save_report_text(user, dy: DepartmentYear, texts: dict[str, str]) -> ReportText:
    """Store the department's wording. A section submitted exactly as generated is stored empty, so
    that it keeps following the data."""
    department = _check_editor(user, dy)
    record, _ = DepartmentReportText.objects.select_for_update().get_or_create(
        department=department, year=dy.year
    )
    if record.is_final:
        raise ReportLocked("报告已定稿，请先撤销定稿再修改。")
    generated = generate_sections(dy)
    # the department's own words are bounded; a section sent back as generated (however long the data
    # make it) is not theirs and is stored empty below
    too_long = [
        f"{dict(dy.style.sections).get(field, SECTIONS[field])}不能超过 {SECTION_MAX_CHARS} 字（现为 {len(text)} 字）"
        for field in SECTIONS
        if field in texts
        and len(text := normalise_text(texts[field])) > SECTION_MAX_CHARS
        and text != normalise_text(generated[field])
    ]
    if too_long:
        raise ValidationError("；".join(too_long) + "。未保存，请删减后再提交。")
    snapshot = dict(record.generated_snapshot or {})
    changed = []
    for field in SECTIONS:
        if field not in texts:
            continue
        text = normalise_text(texts[field])
        value = "" if text == normalise_text(generated[field]) else text
        if value:
            snapshot[field] = generated[field]
        else:
            snapshot.pop(field, None)
        if getattr(record, field) != value:
            setattr(record, field, value)
            changed.append(field)
    record.generated_snapshot = snapshot
    record.updated_by = user
    record.save(update_fields=[*changed, "generated_snapshot", "updated_by", "updated_at"])
    return report_text(dy, record)


@transaction.atomic
def finalize_report(user, dy: DepartmentYear) -> ReportText:
    """Freeze the wording as it now reads (generated sections included). Section 四 must be written."""
    department = _check_editor(user, dy)
    record, _ = DepartmentReportText.objects.select_for_update().get_or_create(
        department=department, year=dy.year
    )
    current = report_text(dy, record)
    if current.missing:
        raise ValidationError(f"请先填写{'、'.join(current.missing)}，再定稿。")
    for field in SECTIONS:
        setattr(record, field, current.sections[field])
    record.generated_snapshot = dict(current.generated)
    record.is_final = True
    record.finalized_at = timezone.now()
    record.finalized_by = user
    record.updated_by = user
    record.save()
    return report_text(dy, record)


@transaction.atomic
def reopen_report(user, dy: DepartmentYear) -> ReportText:
    """Undo the finalisation; the frozen wording stays as the department's text."""
    department = _check_editor(user, dy)
    record = (
        DepartmentReportText.objects.select_for_update().filter(department=department, year=dy.year).first()
    )
    if record and record.is_final:
        record.is_final = False
        record.finalized_at = None
        record.finalized_by = None
        record.updated_by = user
        record.save(update_fields=["is_final", "finalized_at", "finalized_by", "updated_by", "updated_at"])
    return report_text(dy, record)


@transaction.atomic
def reset_section(user, dy: DepartmentYear, field: str) -> ReportText:
    """Drop the department's wording of one section: it follows the data again."""
    if field not in SECTIONS:
        raise ValidationError("未知的报告部分。")
    return save_report_text(user, dy, {field: generate_sections(dy)[field]})


# --- packages -------------------------------------------------------------------------------------


@transaction.atomic
def start_package(
    user, *, department: Department | None = None, region: Region | None = None, year: int | None = None
) -> ReportPackage:
    """Create a package for a department, a region, or (administrators) every region.

    The caller queues its build with :func:`.tasks.queue_package`, which waits for the commit."""
    if department is not None:
        if not access.report_departments(user).filter(pk=department.pk).exists():
            raise PermissionDenied("无权生成该部门的报告包。")
        package = ReportPackage(
            scope=PackageScope.DEPARTMENT, department=department, region=department.region
        )
    elif region is not None:
        if not access.report_regions(user).filter(pk=region.pk).exists():
            raise PermissionDenied("无权生成该地区的报告包。")
        package = ReportPackage(scope=PackageScope.REGION, region=region)
    else:
        if not access.is_admin(user):
            raise PermissionDenied("只有系统管理员可以生成全部地区的报告包。")
        package = ReportPackage(scope=PackageScope.REGION)
    package.year = year
    package.created_by = user
    package.save()
    return package


@transaction.atomic
def rebuild_package(user, package: ReportPackage) -> bool:
    """Set a failed or stuck package (``ReportPackage.is_stale``) back to queued (same scope, same
    file name).

    True when the caller should queue it again (:func:`.tasks.queue_package`); False when the
    package is done, or still being built with recent progress, and nothing is to be rebuilt."""
    if not access.visible_packages(user).filter(pk=package.pk).exists():
        raise PermissionDenied("无权操作该报告包。")
    package.refresh_from_db()
    if package.status == PackageStatus.DONE:
        return False
    if package.status != PackageStatus.FAILED and not package.is_stale:
        return False  # still being built: a second build would race the first
    ReportPackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.QUEUED,
        progress=0,
        error="",
        heartbeat_at=timezone.now(),
        build=F("build") + 1,  # parts of the older build that arrive late are ignored
    )
    package.refresh_from_db()
    return True
