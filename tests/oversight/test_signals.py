"""The overview's signal "目标低于上年实际" (SQL, ``oversight.signals``) and the goal-setting check
"目标是否偏低" (Python, ``workflow.target_checks`` + ``workflow.last_year``) are one rule: they flag the
same indicators."""

from __future__ import annotations

from collections import Counter

import pytest

from perfgoals import scoring, workflow
from perfgoals.intake import services as intake_services
from perfgoals.intake.models import CarriedIndicator
from perfgoals.models import Evaluation, Indicator
from perfgoals.oversight.signals import _targets_below_last_year
from perfgoals.workflow import target_checks as tc
from projects.models import Project


def python_counts() -> Counter:
    """project id → the indicators the goal-setting check flags, over every project-year."""
    out: Counter = Counter()
    for project in Project.objects.all():
        indicators = list(project.indicators.all())
        found = workflow.last_year_values(project, indicators)
        flagged = len(tc.last_year_checks(indicators, found))
        if flagged:
            out[project.pk] = flagged
    return out


def sql_counts() -> Counter:
    return Counter(_targets_below_last_year(Evaluation.objects.all()))


def _rolled(project, user, year) -> Project:
    report = intake_services.rollover(intake_services.Actor(user), [project.pk], year)
    return Project.objects.get(pk=report.created[0].pk)


@pytest.mark.django_db
def test_the_signal_and_the_check_flag_the_same_indicators_on_the_demo_data(small_project, user_of):
    draft = _rolled(small_project, user_of("unit_own"), 2020)
    python, sql = python_counts(), sql_counts()
    assert sql == python
    assert sql[draft.pk] == 2  # through the rollover's link: ≧70% (2019: 74%), 满意度 ≧80% (87%)


@pytest.mark.django_db
def test_they_agree_on_a_corrected_link_a_reverse_target_and_a_unit_they_cannot_compare(
    small_project, user_of
):
    draft = _rolled(small_project, user_of("unit_own"), 2020)
    indicators = {i.name: i for i in draft.indicators.all()}
    quality = next(i for i in indicators.values() if i.level2 == "quality")
    # last year's indicator corrected since the rollover: its value now counts (74% → 69%: not below)
    previous = Indicator.objects.get(pk=CarriedIndicator.objects.get(indicator=quality).previous_id)
    Indicator.objects.filter(pk=previous.pk).update(actual_text="69%")
    scoring.recompute(previous.project)
    # a ≤ target above last year's actual (满意度 made a 时限), then last year's actual in another unit
    numbers = [i for i in draft.indicators.filter(target_kind="quantitative") if i.pk != quality.pk]
    Indicator.objects.filter(pk=numbers[0].pk).update(target_text="≤5天", unit_printed="")
    last = Indicator.objects.get(pk=CarriedIndicator.objects.get(indicator=numbers[0]).previous_id)
    Indicator.objects.filter(pk=last.pk).update(target_text="≤5天", actual_text="3天", unit_printed="")
    scoring.recompute(last.project)
    scoring.recompute(draft)
    python, sql = python_counts(), sql_counts()
    assert sql == python
    assert sql[draft.pk] == 1  # the ≤5天 target against 3天; the 69% no longer below
    # last year's target and actual in another unit (72 小时 = 3 天): not compared by either (the
    # engine reads last year's actual in last year's target's unit; from there on no conversion)
    Indicator.objects.filter(pk=last.pk).update(target_text="≤120小时", actual_text="72小时")
    scoring.recompute(last.project)
    python, sql = python_counts(), sql_counts()
    assert sql == python and sql[draft.pk] == 0
