"""全部保存 (issue #16): every changed row of the sheet in one request and one transaction, each with its
own version check; any refusal saves nothing and is reported at its row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.models import Evaluation, Indicator

from .conftest import indicator, row_data, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reopened(main_project, user_of):
    """Seed 001 附件1, approved as published, reopened by its supervisor for correction."""
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "按审计意见更正实际完成值")
    main_project.evaluation.refresh_from_db()
    return main_project


def sheet_url(project):
    return reverse("perfgoals:save_sheet", args=[project.pk])


def test_every_changed_row_is_saved_at_once_with_one_history_entry(reopened, client_of):
    rate, satisfaction = indicator(reopened, "居民参保率"), indicator(reopened, "参保居民满意度")
    version = Evaluation.objects.get(project=reopened).version
    data = {
        **row_data(rate, actual_text="91%", deviation_note="部分居民外出务工未参保"),
        **row_data(satisfaction, actual_text="88%"),
    }
    client = client_of("unit_own")
    response = client.post(sheet_url(reopened), data)
    assert response.status_code == 302 and response["Location"].endswith("#indicators")
    rate.refresh_from_db()
    satisfaction.refresh_from_db()
    assert (rate.actual_text, rate.deviation_note) == ("91%", "部分居民外出务工未参保")
    assert satisfaction.actual_text == "88%"
    assert rate.score == Decimal("1.98")  # 91 ÷ 92 × 2, rescored in the same save
    evaluation = Evaluation.objects.get(project=reopened)
    assert evaluation.version == version + 1
    reasons = [
        h.history_change_reason
        for h in evaluation.history.filter(history_change_reason__startswith="全部保存")
    ]
    assert len(reasons) == 1 and reasons[0].startswith("全部保存 2 项指标") and "居民参保率" in reasons[0]
    page = client.get(response["Location"])
    assert "已保存 2 行指标" in page.content.decode()


def test_one_refused_row_saves_nothing_and_is_reported_at_its_row(reopened, client_of):
    rate, satisfaction = indicator(reopened, "居民参保率"), indicator(reopened, "参保居民满意度")
    before = snapshot(reopened)
    data = {**row_data(rate, actual_text="91%"), **row_data(satisfaction, actual_text="？？")}
    response = client_of("unit_own").post(sheet_url(reopened), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "本次全部保存未执行" in html
    assert "无法识别这个数值" in html  # at the refused row
    assert "因其他行未能保存，本行也未保存" in html  # the good row says it was not saved either
    assert 'value="91%"' in html and "data-unsaved" in html  # what was typed is still there, marked
    assert snapshot(reopened) == before


def test_a_row_someone_else_saved_meanwhile_saves_nothing(reopened, client_of):
    rate, satisfaction = indicator(reopened, "居民参保率"), indicator(reopened, "参保居民满意度")
    loaded = {**row_data(rate), **row_data(satisfaction)}  # the page as loaded
    other = client_of("unit_own").post(
        reverse("perfgoals:save_indicator", args=[reopened.pk, rate.pk]),
        {**row_data(rate, actual_text="94%")},
    )
    assert other.status_code == 302
    before = snapshot(reopened)
    data = {**loaded, f"ind{rate.pk}-actual_text": "95%", f"ind{satisfaction.pk}-actual_text": "88%"}
    response = client_of("unit_own").post(sheet_url(reopened), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "您这次的修改没有保存" in html and "您填写的是：实际完成值（B）“95%”" in html
    assert 'value="94%"' in html  # the conflicting row shows what is stored now
    assert 'value="88%"' in html  # the other row keeps what was typed
    assert snapshot(reopened) == before
    assert Indicator.objects.get(pk=satisfaction.pk).actual_text != "88%"


def test_rows_without_a_change_are_no_conflict_and_nothing_is_saved(reopened, client_of):
    rate = indicator(reopened, "居民参保率")
    stale = {**row_data(rate, actual_text=rate.actual_text), f"ind{rate.pk}-version": rate.version - 1}
    before = snapshot(reopened)
    response = client_of("unit_own").post(sheet_url(reopened), stale)
    assert response.status_code == 302
    assert snapshot(reopened) == before


def test_the_sheet_of_another_unit_is_not_found_and_a_reviewer_may_not_save(reopened, client_of):
    rate = indicator(reopened, "居民参保率")
    before = snapshot(reopened)
    data = row_data(rate, actual_text="91%")
    assert client_of("unit_other").post(sheet_url(reopened), data).status_code == 404
    assert client_of("supervisor_own").post(sheet_url(reopened), data).status_code == 403
    assert snapshot(reopened) == before


def test_the_workflow_checks_weights_against_the_sheets_other_new_weights(fresh_project, user_of):
    indicators = list(fresh_project.indicators.order_by("order"))  # 10 indicators, no weights yet
    unit = user_of("unit_own")
    workflow.save_sheet(
        fresh_project, unit, {ind.pk: ({"weight": Decimal(10)}, ind.version) for ind in indicators[:8]}
    )
    assert [ind.weight for ind in fresh_project.indicators.order_by("order")[:8]] == [Decimal(10)] * 8
    # 10 (execution) + 80 + 10 fits, and so does the other alone; both together make 110: refused
    last = [Indicator.objects.get(pk=ind.pk) for ind in indicators[8:]]
    before = snapshot(fresh_project)
    with pytest.raises(workflow.SheetRefused) as refused:
        workflow.save_sheet(
            fresh_project, unit, {ind.pk: ({"weight": Decimal(10)}, ind.version) for ind in last}
        )
    assert set(refused.value.errors) == {ind.pk for ind in last}
    assert "分值合计将为 110 分" in refused.value.errors[last[0].pk]["weight"][0]
    assert snapshot(fresh_project) == before
