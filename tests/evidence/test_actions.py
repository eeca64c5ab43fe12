"""attach_evidence and remove_evidence: scope, status, limits, history; a refusal stores nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings

from perfgoals.choices import Status
from perfgoals.evidence import actions
from perfgoals.evidence.models import Evidence
from perfgoals.models import Indicator
from perfgoals.workflow.access import _LOCKED_MESSAGES
from perfgoals.workflow.errors import InvalidData, NotPermitted, WorkflowError
from tests.evidence.conftest import pdf_bytes, upload
from tests.web.conftest import set_status


@pytest.fixture
def project(small_project, local_media):
    set_status(small_project, Status.ENTERING)
    return small_project


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_attaching_stores_the_file_its_facts_and_a_history_reason(project, user_of, local_media):
    unit = user_of("unit_own")
    indicator = Indicator.objects.filter(project=project).order_by("order").first()
    data = pdf_bytes("受益人名单")
    evidence = actions.attach_evidence(
        unit,
        project,
        upload("C:\\Users\\me\\名单.pdf", data, "text/html"),
        indicator=indicator,
        description="盖章",
    )
    evidence.refresh_from_db()
    assert evidence.original_name == "名单.pdf"  # the path a browser may send is dropped
    assert evidence.content_type == "application/pdf"  # from the bytes, not the browser's claim
    assert evidence.size == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.indicator == indicator and evidence.uploaded_by == unit
    assert evidence.file.name.startswith(f"evidence/{project.pk}/") and "名单" not in evidence.file.name
    with evidence.file.open("rb") as handle:
        assert handle.read() == data
    record = evidence.history.get()
    assert record.history_user == unit and record.history_change_reason.startswith("上传指标")
    assert len(stored_files(local_media)) == 1


@pytest.mark.parametrize("role", ["supervisor_own", "finance", "admin", "unit_other", "supervisor_other"])
def test_only_the_projects_unit_attaches(project, user_of, role, local_media):
    with pytest.raises(NotPermitted):
        actions.attach_evidence(user_of(role), project, upload("a.pdf", pdf_bytes()))
    assert not Evidence.objects.exists() and not stored_files(local_media)


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.TARGETS_SUBMITTED, Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED]
)
def test_only_while_the_unit_may_change_results(small_project, user_of, status, local_media):
    set_status(small_project, status)
    with pytest.raises(WorkflowError) as refused:
        actions.attach_evidence(user_of("unit_own"), small_project, upload("a.pdf", pdf_bytes()))
    assert refused.value.message == _LOCKED_MESSAGES[status]  # the workflow's own words
    assert not Evidence.objects.exists() and not stored_files(local_media)


@pytest.mark.parametrize("status", [Status.TARGETS_APPROVED, Status.ENTERING, Status.RETURNED])
def test_every_editable_status_accepts(small_project, user_of, status):
    set_status(small_project, status)
    assert actions.attach_evidence(user_of("unit_own"), small_project, upload("a.pdf", pdf_bytes())).pk


def test_an_indicator_of_another_project_is_refused(project, main_project, user_of, local_media):
    other = Indicator.objects.filter(project=main_project).first()
    with pytest.raises(InvalidData) as refused:
        actions.attach_evidence(user_of("unit_own"), project, upload("a.pdf", pdf_bytes()), indicator=other)
    assert refused.value.errors == {"indicator": ["所选指标不属于本项目。"]}
    assert not Evidence.objects.exists() and not stored_files(local_media)


@override_settings(EVIDENCE_MAX_BYTES=1000)
def test_the_size_limit(project, user_of, local_media):
    unit = user_of("unit_own")
    assert actions.attach_evidence(unit, project, upload("ok.pdf", pdf_bytes().ljust(1000, b" ")))
    with pytest.raises(InvalidData) as refused:
        actions.attach_evidence(unit, project, upload("big.pdf", pdf_bytes().ljust(1001, b" ")))
    assert "文件过大" in refused.value.errors["file"][0]
    assert Evidence.objects.count() == 1 and len(stored_files(local_media)) == 1


@override_settings(EVIDENCE_MAX_PER_PROJECT=2)
def test_the_count_limit_counts_files_not_removed(project, user_of):
    unit = user_of("unit_own")
    first = actions.attach_evidence(unit, project, upload("1.pdf", pdf_bytes()))
    actions.attach_evidence(unit, project, upload("2.pdf", pdf_bytes()))
    with pytest.raises(InvalidData) as refused:
        actions.attach_evidence(unit, project, upload("3.pdf", pdf_bytes()))
    assert "已达上限 2 个" in refused.value.errors["file"][0]
    actions.remove_evidence(unit, first, "重复上传")
    assert actions.attach_evidence(unit, project, upload("3.pdf", pdf_bytes()))
    assert Evidence.objects.count() == 3 and Evidence.objects.active().count() == 2


def test_an_exe_renamed_pdf_is_refused(project, user_of, local_media):
    with pytest.raises(InvalidData) as refused:
        actions.attach_evidence(
            user_of("unit_own"),
            project,
            upload("自评报告.pdf", b"MZ\x90\x00" + b"\x00" * 64, "application/pdf"),
        )
    assert "可执行程序" in refused.value.errors["file"][0]
    assert not Evidence.objects.exists() and not stored_files(local_media)


def test_removing_keeps_the_file_and_records_who_when_why(project, user_of, local_media):
    unit = user_of("unit_own")
    evidence = actions.attach_evidence(unit, project, upload("a.pdf", pdf_bytes()))
    with pytest.raises(InvalidData) as refused:
        actions.remove_evidence(unit, evidence, "  ")
    assert refused.value.errors == {"reason": ["请填写删除原因。"]}
    removed = actions.remove_evidence(unit, evidence, "传错了文件")
    removed.refresh_from_db()
    assert removed.removed_by == unit and removed.removed_at and removed.removal_reason == "传错了文件"
    assert removed.file.storage.exists(removed.file.name)  # nothing lost
    assert [r.history_change_reason for r in removed.history.order_by("history_id")] == [
        "上传项目佐证材料：a.pdf",
        "删除佐证材料：传错了文件",
    ]
    with pytest.raises(WorkflowError, match="已被删除"):
        actions.remove_evidence(unit, removed, "再删一次")


def test_removing_is_refused_to_readers_and_in_a_locked_status(project, user_of):
    evidence = actions.attach_evidence(user_of("unit_own"), project, upload("a.pdf", pdf_bytes()))
    with pytest.raises(NotPermitted):
        actions.remove_evidence(user_of("supervisor_own"), evidence, "不需要")
    set_status(project, Status.SUBMITTED)
    with pytest.raises(WorkflowError, match="自评已提交"):
        actions.remove_evidence(user_of("unit_own"), evidence, "不需要")
    evidence.refresh_from_db()
    assert evidence.removed_at is None and evidence.history.count() == 1
