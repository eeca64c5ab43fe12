"""The 结果应用 pages: every URL × every role, forged POSTs, the table's 合计, filters, export."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.results import urls as results_urls
from perfgoals.results.models import BudgetDecision
from projects.models import BudgetLine

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
GET_EXPECTED = {
    "anonymous": LOGIN,
    "unit_own": 404,
    "unit_other": 404,
    "supervisor_own": 404,
    "supervisor_other": 404,
    "finance": 200,
    "finance_other": 404,
    "admin": 200,
}
POST_EXPECTED = {**GET_EXPECTED, "finance": 302, "admin": 403}


def client_for(role, client_of) -> Client:
    return Client() if role == "anonymous" else client_of(role)


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and reverse("login") in response["Location"]
    else:
        assert response.status_code == expected, response.content.decode()[:500]


def summary_url(project, name="summary"):
    return reverse(f"results:{name}", args=[project.region_id, project.year])


def test_every_results_url_is_covered():
    assert {p.name for p in results_urls.urlpatterns} == {"index", "summary", "summary_xlsx", "project"}


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("page", ["summary", "summary_xlsx", "project"])
def test_reading(small_project, client_of, role, page):
    url = (
        reverse("results:project", args=[small_project.pk])
        if page == "project"
        else summary_url(small_project, page)
    )
    response = client_for(role, client_of).get(url)
    assert_status(response, GET_EXPECTED[role])
    if GET_EXPECTED[role] == 200 and page == "summary_xlsx":
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content)[:2] == b"PK"
    elif GET_EXPECTED[role] == 200:
        assert small_project.name in response.content.decode()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_the_index(small_project, client_of, role):
    response = client_for(role, client_of).get(reverse("results:index"))
    if role == "finance_other":  # Qinghai: its own region's latest year
        assert response.status_code == 302 and response["Location"].endswith("/2021/")
    elif role == "finance":  # the latest year with a final grade (2021's goals are not evaluated yet)
        assert response["Location"] == reverse("results:summary", args=[small_project.region_id, 2019])
    elif role == "admin":  # the first region by name
        assert response.status_code == 302 and response["Location"].startswith("/results/")
    else:
        assert_status(response, GET_EXPECTED[role])


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_deciding(small_project, client_of, role):
    response = client_for(role, client_of).post(
        reverse("results:project", args=[small_project.pk]),
        {"action": "reduce", "reduction_percent": "20", "reason": "整改未到位", "version": "0"},
    )
    assert_status(response, POST_EXPECTED[role])
    decided = BudgetDecision.objects.filter(project=small_project)
    if role == "finance":
        decision = decided.get()
        assert (decision.action, decision.reduction_percent, decision.basis_grade) == (
            "reduce",
            Decimal("20.00"),
            "优",
        )
        assert decision.history.get().history_change_reason.startswith("作出结果应用决定：核减 20%")
    else:
        assert not decided.exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"action": "forged", "reduction_percent": "", "reason": "x"}, "action", "请选择措施"),
        ({"action": "reduce", "reduction_percent": "abc", "reason": "x"}, "reduction_percent", "不是数字"),
        ({"action": "reduce", "reduction_percent": "150", "reason": "x"}, "reduction_percent", "不超过 100"),
        ({"action": "reduce", "reduction_percent": "", "reason": "x"}, "reduction_percent", "须填写核减比例"),
        ({"action": "reduce", "reduction_percent": "12.345", "reason": "x"}, "reduction_percent", "两位小数"),
        ({"action": "priority", "reduction_percent": "5", "reason": "x"}, "reduction_percent", "只有“核减”"),
        ({"action": "cancel", "reduction_percent": "", "reason": "  "}, "reason", "请填写调整理由"),
        ({"action": "cancel", "reduction_percent": "NaN", "reason": "x"}, "reduction_percent", "不是数字"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_saves_nothing(small_project, client_of, data, field, message):
    response = client_of("finance").post(
        reverse("results:project", args=[small_project.pk]), {**data, "version": "0"}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not BudgetDecision.objects.exists()


def test_a_stale_page_is_a_conflict(small_project, client_of):
    client = client_of("finance")
    url = reverse("results:project", args=[small_project.pk])
    ok = client.post(url, {"action": "cancel", "reason": "一", "version": "0"})
    assert ok.status_code == 302
    stale = client.post(url, {"action": "priority", "reason": "二", "version": "0"})
    assert stale.status_code == 409
    assert "已被" in stale.content.decode() or "修改" in stale.content.decode()
    decision = BudgetDecision.objects.get()
    assert (decision.action, decision.version) == ("cancel", 1)
    again = client.post(url, {"action": "priority", "reason": "二", "version": "1"})
    assert again.status_code == 302
    decision.refresh_from_db()
    assert (decision.action, decision.version, decision.reason) == ("priority", 2, "二")
    assert decision.history.count() == 2


def test_a_project_without_a_final_grade_cannot_be_decided(fresh_project, client_of):
    response = client_of("finance").post(
        reverse("results:project", args=[fresh_project.pk]),
        {"action": "cancel", "reason": "x", "version": "0"},
    )
    assert response.status_code == 409
    assert "尚无最终等级" in response.content.decode()
    assert not BudgetDecision.objects.exists()


def test_the_summary_table_its_totals_and_filters(small_project, main_project, client_of, user_of):
    from tests.results.helpers import set_self_grade

    set_self_grade(small_project, "中")  # default rule: 核减 10%
    budget = sum(
        BudgetLine.objects.filter(project=small_project).values_list("annual", flat=True), Decimal(0)
    )
    client = client_of("finance")
    text = client.get(summary_url(small_project)).content.decode()
    assert "合计（3 项）" in text
    assert "核减 10%" in text and "优先保障" in text
    cut = (budget / 10).quantize(Decimal("0.01"))
    from perfgoals.templatetags.perf_format import plain_number

    assert plain_number(cut) in text
    only_fair = client.get(summary_url(small_project), {"grade": "中"}).content.decode()
    assert "合计（1 项）" in only_fair and main_project.name not in only_fair
    reduced = client.get(summary_url(small_project), {"action": "reduce"}).content.decode()
    assert "合计（1 项）" in reduced and small_project.name in reduced
    from perfgoals.results import actions

    actions.decide(user_of("finance"), main_project, "reduce", "5", "测试", "0")  # 优 → decided 核减 5%
    reduced = client.get(summary_url(small_project), {"action": "reduce"}).content.decode()
    assert "合计（2 项）" in reduced and main_project.name in reduced
    assert "合计（1 项）" in client.get(summary_url(small_project), {"action": "priority"}).content.decode()
    assert "合计（2 项）" in client.get(summary_url(small_project), {"decided": "no"}).content.decode()
    bad = client.get(summary_url(small_project), {"grade": "X"})
    assert bad.status_code == 200 and "合计（0 项）" in bad.content.decode()
    by_budget = client.get(summary_url(small_project), {"sort": "-budget"})
    assert by_budget.status_code == 200


def test_the_xlsx_has_every_row_and_the_totals(small_project, client_of):
    from tests.results.helpers import set_self_grade

    set_self_grade(small_project, "差")  # default rule: 取消或暂停 → the whole budget
    budget = sum(
        BudgetLine.objects.filter(project=small_project).values_list("annual", flat=True), Decimal(0)
    )
    response = client_of("finance").get(summary_url(small_project, "summary_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "项目名称" and len(rows) == 1 + 3 + 1
    row = next(r for r in rows if r[0] == small_project.name)
    assert (row[6], row[8]) == ("差", "取消或暂停")
    # no next project-year yet: the base is this year's budget, and the row says so
    assert (Decimal(str(row[4])), row[5]) == (budget, "本年度全年预算数")
    assert Decimal(str(row[9])) == budget.quantize(Decimal("0.01"))
    assert rows[-1][0] == "合计（3 项）" and Decimal(str(rows[-1][9])) == budget.quantize(Decimal("0.01"))
    assert rows[-1][5] == "3 项按本年度"


def test_the_totals_are_kept_until_a_decision_or_a_grade_changes(small_project, client_of, user_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from perfgoals.results import actions
    from tests.results.helpers import finished_recheck

    client = client_of("finance")
    url = summary_url(small_project)
    with CaptureQueriesContext(connection) as cold:
        assert '应用核减（万元）</span><span class="kpi-value">0<' in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) == len(cold) - 1  # the 合计's pass over the rows is read from the cache
    actions.decide(
        user_of("finance"), small_project, "cancel", "", "暂停", "0"
    )  # a save moves the generation
    budget = sum(
        BudgetLine.objects.filter(project=small_project).values_list("annual", flat=True), Decimal(0)
    )
    from perfgoals.templatetags.perf_format import plain_number

    text = client.get(url).content.decode()
    assert (
        f'应用核减（万元）</span><span class="kpi-value">{plain_number(budget.quantize(Decimal("0.01")))}<'
        in text
    )
    finished_recheck(user_of("finance"), small_project, "差")  # the proposal moves too
    text = client.get(url).content.decode()
    assert (
        f'建议核减（万元）</span><span class="kpi-value">{plain_number(budget.quantize(Decimal("0.01")))}<'
        in text
    )


def test_the_reduction_is_on_next_years_proposal_when_there_is_one(small_project, client_of, user_of):
    """结果应用 applies to next year's budget: the rolled-over project-year's proposal is the base; until it
    exists, this year's budget with a visible note."""
    import openpyxl

    from perfgoals.intake import services as intake_services
    from perfgoals.templatetags.perf_format import plain_number
    from tests.results.helpers import set_self_grade

    set_self_grade(small_project, "中")  # default rule: 核减 10%
    this_year = sum(
        BudgetLine.objects.filter(project=small_project).values_list("annual", flat=True), Decimal(0)
    )
    client = client_of("finance")
    page = client.get(reverse("results:project", args=[small_project.pk])).content.decode()
    assert "尚无下一年度项目的申报预算，按本年度全年预算数计算" in page
    assert f'data-testid="proposed-cut">{plain_number((this_year / 10).quantize(Decimal("0.01")))}<' in page
    summary = client.get(summary_url(small_project)).content.decode()
    assert 'data-testid="base-fallback"' in summary

    draft = intake_services.rollover(
        intake_services.Actor(user_of("unit_own")), [small_project.pk], small_project.year + 1
    ).created[0]
    # next year's proposal: 123.45 万元 of 当年财政拨款 and 10 of 其他资金 (a line with only 年初预算数)
    lines = list(BudgetLine.objects.filter(project=draft).order_by("pk"))
    BudgetLine.objects.filter(project=draft).delete()
    BudgetLine.objects.create(
        project=draft, source=lines[0].source, initial=Decimal(100), annual=Decimal("123.45")
    )
    BudgetLine.objects.create(project=draft, source="other", initial=Decimal(10), annual=None)
    from perfgoals.signals import bump

    bump()  # (the unit's own budget edit moves the generation through its evaluation)
    proposal = Decimal("133.45")
    cut = (proposal / 10).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # 13.345 → 13.35
    assert cut == Decimal("13.35")
    page = client.get(reverse("results:project", args=[small_project.pk])).content.decode()
    assert f"下一年度（{small_project.year + 1} 年度）项目的申报预算数" in page
    assert f'data-testid="proposed-cut">{plain_number(cut)}<' in page
    summary = client.get(summary_url(small_project)).content.decode()
    assert 'data-testid="base-fallback"' in summary  # the two other rows still fall back
    assert f'建议核减（万元）</span><span class="kpi-value">{plain_number(cut)}<' in summary
    response = client.get(summary_url(small_project, "summary_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == small_project.name)
    assert (Decimal(str(row[4])), row[5], Decimal(str(row[9]))) == (proposal, "下一年度申报预算数", cut)
    # the base follows the rollover's link even when next year's project was renamed
    from projects.models import Project

    Project.objects.filter(pk=draft.pk).update(name="改名后的项目")
    bump()
    page = client.get(reverse("results:project", args=[small_project.pk])).content.decode()
    assert f'data-testid="proposed-cut">{plain_number(cut)}<' in page
