"""A trigram index on the project name (PostgreSQL only), for the lists' name search.

The search (项目名称 contains …) is ``UPPER(name) LIKE UPPER('%word%')``; no B-tree serves a
pattern with a leading wildcard, so a province's list read all 100,000 names twice (the count and the
page). pg_trgm's GIN index finds the few matching rows from any three characters of the word. pg_trgm
ships with PostgreSQL and is a trusted extension (PostgreSQL 13+): a database owner may create it.
On SQLite the search scans, which at a unit's or a department's size costs nothing.
"""

from django.db import migrations

INDEX = "project_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # the expression Django's icontains compiles to on PostgreSQL, so the planner matches it
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON projects_project USING gin (UPPER("name"::text) gin_trgm_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_project_organisation")]

    operations = [migrations.RunPython(create, drop)]
