"""Re-scoring a sampled evaluation: 复核得分 per indicator within [0, weight] with a reason, the 复核总分
and 复核等级 by the self-evaluation's own arithmetic and grade thresholds, the unit's scores untouched."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from perfgoals.models import Evaluation, Indicator
from perfgoals.recheck import actions
from perfgoals.recheck.models import ItemStatus, RecheckItem, RecheckScore
from perfgoals.workflow.errors import InvalidData, VersionConflict, WorkflowError
from tests.web.conftest import snapshot


@pytest.fixture
def sample(demo, user_of):
    """The three approved 2019 evaluations of Yantai, all drawn."""
    return actions.draw_sample(user_of("finance"), 2019, {"random": 10}, seed=5)


def item_of(sample, project) -> RecheckItem:
    return sample.items.get(evaluation__project=project)


def scored(project) -> list[Indicator]:
    """The project's applicable indicators with a weight, highest score first."""
    return list(
        Indicator.objects.filter(project=project, not_applicable=False, weight__gt=0, score__gt=1).order_by(
            "-score", "order"
        )
    )


def test_without_recheck_scores_the_total_is_the_self_evaluations(sample):
    for item in sample.items.select_related("evaluation"):
        result = actions.recheck_total(item)
        assert result.total == item.evaluation.total_score
        assert result.grade == item.evaluation.grade


def test_two_lower_scores_lower_the_total_exactly(sample, small_project, user_of):
    finance = user_of("finance")
    item = item_of(sample, small_project)
    evaluation = small_project.evaluation
    rows = scored(small_project)[:2]
    before = snapshot(small_project)
    # 3.455 is stored rounded half-up to 3.46; the other loses exactly 1.5 points
    actions.record_indicator_score(finance, item, rows[0], "3.455", "佐证材料只支持部分完成", item.version)
    item.refresh_from_db()
    actions.record_indicator_score(
        finance, item, rows[1], rows[1].score - Decimal("1.5"), "抽查台账不全", item.version
    )
    assert RecheckScore.objects.get(item=item, indicator=rows[0]).score == Decimal("3.46")
    stored = dict(RecheckScore.objects.filter(item=item).values_list("indicator_id", "score"))
    assert stored == {rows[0].pk: Decimal("3.46"), rows[1].pk: rows[1].score - Decimal("1.5")}

    result = actions.recheck_total(item)
    want = evaluation.execution_score + sum(
        (
            stored.get(i.pk, i.score or Decimal(0))
            for i in Indicator.objects.filter(project=small_project, not_applicable=False)
        ),
        Decimal(0),
    )
    assert result.total == want.quantize(Decimal("0.01"))
    assert result.total == evaluation.total_score - (rows[0].score - Decimal("3.46")) - Decimal("1.5")

    item.refresh_from_db()
    done = actions.finish_item(finance, item, "两项指标佐证不足，已按实际核减。", item.version)
    assert done.status == ItemStatus.DONE and done.recheck_total == result.total
    assert done.recheck_grade == evaluation.scheme.engine_scheme().grade_for(result.total)
    assert done.findings == "两项指标佐证不足，已按实际核减。"
    # the unit's own scores, totals and history are exactly as before
    assert snapshot(small_project) == before
    assert Evaluation.objects.get(pk=evaluation.pk).total_score == evaluation.total_score


def test_the_grade_drops_at_the_thresholds_of_the_self_evaluation(sample, main_project, user_of):
    finance = user_of("finance")
    item = item_of(sample, main_project)
    evaluation = main_project.evaluation
    scheme = evaluation.scheme.engine_scheme()
    for row in scored(main_project):
        if actions.recheck_total(item).total < 80:
            break
        item.refresh_from_db()
        actions.record_indicator_score(finance, item, row, "0", "无佐证材料", item.version)
    result = actions.recheck_total(item)
    assert result.total < 80 <= evaluation.total_score
    assert result.grade == scheme.grade_for(result.total) != evaluation.grade
    assert result.grade in ("中", "差")


