"""Every target and actual text of the 49 seed projects is read as reviewed by hand.

The table in tests/data/seed_readings.tsv was generated once from the engine and then checked row by
row against the seed documents; this test keeps the engine to it, and fails when a fixture gains a
text nobody has reviewed.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from perfgoals.engine import parse
from projects.seed_data import schema

TABLE = Path(__file__).parent / "data" / "seed_readings.tsv"


def _rows() -> list[list[str]]:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


ROWS = _rows()
EXPECTED = {(text, nature or None, unit or None): rest for _, _, text, nature, unit, *rest in ROWS}


def test_every_seed_text_has_a_reviewed_reading():
    missing = []
    for doc in schema.load_all():
        for project in doc["projects"]:
            for ind in project["indicators"]:
                if (ind["target"], ind["nature"], ind["unit"]) not in EXPECTED:
                    missing.append(ind["target"])
                if ind["actual"] is not None and (ind["actual"], None, None) not in EXPECTED:
                    missing.append(ind["actual"])
    assert missing == []


def test_the_table_covers_every_kind():
    kinds = {row[5] for row in ROWS}
    assert {"quantitative", "qualitative", "deadline"} <= kinds
    assert len(ROWS) > 150


@pytest.mark.parametrize(
    (
        "source",
        "field",
        "text",
        "nature",
        "unit",
        "kind",
        "direction",
        "number",
        "base",
        "unit_out",
        "scale",
        "relative",
    ),
    ROWS,
    ids=[f"{r[0]}-{r[2][:20]}" for r in ROWS],
)
def test_reading(source, field, text, nature, unit, kind, direction, number, base, unit_out, scale, relative):
    value = parse(text, nature=nature or None, unit=unit or None)
    assert value.kind.value == kind
    assert (value.direction.value if value.direction else "") == direction
    assert value.number == (Decimal(number) if number else None)
    assert value.base == (Decimal(base) if base else None)
    assert (value.unit or "") == unit_out
    assert (value.scale or "") == scale
    assert (value.relative or "") == relative
