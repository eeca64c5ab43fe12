"""Drawing a 复核 sample: reproducible from its seed, riskiest first, each evaluation at most once, only
the finance reviewer's own region, only finance reviewers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from perfgoals.choices import Status
from perfgoals.models import Evaluation
from perfgoals.oversight.signals import evaluation_signals
from perfgoals.recheck import actions
from perfgoals.recheck.models import DrawReason, RecheckItem, RecheckSample
from perfgoals.workflow.errors import InvalidData, WorkflowError
from projects.models import Project, Region

ALL = {"risk": 2, "funds": 2, "low_execution": 1, "random": 2}


@pytest.fixture
def results_2021(demo):
    """Every 2021 evaluation (Yantai's eight, Qinghai's 21) put among the results, with execution rates
    (some equal, so that ties are broken by id)."""
    for evaluation in Evaluation.objects.filter(project__year=2021):
        rate = Decimal(evaluation.pk % 4) / 5
        Evaluation.objects.filter(pk=evaluation.pk).update(status=Status.SUBMITTED, execution_rate=rate)


def drawn(sample: RecheckSample) -> list[tuple[int, str]]:
    return list(sample.items.order_by("order").values_list("evaluation_id", "reason"))


def test_the_same_criteria_and_seed_draw_the_same_sample(results_2021, user_of):
    finance = user_of("finance")
    first = actions.draw_sample(finance, 2021, ALL, seed=20240601)
    again = actions.draw_sample(finance, 2021, ALL, seed="20240601")
    assert first.seed == again.seed == 20240601
    assert first.criteria == again.criteria == ALL
    assert len(drawn(first)) == 7
    assert drawn(first) == drawn(again)


def test_a_generated_seed_is_recorded_and_draws_the_sample_again(results_2021, user_of):
    finance = user_of("finance")
    criteria = {"random": 4}
    first = actions.draw_sample(finance, "2021", criteria)
    assert 0 <= first.seed < actions.SEED_BOUND
    assert first.criteria == {"risk": 0, "funds": 0, "low_execution": 0, "random": 4}
    again = actions.draw_sample(finance, 2021, first.criteria, seed=first.seed)
    assert drawn(first) == drawn(again)
    assert {reason for _, reason in drawn(first)} == {DrawReason.RANDOM}
    # the random share depends on the seed: among a few seeds, not every draw is the same
    draws = {tuple(drawn(actions.draw_sample(finance, 2021, criteria, seed=s))) for s in range(5)}
    assert len(draws) > 1


def test_the_riskiest_evaluations_are_drawn_first(demo, main_project, user_of):
    evaluation = main_project.evaluation
    # reported 12 points above the computed total: reported_above scores 2 per point, capped at 30.
    # (The demo total is already 100, so the computed total is lowered rather than the reported raised.)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        submitted_total=evaluation.total_score, total_score=evaluation.total_score - 12
    )
    signals = evaluation_signals(Project.objects.filter(region__name="烟台市", year=2019))
    risk = {s.evaluation_id: s.risk for s in signals}
    others = [score for pk, score in risk.items() if pk != evaluation.pk]
    assert risk[evaluation.pk] > max(others)  # strictly first, whatever order the database returns

    sample = actions.draw_sample(user_of("finance"), 2019, {"risk": 2}, seed=1)
    items = list(sample.items.order_by("order"))
    ranked = sorted((pk for pk in risk if risk[pk] > 0), key=lambda pk: (-risk[pk], pk))[:2]
    assert [i.evaluation_id for i in items] == ranked
    assert items[0].evaluation_id == evaluation.pk
    assert [i.risk_score for i in items] == [risk[pk] for pk in ranked]
    assert items[0].risk_score >= items[-1].risk_score


def test_funds_then_low_execution_draw_from_what_risk_left(results_2021, user_of):
    pool = actions.candidates(Region.objects.get(name="烟台市"), 2021)
    sample = actions.draw_sample(user_of("finance"), 2021, {"funds": 2, "low_execution": 2}, seed=3)
    items = drawn(sample)
    by_id = {c.evaluation_id: c for c in pool}
    funded = sorted((c for c in pool if c.funds is not None), key=lambda c: (-c.funds, c.evaluation_id))
    assert [pk for pk, reason in items if reason == DrawReason.FUNDS] == [c.evaluation_id for c in funded[:2]]
    rest = [
        c for c in pool if c.execution_rate is not None and c.evaluation_id not in {pk for pk, _ in items[:2]}
    ]
    lowest = sorted(rest, key=lambda c: (c.execution_rate, c.evaluation_id))[:2]
    assert [pk for pk, reason in items if reason == DrawReason.LOW_EXECUTION] == [
        c.evaluation_id for c in lowest
    ]
    assert all(by_id[pk] for pk, _ in items)


def test_no_evaluation_is_drawn_twice(results_2021, user_of):
    big = {"risk": 500, "funds": 500, "low_execution": 500, "random": 500}
    sample = actions.draw_sample(user_of("finance"), 2021, big, seed=7)
    ids = [pk for pk, _ in drawn(sample)]
    assert len(ids) == len(set(ids)) == 8
    assert set(ids) == set(
        Evaluation.objects.filter(project__region__name="烟台市", project__year=2021).values_list(
            "pk", flat=True
        )
    )


def test_another_regions_evaluations_are_never_drawn(results_2021, user_of):
    sample = actions.draw_sample(user_of("finance"), 2021, {"random": 500}, seed=11)
    regions = set(
        RecheckItem.objects.filter(sample=sample).values_list("evaluation__project__region__name", flat=True)
    )
    assert regions == {"烟台市"}
    other = actions.draw_sample(user_of("finance_other"), 2021, {"random": 500}, seed=11)
    assert other.region.name == "青海省" and other.items.count() == 21
    assert set(other.items.values_list("evaluation__project__region__name", flat=True)) == {"青海省"}
    with pytest.raises(PermissionDenied):
        actions.draw_sample(user_of("finance"), 2021, {"random": 1}, region=Region.objects.get(name="青海省"))


def test_evaluations_without_results_are_not_drawn(demo, user_of):
    Evaluation.objects.filter(project__region__name="烟台市", project__year=2021).update(
        status=Status.RETURNED
    )
    with pytest.raises(WorkflowError, match="没有已提交结果的自评"):
        actions.draw_sample(user_of("finance"), 2021, {"random": 5})
    assert not RecheckSample.objects.exists()


@pytest.mark.parametrize("role", ["unit_own", "supervisor_own", "admin"])
def test_only_finance_reviewers_draw(results_2021, user_of, role):
    with pytest.raises(PermissionDenied):
        actions.draw_sample(user_of(role), 2021, ALL, seed=1)
    assert not RecheckSample.objects.exists() and not RecheckItem.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "seed", "message"),
    [
        ({"risk": 0}, None, "至少为一个抽取条件"),
        ({"risk": -1}, None, "整数"),
        ({"random": "3.5"}, None, "整数"),
        ({"random": 501}, None, "整数"),
        ({"bribes": 1}, None, "未知的抽取条件"),
        ("risk", None, "格式不正确"),
        ({"random": 1}, "abc", "随机种子"),
        ({"random": 1}, -5, "随机种子"),
    ],
)
def test_bad_criteria_are_refused_in_chinese_and_draw_nothing(results_2021, user_of, criteria, seed, message):
    with pytest.raises(InvalidData, match=message):
        actions.draw_sample(user_of("finance"), 2021, criteria, seed=seed)
    assert not RecheckSample.objects.exists()
