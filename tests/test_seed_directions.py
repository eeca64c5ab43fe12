"""#12: the name lexicon measured on the seeds against the directions the units printed.

Where a seed target prints its direction (≥ / ≤, or the 指标性质 column) and the name holds a word of
the lexicon, the word must point the same way: this is the direction a unit would have confirmed. One
seed row disagrees and is kept as a known exception: seed 002 prints "人均培训成本控制率 ≥ 90%" (a
share of the cost budget kept to, printed as ≥), while "成本控制率" in published tables is a cap
("≤ 100%"). Its printed operator decides its score, so the lexicon's suggestion is never used there.
"""

from __future__ import annotations

from perfgoals.engine import Direction, Kind, parse, read_name
from projects.seed_data import schema

KNOWN_EXCEPTIONS = {"人均培训成本控制率"}


def _printed_rows() -> list[tuple[str, str, Direction]]:
    rows = []
    for doc in schema.load_all():
        for project in doc["projects"]:
            for ind in project["indicators"]:
                value = parse(ind["target"], nature=ind["nature"], unit=ind["unit"])
                if value.kind is Kind.QUANTITATIVE and value.direction in (
                    Direction.POSITIVE,
                    Direction.NEGATIVE,
                ):
                    rows.append((ind["name"], ind["target"], value.direction))
    return rows


def test_lexicon_agrees_with_the_printed_directions_of_the_seeds() -> None:
    rows = _printed_rows()
    decided = [(name, target, printed, read_name(name)) for name, target, printed in rows]
    decided = [row for row in decided if row[3].direction is not None]
    disagreeing = sorted({name for name, _, printed, signal in decided if signal.direction is not printed})
    assert disagreeing == sorted(KNOWN_EXCEPTIONS)
    # the measure: how often the word alone gives the printed direction
    agreeing = sum(1 for _, _, printed, signal in decided if signal.direction is printed)
    assert len(decided) >= 150 and agreeing / len(decided) >= 0.99


def test_negative_seed_rows_are_caught_by_the_name_or_left_as_a_question() -> None:
    # every ≤ the seeds print is either read ≤ from the name or by an ambiguous word ("补助标准"):
    # the lexicon never reads one of them as a confident ≥
    for name, _, printed in _printed_rows():
        if printed is Direction.NEGATIVE:
            assert read_name(name).direction is not Direction.POSITIVE, name
