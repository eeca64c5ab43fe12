"""自评材料版式 (ReportStyle): its sections are checked with Chinese messages, admin shows it in Chinese,
every change keeps a history row, and the pure style module needs no Django."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from perfgoals.reports.models import ReportStyle
from perfgoals.reports.style import DEFAULT, DEFAULT_SECTIONS, Style, check_sections

pytestmark = pytest.mark.django_db


def test_the_default_is_seed_001s_three_sections_and_the_national_form():
    assert [heading for _f, heading in DEFAULT_SECTIONS] == [
        "一、自评工作开展情况",
        "二、自评结果概述",
        "三、下一步工作措施",
    ]
    assert DEFAULT.form_title == "项目支出绩效自评表" and DEFAULT.attachment(3) == ""
    assert Style(attachment_numbers=True).attachment(3) == "附件 3"


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ([], "至少要有一个部分"),
        ([["summary", "一、概述"]], "字段“summary”无效"),
        ([["next_steps", " "]], "标题不能为空"),
        ([["next_steps", "一、措施"], ["next_steps", "二、措施"]], "重复"),
        (["一、措施"], "[字段, 标题]"),
    ],
)
def test_bad_sections_are_refused_in_chinese(sections, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_sections(sections)


def test_the_model_refuses_bad_sections_and_keeps_history(yantai):
    style = ReportStyle.objects.get(region=yantai.region)
    style.sections = [["nonsense", "一、"]]
    with pytest.raises(ValidationError) as error:
        style.full_clean()
    assert "nonsense" in str(error.value)
    style.sections = [["work_overview", "一、基本情况"], ["next_steps", "二、下一步打算"]]
    style.full_clean()
    style._change_reason = "测试：改报告结构"
    style.save()
    assert style.as_style().section_fields == ("work_overview", "next_steps")
    assert style.history.first().history_change_reason == "测试：改报告结构"


def test_the_admin_lists_the_styles_in_chinese(demo, client):
    admin = get_user_model().objects.create_superuser("style_admin", password="x-very-long-pass-1")
    client.force_login(admin)
    page = client.get("/admin/reports/reportstyle/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "自评材料版式" in html and "市级预算项目支出绩效自评表" in html