def test_a_blank_score_withdraws_the_recheck_score(sample, small_project, user_of):
    finance = user_of("finance")
    item = item_of(sample, small_project)
    row = scored(small_project)[0]
    actions.record_indicator_score(finance, item, row, "0", "无佐证", None)
    assert actions.recheck_total(item).total < small_project.evaluation.total_score
    assert actions.record_indicator_score(finance, item, row, "", "", None) is None
    assert not RecheckScore.objects.filter(item=item).exists()
    assert actions.recheck_total(item).total == small_project.evaluation.total_score
    item.refresh_from_db()
    assert item.version == 3 and item.history.count() == 3  # drawn, scored, withdrawn


@pytest.mark.parametrize(
    ("score", "reason", "field", "message"),
    [
        ("-1", "理由", "score", "之间"),
        ("999", "理由", "score", "之间"),
        ("abc", "理由", "score", "不是数字"),
        ("NaN", "理由", "score", "不是数字"),
        ("2", "  ", "reason", "请填写复核理由"),
        ("", "理由", "score", "请填写复核得分"),
    ],
)
def test_bad_scores_are_refused_in_chinese_and_change_nothing(
    sample, small_project, user_of, score, reason, field, message
):
    item = item_of(sample, small_project)
    with pytest.raises(InvalidData, match=message) as refused:
        actions.record_indicator_score(
            user_of("finance"), item, scored(small_project)[0], score, reason, item.version
        )
    assert field in refused.value.errors
    assert not RecheckScore.objects.exists()
    assert RecheckItem.objects.get(pk=item.pk).version == item.version


def test_another_projects_indicator_is_refused(sample, small_project, main_project, user_of):
    item = item_of(sample, small_project)
    with pytest.raises(PermissionDenied):
        actions.record_indicator_score(user_of("finance"), item, scored(main_project)[0], "1", "理由", None)
    assert not RecheckScore.objects.exists()


def test_a_stale_page_is_refused(sample, small_project, user_of):
    finance = user_of("finance")
    item = item_of(sample, small_project)
    seen = item.version
    actions.record_indicator_score(finance, item, scored(small_project)[0], "1", "理由", seen)
    with pytest.raises(VersionConflict, match="没有保存"):
        actions.record_indicator_score(finance, item, scored(small_project)[1], "1", "理由", seen)
    with pytest.raises(VersionConflict):
        actions.finish_item(finance, item, "发现", seen)
    assert RecheckScore.objects.count() == 1


def test_a_finished_item_is_closed_and_findings_are_required(sample, small_project, user_of):
    finance = user_of("finance")
    item = item_of(sample, small_project)
    with pytest.raises(InvalidData, match="复核发现"):
        actions.finish_item(finance, item, "   ", item.version)
    actions.finish_item(finance, item, "未发现问题", item.version)
    with pytest.raises(WorkflowError, match="已完成"):
        actions.record_indicator_score(finance, item, scored(small_project)[0], "1", "理由", None)
    with pytest.raises(WorkflowError, match="已完成"):
        actions.finish_item(finance, item, "再次", None)


@pytest.mark.parametrize("role", ["unit_own", "supervisor_own", "finance_other", "admin"])
def test_only_the_regions_finance_reviewers_rescore(sample, small_project, user_of, role):
    item = item_of(sample, small_project)
    with pytest.raises(PermissionDenied):
        actions.record_indicator_score(user_of(role), item, scored(small_project)[0], "1", "理由", None)
    with pytest.raises(PermissionDenied):
        actions.finish_item(user_of(role), item, "发现", None)
    assert not RecheckScore.objects.exists()
    assert RecheckItem.objects.get(pk=item.pk).status == ItemStatus.IN_PROGRESS


def test_a_level1_subtotal_above_its_header_is_counted_at_the_header(sample, main_project, user_of):
    """Seed 001 附件1 prints 产出 rows worth more than its header: a lower score there may leave the total
    where it is, as the self-evaluation's own total would."""
    item = item_of(sample, main_project)
    assert actions.recheck_total(item).capped
    assert actions.recheck_total(item).total == main_project.evaluation.total_score
