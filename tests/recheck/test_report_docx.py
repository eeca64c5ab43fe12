"""The 复核报告 of a region-year (issue 14): a Word document with the samples' criteria and seeds, the
result table of the finished items, the gap by department and the findings; finance of the region and
administrators download it, anyone else gets a 404."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.models import Indicator
from perfgoals.recheck import actions, report

pytestmark = pytest.mark.django_db

EXPECTED = {
    "anonymous": "login",
    "unit_own": 404,
    "unit_other": 404,
    "supervisor_own": 404,
    "supervisor_other": 404,
    "finance": 200,
    "finance_other": 404,
    "third_party": 404,
    "admin": 200,
}
FINDINGS = "满意度佐证缺失，建议下年度补充问卷"
NOTE = "工作底稿：待核实的满意度样本"


@pytest.fixture
def sample(demo, user_of):
    return actions.draw_sample(user_of("finance"), 2019, {"risk": 1, "random": 10}, seed=9, notes="年度抽查")


@pytest.fixture
def finished(sample, small_project, user_of):
    """The small project's item re-scored lower on one indicator and finished; the others in progress,
    one of them with a working note."""
    finance = user_of("finance")
    item = sample.items.get(evaluation__project=small_project)
    indicator = (
        Indicator.objects.filter(project=small_project, not_applicable=False, weight__gt=0)
        .order_by("order")
        .first()
    )
    actions.record_indicator_score(
        finance, item, indicator, str(indicator.weight * Decimal("0.5")), "佐证不足"
    )
    item.refresh_from_db()
    other = sample.items.exclude(pk=item.pk).first()
    other_indicator = Indicator.objects.filter(project_id=other.evaluation.project_id, weight__gt=0).first()
    actions.record_indicator_score(finance, other, other_indicator, "0", NOTE)
    return actions.finish_item(finance, item, FINDINGS, item.version)


def url(sample) -> str:
    return reverse("recheck:report_docx", args=[sample.region_id, sample.year])


def text_of(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_role(role, sample, client_of):
    client = Client() if role == "anonymous" else client_of(role)
    response = client.get(url(sample))
    expected = EXPECTED[role]
    if expected == "login":
        assert response.status_code == 302 and reverse("login") in response["Location"]
        return
    assert response.status_code == expected
    if expected == 200:
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content)[:2] == b"PK"


def test_a_year_without_samples_is_a_404(sample, client_of):
    response = client_of("finance").get(reverse("recheck:report_docx", args=[sample.region_id, 2018]))
    assert response.status_code == 404


def test_the_report_says_how_it_was_drawn_and_what_was_found(finished, sample, small_project, client_of):
    response = client_of("finance").get(url(sample))
    paragraphs, tables = text_of(b"".join(response.streaming_content))
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "烟台市2019年度项目支出绩效自评抽查复核报告"
    assert f"随机种子 {sample.seed}" in text and "风险 1 个" in text and "随机 10 个" in text
    assert "年度抽查" in text
    total = sample.items.count()
    assert f"项目 {total} 个，已完成复核 1 个，另有 {total - 1} 个正在复核" in text
    results, gaps = tables
    assert results[0] == report.RESULT_COLUMNS
    assert len(results) == 2 and results[1][1] == small_project.name
    assert results[1][5] == f"{finished.recheck_total:.2f}" and results[1][6] == finished.recheck_grade
    evaluation = small_project.evaluation
    assert results[1][3] == f"{evaluation.total_score:.2f}"
    assert results[1][7] == f"{finished.recheck_total - evaluation.total_score:+.2f}"
    assert gaps[0] == report.GAP_COLUMNS and gaps[1][0] == small_project.department.name
    assert f"（一）{small_project.name}" in text and FINDINGS in text
    # the working notes of an item in progress are never in the report
    assert NOTE not in text and all(NOTE not in cell for t in tables for row in t for cell in row)
    assert paragraphs[-2] == sample.region.finance_bureau
