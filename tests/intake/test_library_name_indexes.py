"""The table of indicator names keeps one index a column: names are only looked up whole, so the
second (varchar_pattern_ops) index Django adds on PostgreSQL for ``unique=True`` / ``db_index=True``
would be written on every import's names and never read."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from perfgoals.intake.models import LibraryName

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pattern_ops indexes are PostgreSQL's")
def test_library_names_have_one_plain_index_a_column():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexdef",
            [LibraryName._meta.db_table],
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert not [d for d in definitions if "pattern_ops" in d]
    assert sorted(d[d.index("USING") :] for d in definitions) == [
        "USING btree (id)",
        "USING btree (name)",
        "USING btree (name_key)",
    ]


def test_a_name_is_recorded_once():
    LibraryName.objects.create(name="参保率", name_key="参保率")
    with pytest.raises(IntegrityError), transaction.atomic():
        LibraryName.objects.create(name="参保率", name_key="参保率")
    assert LibraryName.objects.filter(name="参保率").count() == 1
