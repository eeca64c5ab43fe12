"""The 复核 pages: every URL × every role, and what finance does on them."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.models import Indicator
from perfgoals.recheck import actions
from perfgoals.recheck import urls as recheck_urls
from perfgoals.recheck.models import ItemStatus, RecheckItem, RecheckSample, RecheckScore
from tests.web.conftest import snapshot

ROLE_KEYS = [
    "anonymous",
    "unit_own",
    "unit_other",
    "supervisor_own",
    "supervisor_other",
    "finance",
    "finance_other",
    "third_party",  # engaged by the region, nothing assigned to it here
    "admin",
]
LOGIN = "login"


@pytest.fixture
def sample(demo, user_of):
    return actions.draw_sample(user_of("finance"), 2019, {"risk": 1, "random": 10}, seed=9)


@pytest.fixture
def item(sample, small_project):
    return sample.items.get(evaluation__project=small_project)


def client_for(role, client_of) -> Client:
    return Client() if role == "anonymous" else client_of(role)


def first_weighted(project) -> Indicator:
    return (
        Indicator.objects.filter(project=project, not_applicable=False, weight__gt=0)
        .order_by("order")
        .first()
    )


# what each role gets: GET of the three pages, and POSTs that would change something
GET_EXPECTED = {
    "anonymous": LOGIN,
    "unit_own": 404,
    "unit_other": 404,
    "supervisor_own": 404,
    "supervisor_other": 404,
    "finance": 200,
    "finance_other": 404,
    "third_party": 404,
    "admin": 200,
}
POST_EXPECTED = {**GET_EXPECTED, "finance": 302, "admin": 403}


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and reverse("login") in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("page", ["sample", "item", "sample_xlsx"])
def test_reading_a_sample_or_item(sample, item, client_of, role, page):
    url = reverse(f"recheck:{page}", args=[item.pk if page == "item" else sample.pk])
    response = client_for(role, client_of).get(url)
    assert_status(response, GET_EXPECTED[role])
    if GET_EXPECTED[role] == 200 and page == "sample_xlsx":
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content)[:2] == b"PK"
    elif GET_EXPECTED[role] == 200:
        assert item.evaluation.project.name in response.content.decode()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_the_sample_list(sample, client_of, role):
    response = client_for(role, client_of).get(reverse("recheck:index"))
    # another region's finance: its own (empty) list; a third-party reviewer: what is assigned to it
    expected = 200 if role in ("finance_other", "third_party") else GET_EXPECTED[role]
    assert_status(response, expected)
    if expected == 200:
        text = response.content.decode()
        assert (f"复核样本 #{sample.pk}" in text) == (role not in ("finance_other", "third_party"))
        assert ('name="seed"' in text) == role.startswith("finance")


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_drawing_a_sample(demo, client_of, role):
    response = client_for(role, client_of).post(
        reverse("recheck:index"),
        {"year": "2019", "risk": "1", "funds": "1", "low_execution": "0", "random": "1", "seed": "4"},
    )
    # Qinghai has no 2019 results to draw; a third-party reviewer never draws
    expected = {**POST_EXPECTED, "finance_other": 422, "third_party": 403}[role]
    assert_status(response, expected)
    assert RecheckSample.objects.count() == (1 if expected == 302 else 0)
    if expected == 302:
        sample = RecheckSample.objects.get()
        assert response["Location"] == reverse("recheck:sample", args=[sample.pk])
        assert sample.seed == 4 and sample.items.count() == 3
    if expected == 422:
        assert "没有已提交结果的自评" in response.content.decode()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_recording_a_score(item, small_project, client_of, role):
    before = snapshot(small_project)
    row = first_weighted(small_project)
    response = client_for(role, client_of).post(
        reverse("recheck:item", args=[item.pk]),
        {"indicator": row.pk, "score": "0", "reason": "无佐证材料", "version": item.version},
    )
    assert_status(response, POST_EXPECTED[role])
    assert RecheckScore.objects.filter(item=item).count() == (1 if role == "finance" else 0)
    assert snapshot(small_project) == before  # the unit's data never changes


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_finishing_an_item(item, client_of, role):
    response = client_for(role, client_of).post(
        reverse("recheck:item", args=[item.pk]),
        {"do": "finish", "findings": "未发现问题", "version": item.version},
    )
    assert_status(response, POST_EXPECTED[role])
    item.refresh_from_db()
    assert (item.status == ItemStatus.DONE) == (role == "finance")


def test_every_recheck_url_is_covered():
    covered = {"index", "sample", "sample_xlsx", "item", "report_docx"}  # report_docx: test_report_docx.py
    assert {p.name for p in recheck_urls.urlpatterns} == covered


def test_the_item_page_shows_scores_and_refuses_bad_input_in_place(item, small_project, client_of):
    client = client_of("finance")
    url = reverse("recheck:item", args=[item.pk])
    row = first_weighted(small_project)
    response = client.post(url, {"indicator": row.pk, "score": "999", "reason": "", "version": item.version})
    assert response.status_code == 422
    text = response.content.decode()
    assert "复核得分须在 0 到" in text and "请填写复核理由" in text
    assert not RecheckScore.objects.exists()
    # a stale page is told who changed what
    actions.record_indicator_score(item.sample.created_by, item, row, "1", "抽查", None)
    response = client.post(
        url, {"indicator": row.pk, "score": "2", "reason": "再查", "version": item.version}
    )
    assert response.status_code == 409 and "没有保存" in response.content.decode()
    assert RecheckScore.objects.get().score == Decimal("1.00")
    response = client.post(url, {"do": "finish", "findings": " ", "version": item.version + 1})
    assert response.status_code == 422 and "请填写复核发现" in response.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "抽查" in text and "复核总分（暂计）" in text


def test_the_sample_page_shows_the_gap_and_the_department_table(
    sample, item, small_project, client_of, user_of
):
    finance = user_of("finance")
    row = first_weighted(small_project)
    actions.record_indicator_score(finance, item, row, "0", "无佐证", None)
    done = actions.finish_item(finance, RecheckItem.objects.get(pk=item.pk), "核减一项", None)
    response = client_of("finance").get(reverse("recheck:sample", args=[sample.pk]))
    text = response.content.decode()
    gap = done.recheck_total - small_project.evaluation.total_score
    assert gap == -row.score and gap < 0
    assert f">{gap}<" in text
    assert small_project.department.name in text.split('id="gaps"')[1]


def test_the_nav_shows_复核_to_finance_only(demo, client_of):
    link = f'href="{reverse("recheck:index")}"'
    assert link in client_of("finance").get(reverse("oversight:overview")).content.decode()
    assert link not in client_of("supervisor_own").get(reverse("oversight:overview")).content.decode()


def test_the_result_table_in_excel(sample, item, small_project, client_of, user_of):
    finance = user_of("finance")
    row = first_weighted(small_project)
    actions.record_indicator_score(finance, item, row, "0", "无佐证", None)
    findings = '=HYPERLINK("http://example.invalid","点此")'
    done = actions.finish_item(finance, RecheckItem.objects.get(pk=item.pk), findings, None)
    response = client_of("finance").get(reverse("recheck:sample_xlsx", args=[sample.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "项目名称", "实施单位") and len(rows) == 1 + sample.items.count()
    mine = next(r for r in rows[1:] if r[1] == small_project.name)
    assert Decimal(str(mine[6])) == small_project.evaluation.total_score
    assert Decimal(str(mine[8])) == done.recheck_total
    assert Decimal(str(mine[10])) == done.recheck_total - small_project.evaluation.total_score == -row.score
    assert mine[9] == done.recheck_grade and mine[11] == "已完成"
    cell = next(c for c in sheet[rows.index(mine) + 1] if c.value == findings)
    assert cell.data_type == "s"  # text, never a formula
