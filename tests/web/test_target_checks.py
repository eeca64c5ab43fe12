"""The automatic checks of a set of targets (workflow.target_checks, issue 15): each rule on plain rows,
last year's values found through the rollover's link or by name, the submission refused by a blocking
check (nothing saved) and not by a notice, the editor's checklist and the review page's items to check."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from perfgoals import workflow
from perfgoals.choices import Status
from perfgoals.engine import parse, vocabulary
from perfgoals.intake import services as intake_services
from perfgoals.intake.models import CarriedIndicator
from perfgoals.models import Evaluation, Indicator, ReviewAction
from perfgoals.workflow import target_checks as tc
from perfgoals.workflow.target_checks import BLOCKING, NOTICE, LastYear
from projects.models import Project

from .conftest import page_version, set_status, snapshot

SCHEME = SimpleNamespace(execution_weight=Decimal(10), total=Decimal(100))


def row(pk, level2, name, target, *, weight="10", nature="", unit="", na=False, direction=None):
    """An indicator-like row as the recompute leaves it (kind and direction read by the engine)."""
    value = parse(target, nature=nature or None, unit=unit or None)
    return SimpleNamespace(
        pk=pk,
        level1=vocabulary.level1_of(level2),
        level2=level2,
        name=name,
        target_text=target,
        target_kind=value.kind.value,
        direction=direction if direction is not None else (value.direction.value if value.direction else ""),
        nature_printed=nature,
        unit_printed=unit,
        weight=None if weight is None else Decimal(weight),
        not_applicable=na,
    )


def last(actual, target="", year=2019, via="rollover", unit=""):
    return LastYear(year, target, actual, "", unit, via)


# --- the rules, one by one, on plain rows -------------------------------------------------------------


def test_a_target_below_last_years_actual_is_a_notice_naming_the_indicator():
    ind = row(7, "quality", "住院救助比例", "≧70%")
    check = tc.below_last_year_check(ind, last("74%", "≧70%"))
    assert (check.code, check.severity, check.indicator_id, check.anchor) == (
        "below_last_year",
        NOTICE,
        7,
        "tgt-7",
    )
    assert (
        check.text == "质量指标“住院救助比例”：本年目标 ≥70% 低于上年（2019 年）实际完成值 74%，目标是否偏低"
    )
    # as high as last year's actual, or higher: nothing to say
    assert tc.below_last_year_check(row(7, "quality", "住院救助比例", "≥74%"), last("74%")) is None
    assert tc.below_last_year_check(row(7, "quality", "住院救助比例", "≥75%"), last("74%")) is None


def test_last_years_actual_in_another_magnitude_is_compared_in_the_targets_unit():
    ind = row(1, "quantity", "救助人次", "≥1.2万人次")
    check = tc.below_last_year_check(ind, last("15000人次", "≥1万人次"))
    assert check is not None and "实际完成值 15000人次" in check.text
    assert tc.below_last_year_check(ind, last("11000人次", "≥1万人次")) is None


def test_a_limit_looser_than_last_years_actual_is_flagged_for_a_negative_target():
    ind = row(2, "timeliness", "结算办理时限", "≤5天")
    check = tc.below_last_year_check(ind, last("3天", "≤5天"))
    assert check.code == "below_last_year" and "宽于上年（2019 年）实际完成值 3天" in check.text
    assert tc.below_last_year_check(row(2, "timeliness", "结算办理时限", "≤3天"), last("3天")) is None


@pytest.mark.parametrize(
    "ind, previous",
    [
        (row(3, "social_benefit", "负担减轻程度", "有效缓解"), last("有效缓解")),  # qualitative target
        (row(3, "quality", "比例", "≥70%", na=True), last("74%")),  # not applicable
        (row(3, "quality", "比例", "≥70%"), None),  # no last year
        (row(3, "quality", "比例", "≥70%"), last("已完成")),  # last year's actual in words
        (row(3, "quality", "比例", "≥70%"), last("74人")),  # another unit
        (row(3, "quality", "比例", "≈70%"), last("74%")),  # neither ≥ nor ≤
    ],
)
def test_nothing_to_compare_is_no_finding(ind, previous):
    assert tc.below_last_year_check(ind, previous) is None


def test_a_2021_table_without_a_cost_indicator_is_blocking():
    rows = [row(1, "quantity", "人次", "≥100人次"), row(2, "service_satisfaction", "满意度", "≥90%")]
    [check] = tc.cost_checks(2021, rows)
    assert (check.code, check.severity, check.indicator_id) == ("no_cost", BLOCKING, None)
    assert "2021 年起的绩效目标表须设置成本指标" in check.text
    assert tc.cost_checks(2020, rows) == []
    assert tc.cost_checks(2023, [*rows, row(3, "economic_cost", "成本", "≤16万元")]) == []
    # the 2019 layout printed in 2021 (seed 000): 成本指标 under 产出 counts
    assert tc.cost_checks(2021, [*rows, row(3, "output_cost", "成本", "≤16万元")]) == []
    # a cost indicator marked not applicable does not count
    assert [
        c.code for c in tc.cost_checks(2021, [*rows, row(3, "economic_cost", "成本", "≤16万元", na=True)])
    ] == ["no_cost"]


def test_no_satisfaction_indicator_is_a_notice():
    rows = [row(1, "quantity", "人次", "≥100人次")]
    [check] = tc.satisfaction_checks(rows)
    assert (check.code, check.severity) == ("no_satisfaction", NOTICE) and "未设置满意度指标" in check.text
    assert tc.satisfaction_checks([*rows, row(2, "service_satisfaction", "满意度", "≥90%")]) == []
    assert tc.satisfaction_checks([]) == []  # an empty tree is its own problem


def test_a_level2_of_qualitative_indicators_only_is_one_notice_naming_them():
    rows = [
        row(1, "social_benefit", "负担减轻程度", "有效缓解"),
        row(2, "social_benefit", "群众获得感", "≥90", nature="定性"),  # marked 定性 by the unit
        row(3, "quantity", "人次", "≥100人次"),
        row(4, "quality", "规范程度", "规范"),
        row(5, "quality", "合规率", "≥95%"),
    ]
    [check] = tc.qualitative_checks(rows)
    assert (check.code, check.severity, check.indicator_id) == ("qualitative_only", NOTICE, 1)
    assert check.text == (
        "社会效益指标：全部 2 项指标（“负担减轻程度”、“群众获得感”）均为定性指标，"
        "应设置可量化的指标（定量为主、定性为辅）"
    )
    assert check.row_text == "社会效益指标的 2 项指标均为定性指标，应设置可量化的指标（定量为主、定性为辅）"
    [single] = tc.qualitative_checks([row(9, "timeliness", "覆盖地区", "全覆盖")])
    assert single.text.startswith("时效指标：唯一的指标“覆盖地区”为定性指标，")
    assert single.row_text.startswith("时效指标只有这一项，且为定性指标，")


def test_weights_are_checked_by_the_shared_weight_arithmetic():
    rows = [
        row(1, "quantity", "人次", "≥100人次", weight="45"),
        row(2, "quality", "比例", "≥90%", weight="40"),
    ]
    [check] = tc.weight_checks(rows, SCHEME, None)
    assert (check.code, check.severity, check.anchor) == ("weights", BLOCKING, "level1-weights")
    assert check.text == "分值合计 95 分（含预算执行 10 分），应为总分 100 分"
    rows[1].weight = Decimal(45)
    assert tc.weight_checks(rows, SCHEME, None) == []
    assert [c.text for c in tc.weight_checks(rows, SCHEME, {"output": "80"})] == [
        "产出指标：表头 80 分，各项分值合计 90 分，不一致"
    ]
    rows[1].weight = None  # a missing weight is the row's problem, not a wrong total
    assert tc.weight_checks(rows, SCHEME, None) == []


def test_all_checks_come_blocking_first():
    rows = [
        row(1, "quantity", "人次", "≥100人次", weight="80"),
        row(2, "social_benefit", "效果", "明显", weight="5"),
    ]
    found = tc.check_targets(2022, rows, SCHEME, None, {1: last("120人次")})
    assert [(c.code, c.severity) for c in found] == [
        ("weights", BLOCKING),
        ("no_cost", BLOCKING),
        ("no_satisfaction", NOTICE),
        ("qualitative_only", NOTICE),
        ("below_last_year", NOTICE),
    ]


# --- on the stored project-years ----------------------------------------------------------------------


def _rolled(small_project, user, year) -> Project:
    report = intake_services.rollover(intake_services.Actor(user), [small_project.pk], year)
    return Project.objects.select_related("evaluation", "unit__department").get(pk=report.created[0].pk)


@pytest.fixture
def draft(small_project, user_of) -> Project:
    """困难群众医疗救助 (2019) rolled into 2020: ≧70% (2019: 74%) and 满意度 ≧80% (2019: 87%) below last
    year's actuals; 时效, 社会效益 and 可持续影响 each one qualitative indicator."""
    return _rolled(small_project, user_of("unit_own"), 2020)


