"""Entry by the unit user: values in place, scores at once, refusals next to the field, conflicts,
submission all or nothing, and the history of every change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.models import Evaluation, Indicator, ReviewAction
from projects.models import BudgetLine

from .conftest import HTMX, indicator, page_version, row_data, set_status, snapshot

pytestmark = pytest.mark.django_db


def save_url(project, ind):
    return reverse("perfgoals:save_indicator", args=[project.pk, ind.pk])


@pytest.fixture
def reopened(main_project, user_of):
    """Seed 001 附件1, approved as published, reopened by its supervisor for correction."""
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "按审计意见更正实际完成值")
    # the seed's guessed directions confirmed as read (#12: a guess is confirmed before submitting)
    workflow.confirm_directions(main_project, user_of("unit_own"), None)
    main_project.evaluation.refresh_from_db()
    return main_project


# --- in-place entry ------------------------------------------------------------------------------


def test_saving_an_actual_rescores_the_row_at_once(reopened, client_of):
    client = client_of("unit_own")
    rate = indicator(reopened, "居民参保率")
    response = client.post(save_url(reopened, rate), row_data(rate, actual_text="91%"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "91 ÷ 92 × 2 = 1.98" in html
    assert 'hx-swap-oob="true"' in html  # the summary and the total are swapped out of band
    rate.refresh_from_db()
    assert rate.actual_text == "91%" and rate.score == Decimal("1.98") and rate.version == 3  # 2: confirmed

    response = client.post(save_url(reopened, rate), row_data(rate, actual_text="93%"), **HTMX)
    html = response.content.decode()
    assert "93 ÷ 92 × 2 = 2.02，封顶 2.00" in html
    assert "已保存" in html
    assert Indicator.objects.get(pk=rate.pk).score == Decimal("2.00")


def test_a_plain_form_post_redirects_back_to_the_row(reopened, client_of):
    rate = indicator(reopened, "居民参保率")
    response = client_of("unit_own").post(save_url(reopened, rate), row_data(rate, actual_text="91%"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#ind-{rate.pk}")


def test_the_first_saved_result_starts_entry(fresh_project, client_of):
    ind = fresh_project.indicators.order_by("order").first()
    client_of("unit_own").post(
        save_url(fresh_project, ind), row_data(ind, weight="5", actual_text="380万人"), **HTMX
    )
    assert Evaluation.objects.get(project=fresh_project).status == Status.ENTERING


def test_a_qualitative_indicator_takes_a_band_and_a_score_inside_it(reopened, client_of):
    quality = indicator(reopened, "生活质量")  # 提高 → 提高, weight 5
    response = client_of("unit_own").post(
        save_url(reopened, quality),
        row_data(quality, actual_text="有所提高", band="部分完成", band_score="3.5"),
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "部分完成（60%–80%），评分 3.50" in html
    # the score is below the weight: the deviation note is asked for, next to its field
    assert "得分低于分值，请填写偏差原因分析及改进措施" in html
    quality.refresh_from_db()
    assert quality.score == Decimal("3.50") and "deviation_note_required" in quality.flags


def test_a_band_without_a_score_takes_the_top_of_the_band(reopened, client_of):
    quality = indicator(reopened, "生活质量")
    client_of("unit_own").post(
        save_url(reopened, quality), row_data(quality, band="部分完成", band_score=""), **HTMX
    )
    assert Indicator.objects.get(pk=quality.pk).score == Decimal("3.99")


def test_a_deviation_note_clears_the_request_for_it(reopened, client_of):
    client = client_of("unit_own")
    rate = indicator(reopened, "居民参保率")
    client.post(save_url(reopened, rate), row_data(rate, actual_text="91%"), **HTMX)
    rate.refresh_from_db()
    assert "deviation_note_required" in rate.flags
    client.post(
        save_url(reopened, rate), row_data(rate, deviation_note="部分人员外出务工，未能及时参保"), **HTMX
    )
    rate.refresh_from_db()
    assert "deviation_note_required" not in rate.flags


# --- refusals next to the field ------------------------------------------------------------------


def test_a_band_score_outside_the_band_is_refused(reopened, client_of):
    quality = indicator(reopened, "生活质量")
    before = snapshot(reopened)
    response = client_of("unit_own").post(
        save_url(reopened, quality), row_data(quality, band="部分完成", band_score="4.5"), **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "“部分完成”档的得分应在 3.00 至 3.99 之间" in html
    assert 'class="field-error"' in html
    assert snapshot(reopened) == before


def test_a_band_score_above_the_weight_is_refused(reopened, client_of):
    quality = indicator(reopened, "生活质量")
    response = client_of("unit_own").post(
        save_url(reopened, quality), row_data(quality, band="完成", band_score="6"), **HTMX
    )
    assert response.status_code == 422
    assert "“完成”档的得分应在 4.00 至 5.00 之间" in response.content.decode()


def test_text_in_a_number_field_is_refused(fresh_project, client_of):
    ind = fresh_project.indicators.order_by("order").first()
    before = snapshot(fresh_project)
    response = client_of("unit_own").post(save_url(fresh_project, ind), row_data(ind, weight="五分"), **HTMX)
    assert response.status_code == 422
    assert "请输入数字" in response.content.decode()
    assert snapshot(fresh_project) == before


def test_numbers_are_read_as_people_type_them(fresh_project, client_of):
    ind = fresh_project.indicators.order_by("order").first()
    client_of("unit_own").post(save_url(fresh_project, ind), row_data(ind, weight="５分"), **HTMX)
    assert Indicator.objects.get(pk=ind.pk).weight == Decimal("5")


def test_an_unreadable_actual_is_refused(reopened, client_of):
    rate = indicator(reopened, "居民参保率")
    response = client_of("unit_own").post(
        save_url(reopened, rate), row_data(rate, actual_text="abc%%"), **HTMX
    )
    assert response.status_code == 422
    assert "无法识别这个数值" in response.content.decode()
    assert Indicator.objects.get(pk=rate.pk).actual_text == "93%"


def test_a_weight_that_would_break_the_total_is_refused(fresh_project, client_of):
    client = client_of("unit_own")
    indicators = list(fresh_project.indicators.order_by("order"))  # 10 indicators, no weights yet
    for ind in indicators[:9]:
        response = client.post(save_url(fresh_project, ind), row_data(ind, weight="10"), **HTMX)
        assert response.status_code == 200
    last = indicators[9]
    before = snapshot(fresh_project)
    response = client.post(save_url(fresh_project, last), row_data(last, weight="10"), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "分值合计将为 110 分" in html and "本项最多可设 0 分" in html
    assert snapshot(fresh_project) == before
    # lowering another weight makes room
    client.post(
        save_url(fresh_project, indicators[0]),
        row_data(Indicator.objects.get(pk=indicators[0].pk), weight="5"),
        **HTMX,
    )
    assert client.post(save_url(fresh_project, last), row_data(last, weight="5"), **HTMX).status_code == 200


def test_a_negative_budget_is_refused(fresh_project, client_of):
    before = snapshot(fresh_project)
    data = {"version": fresh_project.evaluation.version, "current_year-executed": "-5"}
    response = client_of("unit_own").post(reverse("perfgoals:save_budget", args=[fresh_project.pk]), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "不能为负数" in html
    assert snapshot(fresh_project) == before


def test_the_budget_is_saved_and_the_execution_scored(fresh_project, client_of):
    data = {
        "version": fresh_project.evaluation.version,
        "current_year-initial": "6640",
        "current_year-annual": "6640",
        "current_year-executed": "6,000",
        "carryover-initial": "",
        "carryover-annual": "",
        "carryover-executed": "",
    }
    response = client_of("unit_own").post(reverse("perfgoals:save_budget", args=[fresh_project.pk]), data)
    assert response.status_code == 302 and response["Location"].endswith("#budget")
    evaluation = Evaluation.objects.get(project=fresh_project)
    assert evaluation.execution_score == Decimal("9.04")  # 6000 ÷ 6640 × 10
    assert evaluation.status == Status.ENTERING
    assert BudgetLine.objects.get(project=fresh_project, source="current_year").executed == Decimal("6000")
    assert not BudgetLine.objects.filter(project=fresh_project, source="carryover").exists()


def test_a_reopened_evaluation_keeps_its_plan(reopened, client_of, user_of):
    client = client_of("unit_own")
    page = client.get(reverse("perfgoals:project", args=[reopened.pk])).content.decode()
    assert "分值、年初预算数和全年预算数（A）已锁定" in page
    rate = indicator(reopened, "居民参保率")
    assert f'name="ind{rate.pk}-weight"' not in page
    # a forged weight is ignored by the form and refused by the workflow
    client.post(save_url(reopened, rate), row_data(rate, weight="3"), **HTMX)
    assert Indicator.objects.get(pk=rate.pk).weight == Decimal("2")
    with pytest.raises(workflow.InvalidData) as refused:
        workflow.save_indicator_actual(rate, user_of("unit_own"), {"weight": Decimal("3")}, rate.version)
    assert "分值已锁定" in refused.value.errors["weight"][0]
    # budget A is locked, B is not
    data = {
        "version": reopened.evaluation.version,
        "current_year-annual": "9999",
        "current_year-executed": "5500",
    }
    client.post(reverse("perfgoals:save_budget", args=[reopened.pk]), data)
    line = BudgetLine.objects.get(project=reopened, source="current_year")
    assert line.annual == Decimal("5515") and line.executed == Decimal("5500")


def test_nothing_can_be_entered_once_submitted(reopened, client_of):
    set_status(reopened, Status.SUBMITTED)
    rate = indicator(reopened, "居民参保率")
    before = snapshot(reopened)
    response = client_of("unit_own").post(save_url(reopened, rate), row_data(rate, actual_text="91%"), **HTMX)
    assert response.status_code == 409
    assert "自评已提交，正在审核，不能修改" in response.content.decode()
    assert snapshot(reopened) == before


# --- two people, one indicator -------------------------------------------------------------------


def test_the_second_of_two_saves_gets_a_conflict_and_the_first_value_stays(reopened, client_of):
    rate = indicator(reopened, "居民参保率")
    loaded = row_data(rate)  # both pages were loaded at version 1
    first, second = client_of("unit_own"), client_of("unit_own")
    assert (
        first.post(
            save_url(reopened, rate), {**loaded, f"ind{rate.pk}-actual_text": "94%"}, **HTMX
        ).status_code
        == 200
    )
    response = second.post(save_url(reopened, rate), {**loaded, f"ind{rate.pk}-actual_text": "95%"}, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被 烟台市医疗保障局填报人 于" in html and "您这次的修改没有保存" in html
    assert "您填写的是：实际完成值（B）“95%”" in html
    assert 'value="94%"' in html  # the row now shows the first person's value
    rate.refresh_from_db()
    assert rate.actual_text == "94%" and rate.version == 3  # 2: confirmed


def test_sending_what_is_already_stored_is_no_conflict(reopened, client_of):
    rate = indicator(reopened, "居民参保率")
    loaded = row_data(rate)
    client_of("unit_own").post(
        save_url(reopened, rate), {**loaded, f"ind{rate.pk}-actual_text": "94%"}, **HTMX
    )
    response = client_of("unit_own").post(
        save_url(reopened, rate), {**loaded, f"ind{rate.pk}-actual_text": "94%"}, **HTMX
    )
    assert response.status_code == 200


def test_the_budget_has_the_same_protection(fresh_project, client_of):
    url = reverse("perfgoals:save_budget", args=[fresh_project.pk])
    version = fresh_project.evaluation.version
    assert (
        client_of("unit_own").post(url, {"version": version, "current_year-executed": "6000"}).status_code
        == 302
    )
    response = client_of("unit_own").post(url, {"version": version, "current_year-executed": "5000"})
    assert response.status_code == 409
    assert "预算执行数据已被" in response.content.decode()
    assert BudgetLine.objects.get(project=fresh_project, source="current_year").executed == Decimal("6000")


# --- submission ----------------------------------------------------------------------------------


def test_submission_lists_everything_missing_in_one_message_and_submits_nothing(fresh_project, client_of):
    before = snapshot(fresh_project)
    response = client_of("unit_own").post(
        reverse("perfgoals:submit", args=[fresh_project.pk]), page_version(fresh_project)
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('id="submit-problems"') == 1
    assert "自评未提交" in html
    assert '<a href="#budget">预算执行情况：未填全年执行数（B）</a>' in html
    assert '<a href="#goal">年度总体目标：未填目标实际完成情况</a>' in html
    for ind in fresh_project.indicators.all():
        assert f'<a href="#ind-{ind.pk}">' in html  # every indicator lacks its weight and actual
    assert "未设分值；未填实际完成值" in html
    assert snapshot(fresh_project) == before


def test_submission_asks_for_the_below_80_explanation(reopened, client_of):
    client = client_of("unit_own")
    for name in (
        "生活质量",
        "居民经济负担",
        "报销便捷情况",
        "医保报销便捷度",
        "居民医保政策公开度",
        "居民医保基金支撑能力",
    ):
        ind = indicator(reopened, name)
        client.post(
            save_url(reopened, ind),
            row_data(ind, band="未完成", band_score="0", deviation_note="未达预期"),
            **HTMX,
        )
    evaluation = Evaluation.objects.get(project=reopened)
    assert evaluation.total_score < 80
    html = client.post(
        reverse("perfgoals:submit", args=[reopened.pk]), page_version(reopened)
    ).content.decode()
    assert '<a href="#low-score">总分' in html and "低于 80 分" in html
    client.post(
        reverse("perfgoals:save_explanations", args=[reopened.pk]),
        {
            "version": evaluation.version,
            "low_score_explanation": "社会效益未达预期，下一步加强宣传。",
        },
    )
    assert (
        client.post(reverse("perfgoals:submit", args=[reopened.pk]), page_version(reopened)).status_code
        == 302
    )
    assert Evaluation.objects.get(project=reopened).status == Status.SUBMITTED


def test_a_complete_evaluation_is_submitted_with_its_scores_as_reported(reopened, client_of):
    client = client_of("unit_own")
    rate = indicator(reopened, "居民参保率")
    client.post(
        save_url(reopened, rate),
        row_data(rate, actual_text="91%", deviation_note="外出务工人员未参保"),
        **HTMX,
    )
    response = client.post(reverse("perfgoals:submit", args=[reopened.pk]), page_version(reopened))
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(project=reopened)
    assert evaluation.status == Status.SUBMITTED and evaluation.submitted_at is not None
    assert Indicator.objects.get(pk=rate.pk).reported_score == Decimal("1.98")
    action = ReviewAction.objects.get(evaluation=evaluation, action="submit")
    assert action.user.username == "tianbao_yantai" and action.from_status == Status.RETURNED


# --- history -------------------------------------------------------------------------------------


def test_every_change_is_recorded_and_shown_on_the_project_page(reopened, client_of):
    client = client_of("unit_own")
    rate = indicator(reopened, "居民参保率")
    client.post(save_url(reopened, rate), row_data(rate, actual_text="91%"), **HTMX)
    record = Indicator.history.filter(id=rate.pk).order_by("-history_date").first()
    assert record.history_user.username == "tianbao_yantai"
    page = client.get(reverse("perfgoals:project", args=[reopened.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "指标“3、居民参保率”" in history
    assert '<span class="old">93%</span> → <span class="new">91%</span>' in history
    assert '<span class="old">2.00</span> → <span class="new">1.98</span>' in history  # the score moved too
    assert "烟台市医疗保障局填报人" in history
    # the supervisor's reopening is in it as well: status, who, and the reason
    assert '<span class="old">自评已审核</span> → <span class="new">已退回修改</span>' in history
    assert "重新开放：按审计意见更正实际完成值" in history


def test_a_stale_band_is_cleared_when_the_actual_becomes_a_number(reopened, client_of):
    """#16: a band judged for a text actual stayed (and showed) after the actual became a number."""
    client = client_of("unit_own")
    rate = indicator(reopened, "居民参保率")  # ≥ 92%, weight 2
    client.post(
        save_url(reopened, rate),
        row_data(rate, actual_text="基本完成", band="部分完成", band_score="1.5"),
        **HTMX,
    )
    rate.refresh_from_db()
    assert (rate.band, rate.band_score) == ("部分完成", Decimal("1.50"))
    # the page sends the band fields as they are, the actual now a number: the engine's formula scores it
    client.post(
        save_url(reopened, rate), row_data(rate, actual_text="93%", band="部分完成", band_score="1.5"), **HTMX
    )
    rate.refresh_from_db()
    assert (rate.band, rate.band_score, rate.score) == ("", None, Decimal("2.00"))
    # a text again: a band is asked for again (nothing is guessed)
    client.post(save_url(reopened, rate), row_data(rate, actual_text="基本完成"), **HTMX)
    rate.refresh_from_db()
    assert rate.band == "" and "band_required" in rate.flags
