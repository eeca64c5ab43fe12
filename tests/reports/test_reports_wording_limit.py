"""The report's wording is bounded (hardening #17, item 4): a section of the 绩效评价报告 holds at most
SECTION_MAX_CHARS characters (20,000, some ten pages); a longer one is refused with a Chinese message
naming the section, and nothing of that save is stored. The text box says so before sending."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from perfgoals.reports import actions
from perfgoals.reports.forms import ReportTextForm
from perfgoals.reports.models import DepartmentReportText

pytestmark = pytest.mark.django_db

LIMIT = actions.SECTION_MAX_CHARS


@pytest.fixture
def supervisor(user):
    client = Client()
    client.force_login(user("shenhe_yantai"))
    return client


def test_the_limit_is_twenty_thousand_characters():
    assert LIMIT == 20_000


def test_a_section_over_the_limit_is_refused_in_chinese(supervisor, yantai):
    url = reverse("reports:wording", args=[yantai.pk, 2019])
    response = supervisor.post(
        url, {"action": "save", "work_overview": "问" * (LIMIT + 1), "next_steps": "措施"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "自评工作开展情况" in html and "不能超过 20000 字" in html and "20001" in html
    assert not DepartmentReportText.objects.filter(department=yantai, year=2019, next_steps="措施").exists()


def test_a_section_at_the_limit_is_stored(supervisor, yantai):
    url = reverse("reports:wording", args=[yantai.pk, 2019])
    supervisor.post(url, {"action": "save", "next_steps": "施" * LIMIT})
    record = DepartmentReportText.objects.get(department=yantai, year=2019)
    assert len(record.next_steps) == LIMIT


def test_the_action_refuses_whoever_calls_it(user, dy2019):
    with pytest.raises(ValidationError, match="不能超过"):
        actions.save_report_text(user("shenhe_yantai"), dy2019, {"work_overview": "x" * (LIMIT + 1)})


def test_the_text_boxes_carry_the_limit():
    form = ReportTextForm()
    for name in ("work_overview", "results_overview", "problems", "next_steps"):
        assert f'maxlength="{LIMIT}"' in str(form[name]), name