def codes(checks) -> list[tuple[str, str]]:
    return [(c.code, Indicator.objects.get(pk=c.indicator_id).name if c.indicator_id else "") for c in checks]


@pytest.mark.django_db
def test_last_years_values_come_through_the_rollovers_link(draft):
    indicators = list(draft.indicators.order_by("order"))
    found = workflow.last_year_values(draft, indicators)
    quality = next(i for i in indicators if i.level2 == "quality")
    assert (found[quality.pk].year, found[quality.pk].actual_text, found[quality.pk].via) == (
        2019,
        "74%",
        "rollover",
    )
    checks = workflow.run_target_checks(draft, draft.evaluation, indicators, found)
    assert sorted(codes(c for c in checks if c.code == "below_last_year")) == [
        ("below_last_year", "工作满意度"),
        ("below_last_year", "重点救助对象合规医疗费年度限额内住院救助比例"),
    ]
    assert sorted(c.code for c in checks if c.code != "below_last_year") == ["qualitative_only"] * 3
    # last year's indicator corrected since the rollover: its value now is what counts
    Indicator.objects.filter(pk=CarriedIndicator.objects.get(indicator=quality).previous_id).update(
        actual_text="69%"
    )
    found = workflow.last_year_values(draft, indicators)
    assert found[quality.pk].actual_text == "69%"
    assert tc.below_last_year_check(quality, found[quality.pk]) is None


