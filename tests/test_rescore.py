"""The bulk rescoring service stores exactly what recompute stores, and keeps changes traceable."""

import pytest
from django.core.management import call_command

from perfgoals import rescore, scoring
from perfgoals.models import Evaluation, Indicator
from projects.models import Project

pytestmark = pytest.mark.django_db

EVALUATION_FIELDS = ["execution_rate", "execution_score", "total_score", "grade", "complete", "warnings"]


def _clear_scores() -> None:
    Indicator.objects.update(
        target_kind="",
        direction="",
        direction_source="",
        target_value=None,
        target_unit="",
        actual_kind="",
        actual_value=None,
        actual_unit="",
        score=None,
        score_explanation="",
        flags=[],
    )
    Evaluation.objects.update(
        execution_rate=None, execution_score=None, total_score=None, grade="", complete=False, warnings=[]
    )


def _snapshot() -> tuple[list, list]:
    indicators = list(Indicator.objects.order_by("pk").values_list("pk", *scoring.SCORED_FIELDS))
    evaluations = list(Evaluation.objects.order_by("pk").values_list("pk", *EVALUATION_FIELDS))
    return indicators, evaluations


def test_bulk_rescoring_stores_what_recompute_stores(demo):
    projects = list(Project.objects.select_related("unit__department"))
    assert len(projects) == 49
    _clear_scores()
    for project in projects:
        scoring.recompute(project)
    expected = _snapshot()

    _clear_scores()
    stats = rescore.rescore_projects([p.pk for p in projects], chunk=7)  # several chunks

    assert _snapshot() == expected
    assert stats.projects == 49
    assert stats.indicators == Indicator.objects.count()
    assert stats.indicators_changed == Indicator.objects.filter(target_kind__gt="").count()


def test_every_changed_score_gets_one_history_row_and_a_repeat_writes_none(demo):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    indicator = project.indicators.order_by("order").first()
    Indicator.objects.filter(pk=indicator.pk).update(score=None, score_explanation="")
    Evaluation.objects.filter(project=project).update(total_score=None, grade="")
    history_before = Indicator.history.filter(id=indicator.pk).count()

    stats = rescore.rescore_projects([project.pk], label="测试")

    assert stats.indicators_changed == 1 and stats.evaluations_changed == 1
    records = Indicator.history.filter(id=indicator.pk).order_by("-history_id")
    assert records.count() == history_before + 1
    latest = records.first()
    assert latest.history_type == "~" and latest.history_change_reason == "批量重算 测试"
    assert latest.score == Indicator.objects.get(pk=indicator.pk).score is not None
    evaluation_record = Evaluation.history.filter(project_id=project.pk).order_by("-history_id").first()
    assert evaluation_record.total_score == 100 and evaluation_record.grade == "优"

    total_history = Indicator.history.count() + Evaluation.history.count()
    again = rescore.rescore_projects([project.pk])
    assert again.indicators_changed == 0 and again.evaluations_changed == 0
    assert Indicator.history.count() + Evaluation.history.count() == total_history


def test_rescore_command_limits_to_a_region_and_year(demo):
    Evaluation.objects.update(total_score=None, grade="")
    call_command("rescore", "--region", "烟台市", "--year", "2019", stdout=open("/dev/null", "w"))
    rescored = Evaluation.objects.filter(total_score__isnull=False)
    assert rescored.count() == 3
    assert set(rescored.values_list("project__year", flat=True)) == {2019}


def test_a_repeat_still_stamps_computed_at_on_every_evaluation(demo):
    ids = list(Project.objects.filter(year=2019).values_list("pk", flat=True))
    rescore.rescore_projects(ids)
    Evaluation.objects.filter(project_id__in=ids).update(computed_at=None)

    stats = rescore.rescore_projects(ids)

    assert stats.evaluations_changed == 0
    assert not Evaluation.objects.filter(project_id__in=ids, computed_at__isnull=True).exists()


def test_only_the_rows_that_change_are_written_and_traced(demo):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    rescore.rescore_projects([project.pk])
    first, second = project.indicators.order_by("order")[:2]
    Indicator.objects.filter(pk=first.pk).update(score_explanation="旧说明", flags=["stale"])
    before = {row.pk: Indicator.history.filter(id=row.pk).count() for row in (first, second)}

    stats = rescore.rescore_projects([project.pk], label="部分")

    assert stats.indicators_changed == 1
    assert Indicator.history.filter(id=first.pk).count() == before[first.pk] + 1
    assert Indicator.history.filter(id=second.pk).count() == before[second.pk]
    first.refresh_from_db()
    assert first.score_explanation != "旧说明" and "stale" not in first.flags


def test_the_collector_is_paused_while_scoring_and_restored_after_a_failure():
    import gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError), scoring.collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
