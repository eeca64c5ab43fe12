"""The evidence pages: every URL × every role, another unit's id, forged POSTs in a locked status, the
headers of a download, and the lists on the entry, review and 复核 pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.evidence import actions
from perfgoals.evidence import urls as evidence_urls
from perfgoals.evidence.models import Evidence
from perfgoals.models import Evaluation, Indicator
from perfgoals.recheck import actions as recheck_actions
from perfgoals.workflow.errors import InvalidData, NotPermitted, WorkflowError
from tests.evidence.conftest import pdf_bytes, upload
from tests.web.conftest import set_status, snapshot

ROLE_KEYS = [
    "anonymous",
    "unit_own",
    "unit_other",
    "supervisor_own",
    "supervisor_other",
    "finance",
    "finance_other",
    "admin",
]
LOGIN = "login"
#: reading (the evidence page, a download): whoever may see the project; others do not learn it exists
READ = {
    "anonymous": LOGIN,
    "unit_own": 200,
    "unit_other": 404,
    "supervisor_own": 200,
    "supervisor_other": 404,
    "finance": 200,
    "finance_other": 404,
    "admin": 200,
}
#: changing (upload, remove): the project's unit only; readers are refused, strangers get a 404
WRITE = {**READ, "unit_own": 302, "supervisor_own": 403, "finance": 403, "admin": 403}
#: restoring a removed file: the unit (while it may change its results) and finance of the region
RESTORE = {**WRITE, "finance": 302}


@pytest.fixture
def project(small_project, local_media):
    set_status(small_project, Status.ENTERING)
    return small_project


@pytest.fixture
def evidence(project, user_of):
    return actions.attach_evidence(user_of("unit_own"), project, upload("名单.pdf", pdf_bytes()))


def client_for(role, client_of) -> Client:
    return Client() if role == "anonymous" else client_of(role)


def expect(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == expected, response.content[:300]


def test_every_evidence_url_is_covered():
    assert {p.name for p in evidence_urls.urlpatterns} == {"project", "download", "remove", "restore"}


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_reading(evidence, project, client_of, role):
    client = client_for(role, client_of)
    expect(client.get(reverse("evidence:project", args=[project.pk])), READ[role])
    response = client.get(reverse("evidence:download", args=[evidence.pk]))
    expect(response, READ[role])
    if READ[role] == 200:
        assert b"".join(response.streaming_content) == pdf_bytes()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_uploading(project, client_of, role, local_media):
    before = snapshot(project)
    response = client_for(role, client_of).post(
        reverse("evidence:project", args=[project.pk]),
        {"file": upload("a.pdf", pdf_bytes()), "back": "project"},
    )
    expect(response, WRITE[role])
    if WRITE[role] == 302:
        assert response["Location"] == reverse("perfgoals:project", args=[project.pk]) + "#evidence"
        assert Evidence.objects.filter(project=project).count() == 1
    else:
        assert not Evidence.objects.exists() and not local_media.exists()
    assert snapshot(project) == before  # evidence never changes the evaluation


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_removing(evidence, client_of, role):
    response = client_for(role, client_of).post(
        reverse("evidence:remove", args=[evidence.pk]), {"reason": "传错了"}
    )
    expect(response, WRITE[role])
    evidence.refresh_from_db()
    assert (evidence.removed_at is not None) == (WRITE[role] == 302)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_restoring(evidence, user_of, client_of, role):
    actions.remove_evidence(user_of("unit_own"), evidence, "传错了")
    client = client_for(role, client_of)
    page = client.get(reverse("evidence:project", args=[evidence.project_id]))
    if READ[role] == 200:
        listed = f'data-testid="evidence-removed-{evidence.pk}"' in page.content.decode()
        assert listed == (RESTORE[role] == 302)
    response = client.post(reverse("evidence:restore", args=[evidence.pk]), {"reason": "其实是对的"})
    expect(response, RESTORE[role])
    evidence.refresh_from_db()
    assert (evidence.removed_at is None) == (RESTORE[role] == 302)
    if RESTORE[role] == 302:
        assert (evidence.removal_reason, evidence.removed_by) == ("", None)
        reasons = list(
            evidence.history.order_by("history_date").values_list("history_change_reason", flat=True)
        )
        assert reasons[-2:] == ["删除佐证材料：传错了", "恢复佐证材料：其实是对的"]
        assert evidence.history.order_by("history_date").last().history_user == user_of(role)


def test_a_restore_needs_a_reason_and_finance_restores_in_a_locked_status(evidence, project, user_of):
    unit, finance = user_of("unit_own"), user_of("finance")
    actions.remove_evidence(unit, evidence, "传错了")
    with pytest.raises(InvalidData):
        actions.restore_evidence(finance, evidence, "  ")
    set_status(project, Status.SUBMITTED)
    with pytest.raises(NotPermitted):  # the unit may no longer change its results
        actions.restore_evidence(unit, evidence, "恢复")
    evaluation_version = Evaluation.objects.get(project=project).version
    actions.restore_evidence(finance, evidence, "复核时发现误删")
    evidence.refresh_from_db()
    assert not evidence.removed
    with pytest.raises(WorkflowError):
        actions.restore_evidence(finance, evidence, "再恢复一次")
    # evidence supports the values, it does not change them: the evaluation's version stays
    assert Evaluation.objects.get(project=project).version == evaluation_version


def test_another_units_ids_are_404_and_change_nothing(evidence, project, main_project, client_of):
    stranger = client_of("unit_other")
    assert stranger.get(reverse("evidence:download", args=[evidence.pk])).status_code == 404
    assert stranger.post(reverse("evidence:remove", args=[evidence.pk]), {"reason": "x"}).status_code == 404
    # the project's own unit, naming an indicator of another project in its form
    other_indicator = Indicator.objects.filter(project=main_project).first()
    response = client_of("unit_own").post(
        reverse("evidence:project", args=[project.pk]),
        {"file": upload("b.pdf", pdf_bytes()), "indicator": other_indicator.pk},
    )
    assert response.status_code == 404
    response = client_of("unit_own").post(
        reverse("evidence:project", args=[project.pk]),
        {"file": upload("b.pdf", pdf_bytes()), "indicator": "1; x"},
    )
    assert response.status_code == 404
    assert list(Evidence.objects.values_list("pk", flat=True)) == [evidence.pk]
    evidence.refresh_from_db()
    assert evidence.removed_at is None


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED, Status.TARGETS_SUBMITTED])
def test_a_forged_post_in_a_locked_status_changes_nothing(evidence, project, client_of, status):
    set_status(project, status)
    before = snapshot(project)
    unit = client_of("unit_own")
    response = unit.post(
        reverse("evidence:project", args=[project.pk]), {"file": upload("c.pdf", pdf_bytes())}
    )
    assert response.status_code == 409
    assert "数据已锁定" in response.content.decode() or "正在" in response.content.decode()
    response = unit.post(reverse("evidence:remove", args=[evidence.pk]), {"reason": "x"}, follow=True)
    assert "未删除“名单.pdf”" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.removed_at is None and Evidence.objects.count() == 1
    assert snapshot(project) == before


def test_refused_uploads_answer_in_chinese_on_the_page(project, client_of, local_media):
    unit = client_of("unit_own")
    url = reverse("evidence:project", args=[project.pk])
    cases = [
        (upload("自评报告.pdf", b"MZ\x90\x00" + b"\x00" * 64), "可执行程序"),
        (upload("report.html", b"<html><body>x</body></html>", "text/html"), "网页（HTML）"),
        (upload("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"), "SVG"),
    ]
    for uploaded, words in cases:
        response = unit.post(url, {"file": uploaded, "description": "说明"})
        assert response.status_code == 422
        page = response.content.decode()
        assert "未上传" in page and words in page
        assert 'value="说明"' in page  # what was typed is kept
    response = unit.post(url, {"description": "x"})
    assert response.status_code == 422 and "请选择要上传的文件" in response.content.decode()
    assert not Evidence.objects.exists() and not local_media.exists()


def test_oversized_upload_is_refused(project, client_of, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    response = client_of("unit_own").post(
        reverse("evidence:project", args=[project.pk]),
        {"file": upload("big.pdf", pdf_bytes().ljust(4096, b" "))},
    )
    assert response.status_code == 422 and "文件过大" in response.content.decode()
    assert not Evidence.objects.exists()


def test_downloads_are_attachments_never_rendered(project, user_of, client_of):
    # a text file: the type a browser would be likeliest to show inline
    evidence = actions.attach_evidence(
        user_of("unit_own"), project, upload("说明.txt", "受益 1200 人".encode())
    )
    response = client_of("supervisor_own").get(reverse("evidence:download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%AF%B4%E6%98%8E.txt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == "受益 1200 人".encode()


def test_a_file_named_as_something_else_downloads_with_its_real_extension(project, user_of, client_of):
    evidence = actions.attach_evidence(user_of("unit_own"), project, upload("report.exe", pdf_bytes()))
    response = client_of("unit_own").get(reverse("evidence:download", args=[evidence.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="report.exe.pdf"' in response["Content-Disposition"]


def test_a_removed_file_is_no_longer_listed_nor_served(evidence, client_of, user_of):
    actions.remove_evidence(user_of("unit_own"), evidence, "传错了")
    unit = client_of("unit_own")
    assert unit.get(reverse("evidence:download", args=[evidence.pk])).status_code == 404
    page = unit.get(reverse("evidence:project", args=[evidence.project_id])).content.decode()
    assert reverse("evidence:download", args=[evidence.pk]) not in page and "尚未上传佐证材料" in page
    # only under 已删除, to be restored (with the reason it was removed)
    assert f'data-testid="evidence-removed-{evidence.pk}"' in page and "删除：传错了" in page


def test_the_entry_page_lists_and_offers_the_upload_to_the_unit_only(evidence, project, client_of):
    unit_page = client_of("unit_own").get(reverse("perfgoals:project", args=[project.pk])).content.decode()
    assert 'id="evidence"' in unit_page and "名单.pdf" in unit_page
    assert reverse("evidence:download", args=[evidence.pk]) in unit_page
    assert 'data-testid="evidence-upload"' in unit_page and 'name="back" value="project"' in unit_page
    reader_page = (
        client_of("supervisor_own").get(reverse("perfgoals:project", args=[project.pk])).content.decode()
    )
    assert "名单.pdf" in reader_page and 'data-testid="evidence-upload"' not in reader_page
    set_status(project, Status.SUBMITTED)
    locked = client_of("unit_own").get(reverse("perfgoals:project", args=[project.pk])).content.decode()
    assert "名单.pdf" in locked and 'data-testid="evidence-upload"' not in locked and "确认删除" not in locked


def test_the_review_page_lists_the_evidence(evidence, project, client_of):
    set_status(project, Status.SUBMITTED)
    page = client_of("supervisor_own").get(reverse("perfgoals:review", args=[project.pk])).content.decode()
    assert 'id="evidence"' in page and "名单.pdf" in page and "佐证材料（1）" in page
    assert 'data-testid="evidence-upload"' not in page


def test_the_recheck_page_lists_the_evidence(evidence, project, client_of, user_of):
    set_status(project, Status.APPROVED)
    sample = recheck_actions.draw_sample(user_of("finance"), 2019, {"random": 50}, seed=3)
    item = sample.items.get(evaluation__project=project)
    page = client_of("finance").get(reverse("recheck:item", args=[item.pk])).content.decode()
    assert "名单.pdf" in page and reverse("evidence:download", args=[evidence.pk]) in page
