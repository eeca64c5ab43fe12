"""The rule (default and configured), the final grade it reads, the reduction in 万元, and a decision
that a later change of grade never overwrites."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.models import Indicator
from perfgoals.recheck import actions as recheck_actions
from perfgoals.results import actions, rows
from perfgoals.results.models import ApplicationRule, BudgetAction, BudgetDecision
from perfgoals.results.rules import DEFAULT_RULE, Proposal, reduction, rule_for
from perfgoals.workflow.errors import InvalidData, NotPermitted, VersionConflict
from projects.models import Project

from .helpers import finished_recheck, set_self_grade


def graded_row(project):
    """The table's row of ``project`` with what the page derives from it: where the grade came from, the
    proposal by the region's rule and the applied action."""
    record = rows.annotated(Project.objects.filter(pk=project.pk)).first()
    if record is None:
        return None
    proposal = rows.proposal(rule_for(project.region_id), record.final_grade)
    from_recheck = record.pk in rows.recheck_graded(project.region_id, project.year)
    record.grade_source = "recheck" if from_recheck else "self"
    record.proposed_action, record.proposed_percent = (
        (proposal.action, proposal.percent) if proposal else ("", None)
    )
    decision = BudgetDecision.objects.filter(project=project).first()
    record.applied_action = decision.action if decision else record.proposed_action
    return record


def test_a_region_without_a_rule_uses_the_documented_default(small_project):
    assert rule_for(small_project.region) == DEFAULT_RULE
    assert DEFAULT_RULE["中"] == Proposal(BudgetAction.REDUCE, Decimal("10"))
    assert [p.text for p in DEFAULT_RULE.values()] == ["优先保障", "据实保障", "核减 10%", "取消或暂停"]


def test_a_configured_grade_overrides_the_default_and_the_others_stay(small_project):
    ApplicationRule.objects.create(
        region=small_project.region, grade="优", action=BudgetAction.REDUCE, reduction_percent=Decimal("2.5")
    )
    rule = rule_for(small_project.region)
    assert rule["优"] == Proposal("reduce", Decimal("2.50")) and rule["良"] == DEFAULT_RULE["良"]
    row = graded_row(small_project)  # the demo's 优
    assert (row.proposed_action, row.proposed_percent) == ("reduce", Decimal("2.50"))
    other_region = Project.objects.exclude(region=small_project.region).first().region
    assert rule_for(other_region) == DEFAULT_RULE


@pytest.mark.parametrize(
    "action, percent, ok",
    [
        ("reduce", None, False),
        ("reduce", Decimal("0"), False),
        ("reduce", Decimal("100.01"), False),
        ("reduce", Decimal("100"), True),
        ("priority", Decimal("5"), False),
        ("cancel", None, True),
    ],
)
def test_the_rule_guards_its_percentage(small_project, action, percent, ok):
    rule = ApplicationRule(region=small_project.region, grade="中", action=action, reduction_percent=percent)
    if ok:
        rule.full_clean()
        rule.save()
        return
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "reduction_percent" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.save()  # the database refuses it too


def test_the_admin_edits_the_rule_with_a_chinese_error_and_history(small_project, client_of):
    client = client_of("admin")
    url = reverse("admin:results_applicationrule_add")
    assert "未配置的等级按默认规则" in client.get(url).content.decode()
    data = {"region": small_project.region_id, "grade": "中", "action": "reduce", "reduction_percent": ""}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "须填写核减比例" in refused.content.decode()
    assert not ApplicationRule.objects.exists()
    assert client.post(url, {**data, "reduction_percent": "15"}).status_code == 302
    rule = ApplicationRule.objects.get()
    assert rule.reduction_percent == Decimal("15") and rule.history.count() == 1


@pytest.mark.parametrize(
    "action, percent, budget, expected",
    [
        ("reduce", Decimal("10"), Decimal("1.25"), Decimal("0.13")),  # half-up, not half-even
        ("reduce", Decimal("12.5"), Decimal("1234.5678"), Decimal("154.32")),
        ("reduce", Decimal("10"), Decimal("0.05"), Decimal("0.01")),  # 0.005 → 0.01
        ("cancel", None, Decimal("88.8888"), Decimal("88.89")),
        ("priority", None, Decimal("100"), Decimal("0.00")),
        ("as_needed", None, Decimal("100"), Decimal("0.00")),
        ("reduce", Decimal("10"), None, Decimal("0.00")),
    ],
)
def test_the_reduction_in_wan_is_rounded_half_up_per_project(action, percent, budget, expected):
    result = reduction(action, percent, budget)
    assert result == expected and isinstance(result, Decimal) and str(result) == str(expected)


