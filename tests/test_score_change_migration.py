"""Migration 0017 groups the per-indicator `ScoreChange` rows of earlier runs into one row per project
and run (scores as text, by indicator id), and splits them again when reversed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("perfgoals", "0016_indicator_fillfactor")]
AFTER = [("perfgoals", "0017_score_changes_per_project")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_rows_of_earlier_runs_are_grouped_per_project_and_split_back():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    first, second = timezone.now() - timedelta(days=2), timezone.now() - timedelta(days=1)
    written = [
        # project, indicator, when, reason, old, new (project ids need no project: no constraint)
        (501, 12, first, "批量重算 #1", None, Decimal("18.50")),
        (501, 11, first, "批量重算 #1", Decimal("3.00"), Decimal("2.75")),
        (502, 20, first, "批量重算 #1", Decimal("0.00"), None),
        (501, 11, second, "批量重算 #2", Decimal("2.75"), Decimal("3.00")),
    ]
    try:
        old_apps = _migrate(BEFORE)
        OldChange = old_apps.get_model("perfgoals", "ScoreChange")
        OldChange.objects.bulk_create(
            OldChange(project_id=p, indicator_id=i, changed_at=w, reason=r, old_score=o, new_score=n)
            for p, i, w, r, o, n in written
        )

        new_apps = _migrate(AFTER)
        rows = new_apps.get_model("perfgoals", "ScoreChange").objects.order_by("changed_at", "project_id")
        assert [(row.project_id, row.changed_at, row.reason, row.changes) for row in rows] == [
            (501, first, "批量重算 #1", [[11, "3.00", "2.75"], [12, None, "18.50"]]),
            (502, first, "批量重算 #1", [[20, "0.00", None]]),
            (501, second, "批量重算 #2", [[11, "2.75", "3.00"]]),
        ]

        old_apps = _migrate(BEFORE)
        back = old_apps.get_model("perfgoals", "ScoreChange").objects.values_list(
            "project_id", "indicator_id", "changed_at", "reason", "old_score", "new_score"
        )
        assert sorted(back, key=lambda r: (r[2], r[0], r[1])) == sorted(
            written, key=lambda r: (r[2], r[0], r[1])
        )
    finally:
        _migrate(latest)
