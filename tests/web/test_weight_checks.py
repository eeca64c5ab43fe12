"""Every place that checks the weights, with its exact wording: the refusal of an entry (total, level-1
header), of the level-1 headers, and the weights listed before a submission of targets or results."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfgoals import scoring, workflow
from perfgoals.intake import services as intake_services
from perfgoals.models import Evaluation, Indicator
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(small_project, user_of) -> Project:
    """困难群众医疗救助 rolled into 2020: weights 25 + 25 (产出, header 50) + 15 + 15 (效益, no header) +
    10 (满意度, header 10), and 10 for the budget execution: 100."""
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    return Project.objects.select_related("evaluation", "unit__department").get(pk=report.created[0].pk)


def row(project, level2: str) -> Indicator:
    return Indicator.objects.filter(project=project, level2=level2).order_by("order").first()


def set_weight(ind: Indicator, user, weight) -> None:
    ind = Indicator.objects.get(pk=ind.pk)
    workflow.update_indicator_target(ind, user, {"weight": Decimal(weight)}, ind.version)


def refusal(ind: Indicator, user, weight) -> dict:
    ind = Indicator.objects.get(pk=ind.pk)
    with pytest.raises(workflow.InvalidData) as refused:
        workflow.update_indicator_target(ind, user, {"weight": Decimal(weight)}, ind.version)
    return refused.value.errors


def test_a_weight_over_the_total_is_refused_with_the_room_left(draft, user_of):
    assert refusal(row(draft, "quality"), user_of("unit_own"), 26) == {
        "weight": [
            "分值合计将为 101 分（预算执行 10 分 + 各指标 91 分），超过总分 100 分；本项最多可设 25 分。"
        ]
    }


def test_a_weight_over_its_level1_header_is_refused(draft, user_of):
    unit = user_of("unit_own")
    set_weight(row(draft, "social_benefit"), unit, 10)  # total 95
    assert refusal(row(draft, "timeliness"), unit, 30) == {
        "weight": ["产出指标各项分值合计将为 55 分，超过表头 50 分。"]
    }


def test_weights_already_over_may_be_lowered(draft, user_of):
    unit = user_of("unit_own")
    Indicator.objects.filter(pk=row(draft, "quality").pk).update(weight=Decimal(40))  # 115, 产出 65
    set_weight(row(draft, "timeliness"), unit, 20)
    assert Indicator.objects.get(pk=row(draft, "timeliness").pk).weight == Decimal(20)


def test_level1_headers_over_the_total_are_refused(draft, user_of):
    evaluation = Evaluation.objects.get(project=draft)
    with pytest.raises(workflow.InvalidData) as refused:
        workflow.save_level1_weights(
            evaluation,
            user_of("unit_own"),
            {"output": Decimal(50), "benefit": Decimal(40), "satisfaction": Decimal(10)},
            evaluation.version,
        )
    assert refused.value.errors == {
        "__all__": [
            "一级指标分值合计 100 分，加预算执行 10 分为 110 分，超过总分 100 分；一级指标合计最多 90 分。"
        ]
    }


def test_a_target_submission_lists_the_weights_that_do_not_add_up(draft, user_of):
    set_weight(row(draft, "quality"), user_of("unit_own"), 20)
    evaluation = Evaluation.objects.get(project=draft)
    problems = workflow.target_problems(draft, evaluation, list(draft.indicators.order_by("order")))
    assert [(p.anchor, p.text) for p in problems if p.anchor == "level1-weights"] == [
        ("level1-weights", "分值合计 95 分（含预算执行 10 分），应为总分 100 分"),
        ("level1-weights", "产出指标：表头 50 分，各项分值合计 45 分，不一致"),
    ]
    flags = workflow.target_weight_flags(draft, evaluation, list(draft.indicators.all()))
    assert [flag.label for flag in flags] == [
        "分值不符：分值合计 95 分（含预算执行 10 分），应为总分 100 分",
        "分值不符：产出指标：表头 50 分，各项分值合计 45 分，不一致",
    ]


def test_a_missing_weight_is_listed_on_its_row_not_as_a_wrong_total(draft, user_of):
    Indicator.objects.filter(pk=row(draft, "quality").pk).update(weight=None)
    evaluation = Evaluation.objects.get(project=draft)
    problems = workflow.target_problems(draft, evaluation, list(draft.indicators.order_by("order")))
    assert [p.text for p in problems if p.anchor == "level1-weights"] == [
        "产出指标：表头 50 分，各项分值合计 25 分，不一致"
    ]


def test_a_result_submission_lists_weights_short_of_the_total(small_project):
    Indicator.objects.filter(pk=row(small_project, "service_satisfaction").pk).update(
        weight=Decimal(5), score=None, reported_score=None
    )
    result = scoring.recompute(small_project)
    evaluation = Evaluation.objects.get(project=small_project)
    indicators = list(small_project.indicators.order_by("order"))
    texts = [p.text for p in workflow.missing_items(small_project, evaluation, indicators, result)]
    assert "绩效指标：分值合计 95 分（含预算执行），少于总分 100 分" in texts
