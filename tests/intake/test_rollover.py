"""Year rollover: last year's trees and targets become this year's drafts, last year's actuals beside them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.intake import services
from perfgoals.intake.models import CarriedIndicator
from perfgoals.models import Indicator
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(demo):
    return list(Project.objects.filter(year=2019).order_by("pk"))


def test_rollover_copies_trees_and_targets_as_drafts_and_clears_results(sources, yantai):
    report = services.rollover(services.Actor(yantai), [p.pk for p in sources], 2020)

    assert len(report.created) == 3 and report.skipped == []
    for source in sources:
        new = Project.objects.get(unit=source.unit, year=2020, name=source.name)
        assert new.evaluation.status == Status.DRAFT
        assert (
            new.evaluation.total_score is None or new.evaluation.total_score < 100
        )  # no actuals, no full marks
        assert new.evaluation.printed_total is None and new.evaluation.printed_grade == ""
        assert new.evaluation.declared_level1_weights == source.evaluation.declared_level1_weights
        assert new.goal_text == source.goal_text and new.goal_result_text == ""
        assert new.empty_level2 == source.empty_level2
        assert [
            (line.source, line.initial, line.annual, line.executed)
            for line in new.budget_lines.order_by("source")
        ] == [
            (line.source, line.initial, line.annual, None) for line in source.budget_lines.order_by("source")
        ]
        old_rows = list(source.indicators.order_by("order"))
        new_rows = list(new.indicators.order_by("order"))
        assert [(i.level1, i.level2, i.name, i.target_text, i.weight) for i in new_rows] == [
            (i.level1, i.level2, i.name, i.target_text, i.weight) for i in old_rows
        ]
        assert all(
            i.actual_text == ""
            and i.score is None
            and i.reported_score is None
            and i.band == ""
            and i.deviation_note == ""
            for i in new_rows
        )
        carried = {c.indicator_id: c for c in CarriedIndicator.objects.filter(indicator__project=new)}
        assert [(carried[n.pk].previous_id, carried[n.pk].previous_actual_text) for n in new_rows] == [
            (o.pk, o.actual_text) for o in old_rows
        ]
    # last year is untouched
    assert all(p.evaluation.status == Status.APPROVED for p in Project.objects.filter(year=2019))


def test_rolling_over_twice_creates_nothing_new(sources, yantai):
    services.rollover(services.Actor(yantai), [p.pk for p in sources], 2020)
    count = Project.objects.count()
    report = services.rollover(services.Actor(yantai), [p.pk for p in sources], 2020)
    assert report.created == [] and [reason for _, reason in report.skipped] == ["2020 年已有同名项目"] * 3
    assert Project.objects.count() == count


def test_another_units_projects_are_not_rolled_over(demo, yantai):
    qinghai = list(Project.objects.filter(unit__name="青海省医疗保障局").values_list("pk", flat=True))
    report = services.rollover(services.Actor(yantai), qinghai, 2022)
    assert report.created == [] and not Project.objects.filter(year=2022).exists()


def test_last_years_actual_is_shown_beside_the_new_target(client, sources, yantai):
    services.rollover(services.Actor(yantai), [sources[0].pk], 2020)
    new = Project.objects.get(year=2020, name=sources[0].name, unit=sources[0].unit)
    client.force_login(yantai)
    page = client.get(reverse("intake:rollover_compare", args=[new.pk])).content.decode()
    assert "400 万人以上" in page and "400.3 万人" in page  # target and last year's actual, side by side


def test_a_target_relative_to_last_year_gets_the_number_it_means(client, sources, yantai):
    services.rollover(services.Actor(yantai), [sources[0].pk], 2020)
    new = Project.objects.get(year=2020, name=sources[0].name, unit=sources[0].unit)
    indicator = new.indicators.get(name="1、居民参保缴费人数")
    indicator.target_text = "不低于上年"
    indicator.save(update_fields=["target_text"])
    client.force_login(yantai)
    page = client.get(reverse("intake:rollover_compare", args=[new.pk])).content.decode()
    assert "≥400.3万人" in page

    response = client.post(reverse("intake:apply_suggestion", args=[indicator.pk]))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.target_text == "≥400.3万人"
    assert indicator.target_kind == "quantitative" and indicator.target_value == 4003000


def test_rollover_page_for_a_unit_user(client, sources, yantai):
    client.force_login(yantai)
    page = client.get(reverse("intake:rollover"), {"from_year": 2019}).content.decode()
    assert "居民基本医疗保险市级财政补助" in page
    response = client.post(
        reverse("intake:rollover"), {"from_year": 2019, "to_year": 2020, "projects": [p.pk for p in sources]}
    )
    assert response.status_code == 200
    assert Project.objects.filter(year=2020, unit=sources[0].unit).count() == 3
    assert "已结转 3 个项目到 2020 年" in response.content.decode()
    bad = client.post(
        reverse("intake:rollover"), {"from_year": 2019, "to_year": 2019, "projects": [sources[0].pk]}
    )
    assert "必须晚于原年度" in bad.content.decode()


def test_other_units_pages_are_not_found(client, sources, yantai):
    services.rollover(services.Actor(yantai), [sources[0].pk], 2020)
    new = Project.objects.get(year=2020, name=sources[0].name, unit=sources[0].unit)
    indicator = Indicator.objects.filter(project=new).first()
    client.force_login(get_user_model().objects.get(username="tianbao_qinghai"))
    assert client.get(reverse("intake:rollover_compare", args=[new.pk])).status_code == 404
    assert client.post(reverse("intake:apply_suggestion", args=[indicator.pk])).status_code == 404


def test_applying_a_suggestion_moves_the_page_version(client, sources, yantai):
    """#17: apply_suggestion changed a target without moving the evaluation's version, so a page loaded
    before it could still submit targets it had not seen."""
    from perfgoals import workflow
    from perfgoals.models import Evaluation
    from perfgoals.workflow.errors import VersionConflict

    services.rollover(services.Actor(yantai), [sources[0].pk], 2020)
    new = Project.objects.get(year=2020, name=sources[0].name, unit=sources[0].unit)
    indicator = new.indicators.get(name="1、居民参保缴费人数")
    indicator.target_text = "不低于上年"
    indicator.save(update_fields=["target_text"])
    seen = Evaluation.objects.get(project=new).version  # the draft page as loaded

    assert services.apply_suggestion(services.Actor(yantai), indicator.pk) is not None

    evaluation = Evaluation.objects.get(project=new)
    assert evaluation.version == seen + 1
    reasons = [h.history_change_reason or "" for h in evaluation.history.all()[:3]]
    assert any("≥400.3万人" in reason for reason in reasons), reasons
    with pytest.raises(VersionConflict):
        workflow.submit_targets(evaluation, yantai, seen)
    assert Evaluation.objects.get(project=new).status == "draft"


def test_the_rolled_over_rows_are_marked_at_once_and_link_to_their_projects(client, sources, yantai):
    """#16: after 结转 the page marked nothing (the rows still offered, checked); the compare page did
    not link to its project nor say which rows came from last year."""
    client.force_login(yantai)
    own = [p for p in sources if p.unit_id == sources[0].unit_id]
    response = client.post(
        reverse("intake:rollover"), {"from_year": 2019, "to_year": 2020, "projects": [own[0].pk]}
    )
    page = response.content.decode()
    new = Project.objects.get(year=2020, name=own[0].name, unit=own[0].unit)
    rows = {row["project"].pk: row for row in response.context["rows"]}
    assert rows[own[0].pk]["rolled"] and rows[own[0].pk]["taken"] and rows[own[0].pk]["next"] == new.pk
    assert not any(row["selected"] for row in rows.values())
    assert f'data-testid="rolled-{own[0].pk}"' in page and "刚刚结转" in page
    assert reverse("perfgoals:project", args=[new.pk]) in page
    assert reverse("intake:rollover_compare", args=[new.pk]) in page
    # the other rows stay offered, none marked
    assert all(not row["rolled"] and not row["taken"] for pk, row in rows.items() if pk != own[0].pk)

    # a new indicator beside the carried ones: the compare page tells them apart and links to the project
    Indicator.objects.create(
        project=new, level1="output", level2="quantity", name="新增指标", target_text="≥3次", order=999
    )
    response = client.get(reverse("intake:rollover_compare", args=[new.pk]))
    compare = response.content.decode()
    assert f'href="{reverse("perfgoals:project", args=[new.pk])}"' in compare
    carried = new.indicators.exclude(name="新增指标").count()
    assert response.context["carried_count"] == carried
    assert compare.count("上年结转</span>") == carried and compare.count("本年新增</span>") == 1
    assert f"其中 <strong>{carried}</strong> 项由 2019 年结转" in compare
