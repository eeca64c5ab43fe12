"""ScoreChange: one row per project-year and run, its indicators' score changes as a list (issue #18).

The rows written so far (one per changed indicator) are grouped by project, time and reason into
one row each, their changes ordered by indicator id, scores as the column prints them ("18.50");
reversing the migration splits them again.
"""

from itertools import groupby

from django.db import migrations, models

BATCH = 2000


def _text(score):
    return None if score is None else str(score)


def group_rows(apps, schema_editor):
    ScoreChange = apps.get_model("perfgoals", "ScoreChange")
    old = ScoreChange.objects.filter(indicator_id__isnull=False)
    rows = old.order_by("project_id", "changed_at", "reason", "indicator_id").values_list(
        "project_id", "changed_at", "reason", "indicator_id", "old_score", "new_score"
    )
    batch = []
    groups = groupby(rows.iterator(chunk_size=BATCH), key=lambda row: row[:3])
    for (project_id, changed_at, reason), group in groups:
        changes = [[indicator_id, _text(old_score), _text(new_score)] for *_, indicator_id, old_score, new_score in group]
        batch.append(ScoreChange(project_id=project_id, changed_at=changed_at, reason=reason, changes=changes))
        if len(batch) >= BATCH:
            ScoreChange.objects.bulk_create(batch)
            batch = []
    ScoreChange.objects.bulk_create(batch)
    old.delete()


def split_rows(apps, schema_editor):
    ScoreChange = apps.get_model("perfgoals", "ScoreChange")
    grouped = ScoreChange.objects.filter(indicator_id__isnull=True)
    batch = []
    for row in grouped.order_by("pk").iterator(chunk_size=BATCH):
        for indicator_id, before, after in row.changes:
            batch.append(
                ScoreChange(
                    project_id=row.project_id,
                    changed_at=row.changed_at,
                    reason=row.reason,
                    indicator_id=indicator_id,
                    old_score=before,
                    new_score=after,
                )
            )
        if len(batch) >= BATCH:
            ScoreChange.objects.bulk_create(batch)
            batch = []
    ScoreChange.objects.bulk_create(batch)
    grouped.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("perfgoals", "0016_indicator_fillfactor"),
    ]

    operations = [
        migrations.AddField(
            model_name="scorechange",
            name="changes",
            field=models.JSONField(default=list, verbose_name="得分变化"),
        ),
        migrations.AlterField(
            model_name="scorechange",
            name="indicator_id",
            field=models.BigIntegerField(null=True, verbose_name="指标 ID"),
        ),
        migrations.RunPython(group_rows, split_rows),
        migrations.RemoveField(model_name="scorechange", name="indicator_id"),
        migrations.RemoveField(model_name="scorechange", name="old_score"),
        migrations.RemoveField(model_name="scorechange", name="new_score"),
    ]
