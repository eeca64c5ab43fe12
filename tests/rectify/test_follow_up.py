"""整改 after the item is opened: the unit's evidence for its account (the evidence room's checks and
storage, listed and served on the item page only), last year's open items on the rolled-over
project-year's goal-setting page, and the overdue items as a follow-up signal of the overview."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from perfgoals.evidence.models import Evidence
from perfgoals.intake import services as intake_services
from perfgoals.oversight import scope as scopes
from perfgoals.oversight.figures import overview
from perfgoals.oversight.signals import FOLLOW_UPS
from perfgoals.rectify import actions
from perfgoals.rectify.models import RectifyItem
from perfgoals.workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from projects.scoping import visible_projects
from tests.evidence.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def in_days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def item(small_project, user_of):
    return actions.open_item(user_of("finance"), small_project, "review", "绩效目标未细化", in_days(30))


# --- 1. evidence of the unit's account ------------------------------------------------------------------
def test_the_unit_attaches_evidence_that_finance_reads_on_the_item_page(item, client_of, local_media):
    unit = client_of("unit_own")
    url = reverse("rectify:item", args=[item.pk])
    response = unit.post(
        reverse("rectify:evidence", args=[item.pk]),
        {"file": upload("整改报告.pdf", pdf_bytes("fixed")), "description": "盖章的整改报告", "version": 1},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"{url}#files")
    stored = Evidence.objects.get()
    assert (stored.rectify_item_id, stored.project_id, stored.indicator_id) == (
        item.pk,
        item.project_id,
        None,
    )
    item.refresh_from_db()
    assert item.version == 2  # a page showing the older set of files is stale
    assert item.history.first().history_change_reason == "上传整改佐证材料：整改报告.pdf"
    assert stored.history.get().history_change_reason.startswith(f"上传整改事项 #{item.pk} 的佐证材料")
    for role in ("unit_own", "finance", "supervisor_own"):
        page = client_of(role).get(url).content.decode()
        assert f'data-testid="rectify-file-{stored.pk}"' in page and "盖章的整改报告" in page
    # the project page's open items and the list say how many files the account has
    project_page = client_of("finance").get(reverse("perfgoals:project", args=[item.project_id]))
    assert "佐证材料 1 个" in project_page.content.decode()
    listing = client_of("finance").get(reverse("rectify:index"))
    assert listing.context["table"].rows[0].get_cell("files") == 1
    download = client_of("finance").get(reverse("rectify:evidence_download", args=[stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == pdf_bytes("fixed")
    # one evidence room, but the project's own lists and download leave the 整改 file out
    project_page = client_of("finance").get(reverse("evidence:project", args=[item.project_id]))
    assert "整改报告.pdf" not in project_page.content.decode()
    assert client_of("finance").get(reverse("evidence:download", args=[stored.pk])).status_code == 404


def test_a_wrong_file_a_stale_page_or_a_closed_account_stores_nothing(item, user_of, client_of, local_media):
    unit = user_of("unit_own")
    with pytest.raises(InvalidData) as refused:
        actions.attach_rectify_evidence(unit, item, upload("病毒.pdf", b"MZ\x90\x00" + b"\x00" * 200))
    assert "file" in refused.value.errors
    response = client_of("unit_own").post(
        reverse("rectify:evidence", args=[item.pk]), {"file": upload("a.exe.pdf", b"MZ" + b"\x00" * 99)}
    )
    assert response.status_code == 422 and "整改佐证材料" in response.content.decode()
    with pytest.raises(VersionConflict):
        actions.attach_rectify_evidence(unit, item, upload("a.pdf", pdf_bytes()), expected_version=9)
    with pytest.raises(NotPermitted):  # finance reads, the unit answers
        actions.attach_rectify_evidence(user_of("finance"), item, upload("a.pdf", pdf_bytes()))
    assert not Evidence.objects.exists() and not list(local_media.rglob("*.*"))
    item = actions.move(unit, item, "answer", "已整改", item.version)
    with pytest.raises(WorkflowError):  # answered: finance is looking at it; a return reopens it
        actions.attach_rectify_evidence(unit, item, upload("a.pdf", pdf_bytes()))
    response = client_of("unit_own").post(
        reverse("rectify:evidence", args=[item.pk]),
        {"file": upload("a.pdf", pdf_bytes()), "version": item.version},
    )
    assert response.status_code == 409 and "不能再更改整改佐证材料" in response.content.decode()
    assert not Evidence.objects.exists()


def test_removing_a_file_needs_a_reason_and_keeps_it(item, user_of, client_of, local_media):
    unit = user_of("unit_own")
    stored = actions.attach_rectify_evidence(unit, item, upload("旧版.pdf", pdf_bytes()))
    url = reverse("rectify:evidence_remove", args=[stored.pk])
    client_of("unit_own").post(url, {"reason": "", "version": 2})
    stored.refresh_from_db()
    assert not stored.removed
    assert client_of("finance").post(url, {"reason": "x", "version": 2}).status_code == 403
    response = client_of("unit_own").post(url, {"reason": "上传错了版本", "version": 2})
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.removed and stored.removal_reason == "上传错了版本"
    item.refresh_from_db()
    assert item.version == 3
    page = client_of("finance").get(reverse("rectify:item", args=[item.pk])).content.decode()
    assert f'data-testid="rectify-file-{stored.pk}"' not in page and "删除整改佐证材料：旧版.pdf" in page
    assert client_of("finance").get(reverse("rectify:evidence_download", args=[stored.pk])).status_code == 404


# --- 2. the rollover carries open items to the goal-setting page ------------------------------------------
def test_the_next_years_goal_setting_page_shows_last_years_open_items(small_project, user_of, client_of):
    finance = user_of("finance")
    open_one = actions.open_item(finance, small_project, "review", "资金支付进度滞后", in_days(20))
    done = actions.open_item(finance, small_project, "review", "台账不全", in_days(20))
    done = actions.move(user_of("unit_own"), done, "answer", "已补齐台账", done.version)
    actions.move(finance, done, "confirm", "", done.version)
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    draft = report.created[0]
    for role in ("unit_own", "supervisor_own", "finance"):
        page = client_of(role).get(reverse("perfgoals:project", args=[draft.pk])).content.decode()
        assert 'data-testid="carried-rectify-items"' in page, role
        assert f'data-testid="carried-rectify-{open_one.pk}"' in page and "资金支付进度滞后" in page
        assert "台账不全" not in page  # confirmed: nothing left to carry
    assert "carried-rectify-items" not in (
        client_of("unit_other").get(reverse("perfgoals:project", args=[draft.pk])).content.decode()
    )
    # last year's page is not a goal-setting page of a rolled-over year: no carried block
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[small_project.pk])).content.decode()
    assert "carried-rectify-items" not in page


def test_the_carried_items_follow_the_rollover_link_after_a_rename(small_project, user_of, client_of):
    from projects.models import Project

    item = actions.open_item(user_of("finance"), small_project, "review", "指标不可衡量", in_days(20))
    draft = intake_services.rollover(
        intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020
    ).created[0]
    Project.objects.filter(pk=draft.pk).update(name=draft.name + "（调整）")
    page = client_of("unit_own").get(reverse("perfgoals:project", args=[draft.pk])).content.decode()
    assert f'data-testid="carried-rectify-{item.pk}"' in page


# --- 3. overdue items as a follow-up signal of the overview ---------------------------------------------
def _overdue(item):
    RectifyItem.objects.filter(pk=item.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=2))


def test_overdue_items_are_a_follow_up_signal_on_the_overview(item, small_project, user_of, client_of):
    assert [f.code for f in FOLLOW_UPS] == ["overdue_rectify"]
    finance = user_of("finance")
    year = small_project.year
    scope = scopes.for_user(finance, year)
    figures = overview(scope.projects, year, scope.level)
    row = figures.follow_ups[0]
    assert (row.items, row.projects) == (0, 0)
    _overdue(item)
    second = actions.open_item(finance, small_project, "review", "第二个问题", in_days(3))
    _overdue(second)
    scope = scopes.for_user(finance, year)
    figures = overview(scope.projects, year, scope.level)
    row = figures.follow_ups[0]
    assert (row.items, row.projects) == (2, 1)
    department = next(d for d in figures.departments if d.key == small_project.department_id)
    assert department.follow_ups == {"overdue_rectify": 2}
    assert figures.as_json()["follow_ups"] == {"overdue_rectify": {"items": 2, "projects": 1}}
    # confirmed or not yet due: not counted
    RectifyItem.objects.filter(pk=second.pk).update(status="confirmed", account="已整改")
    page = client_of("finance").get(reverse("oversight:overview"), {"year": year}).content.decode()
    assert 'data-testid="follow-up-count-overdue_rectify">1<' in page
    assert reverse("rectify:index") + "?overdue=yes" in page
    # another region's finance sees none of it
    other = client_of("finance_other").get(reverse("oversight:overview"))
    assert other.status_code == 200
    assert 'data-testid="follow-up-count-overdue_rectify">0<' in other.content.decode()


def test_the_follow_up_signal_costs_one_query_whatever_the_number_of_items(
    item, small_project, main_project, user_of
):
    finance = user_of("finance")
    year = small_project.year
    projects = visible_projects(finance).filter(year=year)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            overview(projects, year, "region")
        return len(captured)

    before = count_queries()
    _overdue(item)
    for project in (small_project, main_project):
        for n in range(3):
            _overdue(actions.open_item(finance, project, "review", f"问题 {n}", in_days(3)))
    assert count_queries() == before


def test_the_drill_down_table_has_a_column_per_follow_up_signal(
    item, small_project, main_project, user_of, client_of
):
    """整改逾期 per department (region level) and per unit (department level), the 合计 its count; the
    page's queries do not grow with the items."""
    finance = user_of("finance")
    year = small_project.year
    client = client_of("finance")

    def page_and_queries(**params):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("oversight:overview"), {"year": year, **params}).content.decode()
        return page, len(captured)

    _, before = page_and_queries()
    _overdue(item)
    for n in range(3):
        _overdue(actions.open_item(finance, small_project, "review", f"问题 {n}", in_days(3)))
    page, after = page_and_queries()
    assert after == before
    table = page[page.index('data-testid="children-table"') :]
    table = table[: table.index("</table>")]
    assert 'data-testid="child-follow-up-overdue_rectify">整改逾期</th>' in table
    department = small_project.department.name
    row = table[table.index(department) :]
    row = row[: row.index("</tr>")]
    assert row.endswith('<td class="num"><span class="warn-text">4</span></td>\n    ')
    assert table[table.index('<tr class="total">') :].count('<td class="num">4</td>') == 1
    # a department: a row per unit
    page, _ = page_and_queries(department=small_project.department_id)
    table = page[page.index('data-testid="children-table"') :]
    unit_row = table[table.index(small_project.unit.name) :]
    assert '<span class="warn-text">4</span>' in unit_row[: unit_row.index("</tr>")]
    # the 需跟进 link opens the 整改 list on the overview's year
    assert reverse("rectify:index") + f"?overdue=yes&amp;year={year}" in page


def test_the_rectify_list_filters_by_year(item, small_project, user_of, client_of):
    finance = user_of("finance")
    rolled = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    later = rolled.created[0]
    other = actions.open_item(finance, later, "review", "次年问题", in_days(30))
    client = client_of("finance")
    url = reverse("rectify:index")
    everything = client.get(url).content.decode()
    assert f"#{item.pk}<" in everything and f"#{other.pk}<" in everything
    assert f'<option value="{small_project.year}">{small_project.year} 年</option>' in everything
    assert '<option value="2020">2020 年</option>' in everything and "全部年度" in everything
    one_year = client.get(url, {"year": small_project.year}).content.decode()
    assert f"#{item.pk}<" in one_year and f"#{other.pk}<" not in one_year
    assert f"#{other.pk}<" in client.get(url, {"year": 2020}).content.decode()
    # a year not offered: the form's error, no rows
    wrong = client.get(url, {"year": "1999"})
    assert wrong.status_code == 200 and f"#{item.pk}<" not in wrong.content.decode()
    # a unit's years are those of its items only
    unit_page = client_of("unit_other").get(url).content.decode()
    assert '<option value="2020">' not in unit_page
