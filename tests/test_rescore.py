"""The bulk rescoring service stores exactly what recompute stores, and keeps changes traceable."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from perfgoals import collector, rescore, scoring
from perfgoals.engine.units import round_half_up
from perfgoals.models import Evaluation, Indicator, ScoreChange
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


def _changes(reason: str) -> dict:
    """The score changes a run listed (in its `ScoreChange` rows): indicator id → the change."""
    return {e.indicator_id: e for row in ScoreChange.objects.filter(reason=reason) for e in row.entries()}


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


def test_every_changed_score_gets_one_compact_history_row_and_a_repeat_writes_none(demo):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    indicator = project.indicators.order_by("order").first()
    Indicator.objects.filter(pk=indicator.pk).update(score=None, score_explanation="")
    Evaluation.objects.filter(project=project).update(total_score=None, grade="")
    history_before = Indicator.history.filter(id=indicator.pk).count()

    stats = rescore.rescore_projects([project.pk], label="测试")

    assert stats.indicators_changed == 1 and stats.evaluations_changed == 1
    # the indicator: listed (score before and after) in the project's one row of the run, no full copy
    assert Indicator.history.filter(id=indicator.pk).count() == history_before
    (row,) = ScoreChange.objects.filter(reason="批量重算 测试")
    assert row.project_id == project.pk and row.reason == "批量重算 测试"
    (change,) = row.entries()
    assert change.indicator_id == indicator.pk and change.old_score is None
    assert change.new_score == Indicator.objects.get(pk=indicator.pk).score is not None
    # scores kept as the column prints them, never as JSON numbers (floats)
    assert row.changes == [[indicator.pk, None, f"{change.new_score:.2f}"]]
    # the evaluation: a full history row, as recompute writes
    evaluation_record = Evaluation.history.filter(project_id=project.pk).order_by("-history_id").first()
    assert evaluation_record.total_score == 100 and evaluation_record.grade == "优"
    assert evaluation_record.history_change_reason == "批量重算 测试"

    written = Indicator.history.count() + Evaluation.history.count() + ScoreChange.objects.count()
    again = rescore.rescore_projects([project.pk])
    assert again.indicators_changed == 0 and again.evaluations_changed == 0
    assert Indicator.history.count() + Evaluation.history.count() + ScoreChange.objects.count() == written


def test_the_compact_history_keeps_old_and_new_scores_of_many_rows(demo):
    """Every changed row of several projects and chunks, the old score as it was stored; one row per
    project, its changes by indicator id."""
    projects = list(Project.objects.filter(year=2019).order_by("pk").values_list("pk", flat=True))
    rescore.rescore_projects(projects)
    before = dict(Indicator.objects.filter(project_id__in=projects).values_list("pk", "score"))
    Indicator.objects.filter(project_id__in=projects).update(score=None, target_kind="")

    stats = rescore.rescore_projects(projects, chunk=2, label="全部")

    changes = _changes("批量重算 全部")
    assert len(changes) == stats.indicators_changed == len(before)
    assert {pk: (c.old_score, c.new_score) for pk, c in changes.items()} == {
        pk: (None, score) for pk, score in before.items()
    }
    project_of = dict(Indicator.objects.filter(project_id__in=projects).values_list("pk", "project_id"))
    rows = list(ScoreChange.objects.filter(reason="批量重算 全部"))
    assert sorted(row.project_id for row in rows) == sorted(set(project_of.values()))
    for row in rows:
        ids = [indicator_id for indicator_id, _old, _new in row.changes]
        assert ids == sorted(ids) and {project_of[pk] for pk in ids} == {row.project_id}


def test_the_compact_history_reads_each_rows_own_score_before(demo):
    """Scores that differ row by row before the run (edited, stale) are each the row's own "before"."""
    projects = list(Project.objects.filter(year=2019).order_by("pk").values_list("pk", flat=True))
    rescore.rescore_projects(projects)
    after, stale = {}, {}
    for pk, score, weight in Indicator.objects.filter(project_id__in=projects).values_list(
        "pk", "score", "weight"
    ):
        after[pk] = score
        stale[pk] = round_half_up(weight * (pk % 7) / 7, 2)  # within the weight, as the table requires
        Indicator.objects.filter(pk=pk).update(score=stale[pk], target_kind="")  # every row changes

    rescore.rescore_projects(projects, chunk=3, label="陈旧")

    changes = _changes("批量重算 陈旧")
    assert {pk: (c.old_score, c.new_score) for pk, c in changes.items()} == {
        pk: (stale[pk], after[pk]) for pk in after
    }


def test_the_indicator_table_leaves_room_on_each_page_for_updates():
    """On PostgreSQL the indicator rows' updates can stay on their page (HOT): fill factor 70."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage parameter")
    with connection.cursor() as cursor:
        cursor.execute("select reloptions from pg_class where relname = 'perfgoals_indicator'")
        assert cursor.fetchone()[0] == ["fillfactor=70"]


def test_the_history_page_shows_the_run_change_and_a_later_edit_without_it(demo):
    """The 变更记录 places a bulk rescoring's change between the full history rows: shown once, as
    the system's with the run's reason; the next person's edit is not shown as having moved the
    score."""
    from perfgoals.pages.history import project_history
    from perfgoals.views.loading import history_records

    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    indicator = project.indicators.order_by("order").first()
    old_score = indicator.score
    Indicator.objects.filter(pk=indicator.pk).update(score=0)
    indicator.refresh_from_db()
    indicator.deviation_note = "先前的说明"
    indicator.save()  # a full history row with the score 0

    rescore.rescore_projects([project.pk], label="#7")  # 0 → the computed score: a compact row

    indicator.refresh_from_db()
    indicator.deviation_note = "后来的说明"
    indicator.save()  # a person's edit after the run: its row carries the rescored score

    entries, _total = project_history(history_records(project), limit=None)
    mine = [e for e in entries if e.subject == f"指标“{indicator.name}”"]
    run = [e for e in mine if e.reason == "批量重算 #7"]
    assert len(run) == 1 and run[0].user == "（系统）"
    assert run[0].changes == [("得分", "0.00", f"{old_score:.2f}")]
    later = next(e for e in mine if any(c[2] == "后来的说明" for c in e.changes))
    assert [c[0] for c in later.changes] == [str(Indicator._meta.get_field("deviation_note").verbose_name)]


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
    assert list(_changes("批量重算 部分")) == [first.pk]  # second did not change: not listed
    assert Indicator.history.filter(id=first.pk).count() == before[first.pk]
    first.refresh_from_db()
    assert first.score_explanation != "旧说明" and "stale" not in first.flags


def test_the_collector_is_paused_while_scoring_and_restored_after_a_failure():
    import gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(allow_nan=True, allow_infinity=True, places=None, min_value=None, max_value=None)
    | st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("1E+2"), Decimal("-0"), Decimal("0.0000005")])
)
def test_stored_decimal_remembers_nothing_that_changes_its_answer(value):
    """The remembered stored values (``scoring._STORED``) give what rounding the value itself gives,
    for equal decimals printed differently too; an unstorable value comes back unchanged."""
    first = scoring.stored_decimal(Indicator, "target_value", value)
    again = scoring.stored_decimal(Indicator, "target_value", value)
    if not value.is_finite() or not scoring.fits(Indicator, "target_value", value):
        assert first is value and again is value
    else:
        expected = round_half_up(value, scoring.column_shape(Indicator, "target_value")[1])
        assert first == again == expected and str(first) == str(expected)
