"""指标偏离 seen by the people (#12): under a scheme that deducts an overshoot (platform-caps: 30 % over
the target → 2 points), the unit sees the deduction on its row and the reviewer finds it among the
flags of the review page and the queue's summary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.models import Evaluation, ScoringScheme

from .conftest import indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def deducted(main_project, user_of):
    """Seed 001 附件1 reopened, scored by platform-caps, one ≥ 90% row entered at 120% (ratio 1.33)."""
    workflow.reopen_evaluation(main_project.evaluation, user_of("supervisor_own"), "按审计意见更正")
    Evaluation.objects.filter(pk=main_project.evaluation.pk).update(
        scheme=ScoringScheme.objects.get(code="platform-caps")  # test setup: the region's scheme
    )
    survey = indicator(main_project, "参保居民满意度")  # ≥ 90%, weight 5
    workflow.save_indicator_actual(survey, user_of("unit_own"), {"actual_text": "120%"}, survey.version)
    return main_project


def test_the_unit_sees_the_deduction_on_its_row(deducted, client_of):
    survey = indicator(deducted, "参保居民满意度")
    assert survey.score == Decimal("3.00") and "overshoot_deducted" in survey.flags
    html = client_of("unit_own").get(reverse("perfgoals:project", args=[deducted.pk])).content.decode()
    assert "指标偏离已扣分" in html  # the chip
    assert "超出目标 30% 以上，按指标偏离扣 2 分：5.00 − 2 = 3.00" in html
    assert "得分低于分值，请填写偏差原因分析及改进措施" in html


def test_the_reviewer_sees_it_among_the_flags(deducted, client_of):
    survey = indicator(deducted, "参保居民满意度")
    scheme = deducted.evaluation.scheme.engine_scheme()
    flags = workflow.indicator_review_flags(survey, scheme)
    assert ("overshoot_deducted", "warn") in [(flag.code, flag.level) for flag in flags]
    summary = workflow.review_summary(deducted.evaluation, deducted.indicators.all(), scheme)
    assert any(label == "指标偏离扣分" for label, _count, _level in summary)
    html = client_of("supervisor_own").get(reverse("perfgoals:review", args=[deducted.pk])).content.decode()
    assert "指标偏离：超出目标过多，已按评分方案扣分" in html