@pytest.mark.django_db
def test_without_a_link_last_year_is_found_by_project_and_indicator_name(draft, small_project):
    CarriedIndicator.objects.filter(indicator__project=draft).delete()
    indicators = list(draft.indicators.order_by("order"))
    found = workflow.last_year_values(draft, indicators)
    quality = next(i for i in indicators if i.level2 == "quality")
    assert (found[quality.pk].actual_text, found[quality.pk].via) == ("74%", "name")
    assert (
        "低于按上年同名指标（2019 年）实际完成值 74%"
        in tc.below_last_year_check(quality, found[quality.pk]).text
    )
    # a name found twice last year is ambiguous: no match
    other = Indicator.objects.filter(project=small_project).exclude(level2="quality").first()
    Indicator.objects.filter(pk=other.pk).update(name=quality.name)
    assert quality.pk not in workflow.last_year_values(draft, indicators)


def _confirm_guesses(project):
    for ind in project.indicators.all():
        if workflow.direction_suggested(ind):
            Indicator.objects.filter(pk=ind.pk).update(direction_override=ind.direction)


@pytest.mark.django_db
def test_a_blocking_check_refuses_the_submission_and_saves_nothing(small_project, user_of, client_of):
    draft = _rolled(small_project, user_of("unit_own"), 2021)  # a 2021 table without 成本指标
    _confirm_guesses(draft)
    before = snapshot(draft)
    with pytest.raises(workflow.TargetsIncomplete) as refused:
        workflow.submit_targets(draft.evaluation, user_of("unit_own"))
    assert [p.anchor for p in refused.value.problems] == ["targets-table"]
    assert "须设置成本指标" in refused.value.problems[0].text
    assert snapshot(draft) == before

    response = client_of("unit_own").post(
        reverse("perfgoals:submit_targets", args=[draft.pk]), page_version(draft)
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "尚有 1 项未完成，绩效目标未提交" in html and "本表没有成本指标" in html
    assert snapshot(draft) == before and not ReviewAction.objects.filter(evaluation__project=draft).exists()

    # a cost indicator (its weight taken from 效益, which has no header): submitted, the notices stay notices
    social = Indicator.objects.get(project=draft, level2="social_benefit")
    workflow.update_indicator_target(social, user_of("unit_own"), {"weight": Decimal(10)}, social.version)
    workflow.add_indicator(
        draft,
        user_of("unit_own"),
        {"level2": "economic_cost", "name": "人均救助成本", "target_text": "≤2000元", "weight": Decimal(5)},
    )
    evaluation = workflow.submit_targets(Evaluation.objects.get(project=draft), user_of("unit_own"))
    assert evaluation.status == Status.TARGETS_SUBMITTED


@pytest.mark.django_db
def test_the_editor_lists_the_notices_beside_what_blocks(draft, client_of):
    html = client_of("unit_own").get(reverse("perfgoals:project", args=[draft.pk])).content.decode()
    assert 'data-testid="target-notices"' in html and "提示 <strong>5</strong> 项（不影响提交）" in html
    quality = Indicator.objects.get(project=draft, level2="quality")
    row_html = html[html.index(f'id="tgt-{quality.pk}"') :]
    row_html = row_html[: row_html.index("</tr>")]
    assert 'data-code="below_last_year"' in row_html and "低于上年（2019 年）实际完成值 74%" in row_html


@pytest.mark.django_db
def test_the_review_page_counts_each_check_among_the_items_to_look_at(draft, client_of):
    set_status(
        draft, Status.TARGETS_SUBMITTED, declared_level1_weights={"output": "40", "satisfaction": "10"}
    )
    response = client_of("supervisor_own").get(reverse("perfgoals:review", args=[draft.pk]))
    html, context = response.content.decode(), response.context
    checks = context["target_checks"]
    assert sorted(c.code for c in checks) == ["below_last_year"] * 2 + ["qualitative_only"] * 3 + ["weights"]
    row_flags = sum(1 for r in context["target_rows"] for f in r.review_flags if f.level != "info")
    assert context["check_count"] == row_flags + 6
    assert f'data-testid="check-count">{context["check_count"]}<' in html
    listed = html[html.index('data-testid="target-checks"') :]
    listed = listed[: listed.index("</ul>")]
    assert "分值不符：产出指标：表头 40 分，各项分值合计 50 分，不一致" in listed
    assert (
        "提示：质量指标“重点救助对象合规医疗费年度限额内住院救助比例”：本年目标 ≥70% 低于上年（2019 年）实际完成值 74%"
        in listed
    )
    assert "提示：时效指标：唯一的指标““一站式”即时结算覆盖地区”为定性指标" in listed
    quality = Indicator.objects.get(project=draft, level2="quality")
    assert f'href="#tgt-{quality.pk}"' in listed


@pytest.mark.django_db
def test_a_clean_table_says_so_on_the_review_page(draft, client_of):
    CarriedIndicator.objects.filter(indicator__project=draft).delete()
    Project.objects.filter(pk=draft.pk).update(name="另一个项目")  # no last year's project of that name
    Indicator.objects.filter(project=draft, target_kind="qualitative").update(
        target_text="≥1次", target_kind="quantitative", direction="ge", direction_source="operator"
    )
    set_status(draft, Status.TARGETS_SUBMITTED)
    response = client_of("supervisor_own").get(reverse("perfgoals:review", args=[draft.pk]))
    assert response.context["target_checks"] == []
    assert 'data-testid="target-checks-clear"' in response.content.decode()


@pytest.mark.django_db
def test_the_review_queue_names_the_checks_of_submitted_targets(small_project, user_of, client_of):
    draft = _rolled(small_project, user_of("unit_own"), 2021)
    set_status(draft, Status.TARGETS_SUBMITTED)
    html = client_of("supervisor_own").get(reverse("perfgoals:review_queue"), {"year": 2021}).content.decode()
    line = html[html.index(f"/review/{draft.pk}/") :]
    line = line[: line.index("</tr>")]
    # the checks that need no last year's values (the queue loads none): 成本 missing, 3 qualitative level 2s
    assert '<span class="flag flag-danger">缺成本指标</span>' in line
    assert '<span class="flag flag-warn">全为定性 3</span>' in line
    assert "低于上年实际" not in line
