"""Indexes the lists rely on (PostgreSQL), usable by the queries Django builds."""

import pytest
from django.db import connection, transaction

from projects.models import Project

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only indexes"),
]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test database is tiny: make the index the choice
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_name_search_can_use_the_trigram_index(demo):
    with transaction.atomic():
        plan = _plan(Project.objects.filter(name__icontains="医疗保险").order_by().values("pk"))
    assert "project_name_trgm" in plan
