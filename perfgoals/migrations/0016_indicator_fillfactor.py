"""Room on each page of the indicator table for its rows' next versions (PostgreSQL only).

An indicator row is updated many times a year (the targets, the results, every scoring), and a
province's rescoring updates 1.5 million of them at once. PostgreSQL writes an updated row as a new
version; when the page holding the row has room for it and no indexed column changes (no scored
column is indexed), the update is HOT: no new entry in the table's four indexes and far less WAL.
At the default fill factor of 100 the pages are packed and almost no update is HOT. Measured on
``bench/province.py``'s 10,000 projects (150,000 indicators, every score changed, the two settings in
turn with the same query plans): HOT updates 1 % → 78 % of the rows, WAL 186 → 146 MB, the database
backend's CPU 34–36 → 30–31 core-seconds per million indicators; the table after a rescoring is
smaller too (71 MB instead of 89 MB), its pages no longer half emptied by moved rows. New pages
follow the setting; existing ones as they are rewritten (VACUUM FULL, or CLUSTER, repacks a table at
once). On SQLite this does nothing.
"""

from django.db import migrations

FILL_FACTOR = 70


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE perfgoals_indicator SET (fillfactor = {FILL_FACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE perfgoals_indicator RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("perfgoals", "0015_score_changes")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
