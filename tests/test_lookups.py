"""``field__any_of``: the same rows as ``field__in``, the list sent as one parameter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from perfgoals.intake.models import LibraryName


@pytest.fixture
def names(db):
    LibraryName.objects.bulk_create(
        [LibraryName(name=f"指标{i}", name_key=f"指标{i}") for i in range(50)]
        + [LibraryName(name="含'引号\"与,逗号{}", name_key="q")]
        + [LibraryName(name="分隔\x1f符", name_key="s"), LibraryName(name="", name_key="e")]
    )


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        (["指标1", "指标7", "没有这个"], 2),
        ([f"指标{i}" for i in range(0, 50, 3)], 17),
        (["含'引号\"与,逗号{}", None], 1),
        ([None], 0),
        (["分隔\x1f符", "指标2"], 2),  # a value holding the separator: sent as an array
        (["分隔", "符"], 0),
        (["", "指标3"], 2),  # an empty value: sent as an array
        ([""], 1),
        ([], 0),
    ],
)
def test_any_of_finds_what_in_finds(names, wanted, found):
    expected = set(LibraryName.objects.filter(name__in=wanted).values_list("name", flat=True))
    got = set(LibraryName.objects.filter(name__any_of=wanted).values_list("name", flat=True))
    assert got == expected
    assert len(got) == found


def test_any_of_sends_one_parameter(names):
    wanted = [f"指标{i}" for i in range(40)]
    with CaptureQueriesContext(connection) as queries:
        assert LibraryName.objects.filter(name__any_of=wanted).count() == 40
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(string_to_array(" in sql and sql.count("指标") == 40  # one text, shown inline
        with CaptureQueriesContext(connection) as queries:
            assert LibraryName.objects.filter(name__any_of=["分隔\x1f符", *wanted]).count() == 41
        assert "::text[]" in queries.captured_queries[-1]["sql"]  # a value holding the separator
    else:
        assert "json_each(" in sql and sql.count("指标") == 40  # one JSON text, shown inline


def test_any_of_takes_more_values_than_sqlite_takes_parameters(names):
    """SQLite refuses a query of more than 32,766 parameters; ``any_of`` sends one."""
    wanted = [f"指标{i}" for i in range(40_000)]
    assert LibraryName.objects.filter(name__any_of=wanted).count() == 50
