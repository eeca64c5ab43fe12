"""整改: every URL × every role (a third-party reviewer granted the project included: it reads no 整改), the transitions and who may make them, bad input, overdue marking, the
blocks on the unit's home page and the project page, and the button on a finished 复核."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perfgoals.recheck import actions as recheck_actions
from perfgoals.rectify import actions
from perfgoals.rectify import urls as rectify_urls
from perfgoals.rectify.models import RectifyItem, RectifyStatus
from perfgoals.workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from projects.models import ProjectGrant
from projects.scoping import visible_projects

ROLE_KEYS = [
    "anonymous",
    "unit_own",
    "unit_other",
    "supervisor_own",
    "supervisor_other",
    "finance",
    "finance_other",
    "admin",
    "third_party",
]
LOGIN = "login"
#: reading an item of 烟台市医疗保障局's project
READ = {
    "anonymous": LOGIN,
    "unit_own": 200,
    "unit_other": 404,
    "supervisor_own": 200,
    "supervisor_other": 404,
    "finance": 200,
    "finance_other": 404,
    "admin": 200,
    # engaged by finance for the 复核 of the project (granted it), but 整改 is not its business
    "third_party": 404,
}
#: opening an item / confirming or returning it: finance of the region and the department's supervisor
REVIEW = {**READ, "unit_own": 403, "admin": 403, "finance": 302, "supervisor_own": 302}
#: answering: the responsible unit's users
ANSWER = {**READ, "unit_own": 302, "supervisor_own": 403, "finance": 403, "admin": 403}
#: the files of the unit's account: uploaded and removed by the unit (as answering), read by READ,
#: restored by the unit or the item's reviewers
FILES = ANSWER
RESTORE = {**ANSWER, "finance": 302, "supervisor_own": 302}


def in_days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def client_for(role, client_of) -> Client:
    return Client() if role == "anonymous" else client_of(role)


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and reverse("login") in response["Location"]
    else:
        assert response.status_code == expected, response.content.decode()[:400]


@pytest.fixture(autouse=True)
def third_party_granted(small_project, user_of):
    """The third-party reviewer holds a grant of the project (as a 复核 assignment gives it)."""
    ProjectGrant.objects.create(
        project=small_project, user=user_of("third_party"), reason="复核", granted_by=user_of("finance")
    )


@pytest.fixture
def item(small_project, user_of):
    return actions.open_item(user_of("finance"), small_project, "review", "绩效目标未细化", in_days(30))


def answered(item, user_of):
    return actions.move(user_of("unit_own"), item, "answer", "已细化指标并报送", item.version)


def test_every_rectify_url_is_covered():
    assert {p.name for p in rectify_urls.urlpatterns} == {
        "index",
        "open",
        "item",
        "evidence",
        "evidence_download",
        "evidence_remove",
        "evidence_restore",
    }


def test_the_third_party_reviewer_sees_the_project_but_no_rectify(small_project, user_of, client_of):
    reviewer = user_of("third_party")
    assert visible_projects(reviewer).filter(pk=small_project.pk).exists()
    page = client_of("third_party").get(reverse("perfgoals:project", args=[small_project.pk]))
    assert page.status_code == 200 and "rectify-items" not in page.content.decode()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_reading_an_item_and_the_list(item, client_of, role):
    client = client_for(role, client_of)
    assert_status(client.get(reverse("rectify:item", args=[item.pk])), READ[role])
    listing = client.get(reverse("rectify:index"))
    assert_status(listing, LOGIN if role == "anonymous" else 200)
    if role != "anonymous":
        assert (f"#{item.pk}" in listing.content.decode()) == (READ[role] == 200)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_opening_an_item(small_project, client_of, role):
    url = reverse("rectify:open", args=[small_project.pk])
    client = client_for(role, client_of)
    assert_status(client.get(url), {**REVIEW, "finance": 200, "supervisor_own": 200}[role])
    response = client.post(url, {"source": "review", "problem": "佐证材料不全", "deadline": in_days(10)})
    assert_status(response, REVIEW[role])
    items = RectifyItem.objects.all()
    if REVIEW[role] == 302:
        opened = items.get()
        assert (opened.status, opened.unit_id, opened.project_id) == (
            "open",
            small_project.unit_id,
            small_project.pk,
        )
        assert opened.history.get().history_change_reason.startswith("提出整改事项（审核）")
    else:
        assert not items.exists()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_answering(item, client_of, role):
    response = client_for(role, client_of).post(
        reverse("rectify:item", args=[item.pk]), {"do": "answer", "text": "已整改", "version": item.version}
    )
    assert_status(response, ANSWER[role])
    item.refresh_from_db()
    assert (item.status == RectifyStatus.ANSWERED) == (ANSWER[role] == 302)


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("do, target", [("confirm", "confirmed"), ("return", "returned")])
def test_confirming_or_returning(item, user_of, client_of, role, do, target):
    item = answered(item, user_of)
    response = client_for(role, client_of).post(
        reverse("rectify:item", args=[item.pk]), {"do": do, "text": "意见", "version": item.version}
    )
    assert_status(response, REVIEW[role])
    item.refresh_from_db()
    assert item.status == (target if REVIEW[role] == 302 else "answered")


def test_the_whole_way_with_a_return_and_the_history(item, user_of):
    finance, unit = user_of("finance"), user_of("unit_own")
    item = answered(item, user_of)
    with pytest.raises(InvalidData):
        actions.move(finance, item, "return", "  ", item.version)  # a return needs its reason
    item = actions.move(finance, item, "return", "未附佐证", item.version)
    assert item.status == "returned" and item.overdue is False
    with pytest.raises(WorkflowError):
        actions.move(finance, item, "confirm", "", item.version)  # nothing to confirm until answered again
    item = actions.move(unit, item, "answer", "已补充佐证", item.version)
    item = actions.move(finance, item, "confirm", "", item.version)
    assert (item.status, item.version) == ("confirmed", 5)
    reasons = list(
        item.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True)
    )
    assert [r.split("：")[0].split("（")[0] for r in reasons] == [
        "提出整改事项",
        "反馈整改情况",
        "退回整改",
        "反馈整改情况",
        "确认整改",
    ]
    with pytest.raises(WorkflowError):
        actions.move(unit, item, "answer", "再改", item.version)  # confirmed: closed


def test_stale_versions_and_forged_moves_change_nothing(item, user_of, client_of):
    client = client_of("unit_own")
    url = reverse("rectify:item", args=[item.pk])
    assert client.post(url, {"do": "answer", "text": "一", "version": item.version + 1}).status_code == 409
    assert client.post(url, {"do": "delete", "text": "一", "version": item.version}).status_code == 422
    assert client.post(url, {"do": "answer", "text": " ", "version": item.version}).status_code == 422
    assert client.post(url, {"do": "confirm", "text": "自己确认", "version": item.version}).status_code == 403
    item.refresh_from_db()
    assert (item.status, item.version, item.account) == ("open", 1, "")
    with pytest.raises(VersionConflict):
        actions.move(user_of("unit_own"), item, "answer", "一", 7)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"source": "forged", "problem": "x", "deadline": in_days(5)}, "请选择问题来源"),
        ({"source": "review", "problem": " ", "deadline": in_days(5)}, "请填写整改事项"),
        ({"source": "review", "problem": "x", "deadline": "明天"}, "不是日期"),
        ({"source": "review", "problem": "x", "deadline": in_days(-1)}, "不能早于今天"),
        ({"source": "review", "problem": "x", "deadline": in_days(5000)}, "三年之后"),
    ],
)
def test_bad_input_when_opening(small_project, client_of, data, message):
    response = client_of("finance").post(reverse("rectify:open", args=[small_project.pk]), data)
    assert response.status_code == 422 and message in response.content.decode()
    assert not RectifyItem.objects.exists()


def test_overdue_items_are_marked_on_the_unit_home_and_project_pages(item, small_project, client_of):
    RectifyItem.objects.filter(pk=item.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert list(RectifyItem.objects.overdue()) == [item]
    home = client_of("unit_own").get(reverse("oversight:unit_home"), {"year": 2019}).content.decode()
    assert f'data-testid="rectify-{item.pk}"' in home and "已逾期 1 项" in home
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[small_project.pk])).content.decode()
    assert "绩效目标未细化" in page and "已逾期" in page
    other = client_of("unit_other").get(reverse("oversight:unit_home")).content.decode()
    assert "rectify-items" not in other  # another unit's items never show
    listing = client_of("finance").get(reverse("rectify:index"), {"overdue": "yes"}).content.decode()
    assert f"#{item.pk}" in listing and "已逾期" in listing
    RectifyItem.objects.filter(pk=item.pk).update(status="confirmed", account="已整改")
    assert not RectifyItem.objects.overdue().exists()
    assert (
        "rectify-items"
        not in client_of("unit_own").get(reverse("oversight:unit_home"), {"year": 2019}).content.decode()
    )


def test_from_a_finished_recheck_only(small_project, main_project, user_of, client_of):
    finance = user_of("finance")
    sample = recheck_actions.draw_sample(finance, 2019, {"random": 10}, seed=2)
    recheck = sample.items.get(evaluation__project=small_project)
    with pytest.raises(WorkflowError):  # findings are finance's working notes until the 复核 is final
        actions.open_item(finance, small_project, "", "x", in_days(5), recheck)
    page = client_of("finance").get(reverse("recheck:item", args=[recheck.pk])).content.decode()
    assert "open-rectify" not in page
    recheck = recheck_actions.finish_item(finance, recheck, "绩效指标佐证不足", recheck.version)
    page = client_of("finance").get(reverse("recheck:item", args=[recheck.pk])).content.decode()
    assert "open-rectify" in page
    form = client_of("finance").get(reverse("rectify:open", args=[small_project.pk]), {"recheck": recheck.pk})
    assert "绩效指标佐证不足" in form.content.decode()
    with pytest.raises(NotPermitted):  # another project's 复核 record
        actions.open_item(finance, main_project, "", "x", in_days(5), recheck)
    forged = client_of("finance").post(
        reverse("rectify:open", args=[main_project.pk]),
        {"recheck": recheck.pk, "problem": "x", "deadline": in_days(5)},
    )
    assert forged.status_code == 404
    # the department's supervisor may open items, but not read finance's 复核 record through this form
    supervisor = client_of("supervisor_own")
    assert (
        supervisor.get(reverse("rectify:open", args=[small_project.pk]), {"recheck": recheck.pk}).status_code
        == 404
    )
    with pytest.raises(NotPermitted):
        actions.open_item(user_of("supervisor_own"), small_project, "", "x", in_days(5), recheck)
    assert not RectifyItem.objects.exists()
    response = client_of("finance").post(
        reverse("rectify:open", args=[small_project.pk]),
        {"recheck": recheck.pk, "problem": "绩效指标佐证不足", "deadline": in_days(5)},
    )
    assert response.status_code == 302
    opened = RectifyItem.objects.get()
    assert (opened.source, opened.recheck_item_id) == ("recheck", recheck.pk)


@pytest.mark.parametrize("role", ["unit_own", "supervisor_own", "finance", "admin"])
def test_the_project_page_offers_to_open_an_item_to_reviewers(small_project, client_of, role):
    text = client_of(role).get(reverse("perfgoals:project", args=[small_project.pk])).content.decode()
    assert ('data-testid="open-rectify"' in text) == (role in ("supervisor_own", "finance"))


@pytest.fixture
def account_file(item, user_of, local_media):
    from tests.evidence.conftest import pdf_bytes, upload

    return actions.attach_rectify_evidence(user_of("unit_own"), item, upload("整改报告.pdf", pdf_bytes()))


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_uploading_a_file_of_the_account(item, client_of, role, local_media):
    from perfgoals.evidence.models import Evidence
    from tests.evidence.conftest import pdf_bytes, upload

    response = client_for(role, client_of).post(
        reverse("rectify:evidence", args=[item.pk]), {"file": upload("a.pdf", pdf_bytes()), "version": 1}
    )
    assert_status(response, FILES[role])
    assert Evidence.objects.filter(rectify_item=item).exists() == (FILES[role] == 302)


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_downloading_a_file_of_the_account(account_file, client_of, role):
    response = client_for(role, client_of).get(reverse("rectify:evidence_download", args=[account_file.pk]))
    assert_status(response, READ[role])
    if READ[role] == 200:
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_removing_and_restoring_a_file_of_the_account(account_file, user_of, client_of, role):
    client = client_for(role, client_of)
    response = client.post(
        reverse("rectify:evidence_remove", args=[account_file.pk]), {"reason": "传错了", "version": 2}
    )
    assert_status(response, FILES[role])
    account_file.refresh_from_db()
    assert account_file.removed == (FILES[role] == 302)
    if not account_file.removed:
        actions.remove_rectify_evidence(user_of("unit_own"), account_file, "传错了")
    item = RectifyItem.objects.get()
    page = client.get(reverse("rectify:item", args=[item.pk]))
    if READ[role] == 200:
        shown = f'data-testid="rectify-removed-{account_file.pk}"' in page.content.decode()
        assert shown == (RESTORE[role] == 302)
    response = client.post(
        reverse("rectify:evidence_restore", args=[account_file.pk]),
        {"reason": "其实是对的", "version": item.version},
    )
    assert_status(response, RESTORE[role])
    account_file.refresh_from_db()
    assert (not account_file.removed) == (RESTORE[role] == 302)
    if RESTORE[role] == 302:
        item.refresh_from_db()
        assert item.history.first().history_change_reason == "恢复整改佐证材料：整改报告.pdf"
        assert account_file.history.first().history_change_reason == "恢复佐证材料：其实是对的"


def test_the_reviewer_restores_after_the_answer_the_unit_no_longer(account_file, user_of):
    unit, finance = user_of("unit_own"), user_of("finance")
    actions.remove_rectify_evidence(unit, account_file, "传错了")
    item = RectifyItem.objects.get()
    item = actions.move(unit, item, "answer", "已整改", item.version)
    with pytest.raises(NotPermitted):
        actions.restore_rectify_evidence(unit, account_file, "恢复")
    with pytest.raises(VersionConflict):
        actions.restore_rectify_evidence(finance, account_file, "恢复", expected_version=1)
    with pytest.raises(InvalidData):
        actions.restore_rectify_evidence(finance, account_file, "")
    actions.restore_rectify_evidence(finance, account_file, "核实时发现误删", item.version)
    account_file.refresh_from_db()
    assert not account_file.removed