def test_the_final_grade_is_the_finished_rechecks_else_the_approved_self_grade(small_project, user_of):
    assert (graded_row(small_project).final_grade, graded_row(small_project).grade_source) == ("优", "self")
    set_self_grade(small_project, "优", status=Status.SUBMITTED)  # not approved: no final grade
    assert graded_row(small_project) is None
    item = finished_recheck(user_of("finance"), small_project, "差")
    row = graded_row(small_project)
    assert (row.final_grade, row.grade_source, row.proposed_action) == ("差", "recheck", "cancel")
    item.status = "in_progress"
    item.save()  # a 复核 in progress is not final
    assert graded_row(small_project) is None


def test_the_whole_chain_a_recheck_lowers_the_grade_and_the_proposal_follows(small_project, user_of):
    finance = user_of("finance")
    sample = recheck_actions.draw_sample(finance, 2019, {"random": 10}, seed=3)
    item = sample.items.get(evaluation__project=small_project)
    for indicator in Indicator.objects.filter(project=small_project, not_applicable=False, weight__gt=0):
        item.refresh_from_db()
        recheck_actions.record_indicator_score(finance, item, indicator, "0", "无佐证材料", item.version)
    item.refresh_from_db()
    done = recheck_actions.finish_item(finance, item, "指标均无佐证", item.version)
    row = graded_row(small_project)
    assert row.final_grade == done.recheck_grade != "优"
    assert row.grade_source == "recheck"
    assert row.proposed_action == DEFAULT_RULE[done.recheck_grade].action


def test_a_later_change_of_grade_reproposes_but_keeps_the_decision(small_project, user_of, client_of):
    finance = user_of("finance")
    decision = actions.decide(finance, small_project, "as_needed", "", "项目仍需保障", "0")
    assert (decision.basis_grade, decision.basis_action) == ("优", "priority")
    assert not rows.differs(decision, "优", DEFAULT_RULE["优"])
    finished_recheck(finance, small_project, "中")
    row = graded_row(small_project)
    assert (row.proposed_action, row.proposed_percent, row.applied_action) == (
        "reduce",
        Decimal("10"),
        "as_needed",
    )
    decision.refresh_from_db()
    assert (decision.action, decision.version) == ("as_needed", 1)
    assert rows.differs(decision, row.final_grade, Proposal(row.proposed_action, row.proposed_percent))
    page = client_of("finance").get(reverse("results:project", args=[small_project.pk])).content.decode()
    assert "决定作出时等级为 优" in page and "现等级为 中" in page and "核减 10%" in page
    assert "最终等级（复核）" in page
    table = client_of("finance").get(reverse("results:summary", args=[small_project.region_id, 2019]))
    assert "等级或建议已变" in table.content.decode()


def test_the_action_checks_scope_version_and_input(small_project, user_of):
    for role in ("finance_other", "unit_own", "supervisor_own", "admin"):
        with pytest.raises(NotPermitted):
            actions.decide(user_of(role), small_project, "cancel", "", "理由", "0")
    with pytest.raises(InvalidData) as refused:
        actions.decide(user_of("finance"), small_project, "reduce", "-5", "", "0")
    assert set(refused.value.errors) == {"reduction_percent", "reason"}
    actions.decide(user_of("finance"), small_project, "cancel", "", "理由", "0")
    with pytest.raises(VersionConflict):
        actions.decide(user_of("finance"), small_project, "priority", "", "理由", "0")
    assert BudgetDecision.objects.get().action == "cancel"


def test_the_summary_page_costs_a_constant_number_of_queries(
    demo, user_of, client_of, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of("finance")
    region = Project.objects.filter(year=2021, region__name="烟台市").first().region
    small = Project.objects.filter(region=region, year=2019)
    large = Project.objects.filter(region=region, year=2021)
    for project in [*small, *large]:
        set_self_grade(project, "中")
        actions.decide(user_of("finance"), project, "reduce", "5", "测试", "0")
    counts = []
    for year, projects in ((2019, small), (2021, large)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("results:summary", args=[region.pk, year]))
        assert response.status_code == 200
        assert f"合计（{projects.count()} 项）" in response.content.decode()
        counts.append(len(queries))
    assert large.count() > small.count()
    assert counts[0] == counts[1]


def test_a_decision_stays_visible_when_the_grade_is_gone(small_project, user_of, client_of):
    actions.decide(user_of("finance"), small_project, "cancel", "", "暂停下一年度安排", "0")
    set_self_grade(small_project, "优", status=Status.ENTERING)  # reopened: no final grade now
    page = client_of("finance").get(reverse("results:project", args=[small_project.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "尚无最终等级" in text
    assert "暂停下一年度安排" in text and 'id="decide"' not in text
