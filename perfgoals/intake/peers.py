"""Peer targets of a project-year's indicators, for the target review page (issue 15): for each
indicator, the other projects of the same region and year whose indicator is the same library entry —
how many, their most common target, and the lowest and highest target in the indicator's own unit —
with the entry itself to link to.

An indicator's entry is the one its suggestion was chosen from (``Indicator.library_key``), else the
one its name belongs to; both are compared through the library's own key function
(:func:`.library.name_key`), and the peers' spellings are found through :class:`.models.LibraryName`
(every raw name with its key) and the index on ``Indicator.name``. Only targets at least submitted
count (a draft stays private to its unit, as in the library). Four queries, whatever the number of
indicators or peers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from perfgoals.engine import parse
from perfgoals.engine.values import format_decimal
from perfgoals.models import Indicator
from projects.models import Project

from .library import LIBRARY_STATUSES, library_for, name_key, shared, typical_target
from .models import LibraryIndicator, LibraryName


@dataclass(frozen=True)
class Peers:
    """What the same library entry's targets look like in the region-year (the project's own aside)."""

    key: str
    count: int
    typical: str = ""
    low: str = ""
    high: str = ""
    #: how many of them are numbers in the indicator's unit (what low and high are taken from)
    compared: int = 0
    entry_id: int | None = None
    entry_name: str = ""


def indicator_key(indicator: Indicator) -> str:
    """The library key of an indicator: its linked entry's, else its name's."""
    return name_key(indicator.library_key or "") or name_key(indicator.name)


def _scale(indicator: Indicator) -> tuple[Decimal, str] | None:
    """(base units per printed unit, printed unit) of the indicator's own target, to print peers'
    numbers as it prints its own ("1.2万人次" → (10000, "万人次")); None when it is not a number."""
    if indicator.target_kind != "quantitative" or indicator.target_value is None:
        return None
    value = parse(
        indicator.target_text, nature=indicator.nature_printed or None, unit=indicator.unit_printed or None
    )
    if value.number is None or value.base is None or value.number == 0:
        return (Decimal(1), indicator.target_unit or "")
    return (value.base / value.number, value.printed_unit or indicator.target_unit or "")


def peer_targets(user, project: Project, indicators: Iterable[Indicator]) -> dict[int, Peers]:
    """Indicator pk → its :class:`Peers` (indicators with no peer and no entry are left out)."""
    indicators = list(indicators)
    keys = {ind.pk: indicator_key(ind) for ind in indicators}
    wanted = {key for key in keys.values() if key}
    if not wanted:
        return {}
    spellings = set(LibraryName.objects.filter(name_key__in=wanted).values_list("name", flat=True))
    rows = (
        Indicator.objects.filter(
            project__region_id=project.region_id,
            project__year=project.year,
            project__evaluation__status__in=LIBRARY_STATUSES,
        )
        .exclude(project_id=project.pk)
        .filter(Q(name__in=spellings) | Q(library_key__in=wanted))
        .values_list(
            "name",
            "library_key",
            "target_text",
            "nature_printed",
            "unit_printed",
            "target_kind",
            "target_value",
            "target_unit",
        )
    )
    by_key: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        key = name_key(row[1]) or name_key(row[0])
        if key in wanted:
            by_key[key].append(row)
    entries = library_for(user).filter(name_key__in=wanted, hidden=False)
    if not shared():
        entries = entries.filter(region_id=project.region_id)
    linked = {entry.name_key: entry for entry in entries.only("pk", "name", "name_key")}
    out: dict[int, Peers] = {}
    for indicator in indicators:
        key = keys[indicator.pk]
        found = by_key.get(key, [])
        entry: LibraryIndicator | None = linked.get(key)
        if not found and entry is None:
            continue
        # in the library's notation (typical_target: "≧90%" and "90%以上" are both "≥90%")
        typical = Counter(typical_target(r[2], r[3], r[4]) for r in found if r[2]).most_common(1)
        scale = _scale(indicator)
        numbers = [
            r[6]
            for r in found
            if scale is not None
            and r[5] == "quantitative"
            and r[6] is not None
            and r[7] == indicator.target_unit
        ]
        low = high = ""
        if numbers:
            per, unit = scale

            def shown(value: Decimal, per=per, unit=unit) -> str:
                return f"{format_decimal(value / per)}{unit}"

            low, high = shown(min(numbers)), shown(max(numbers))
        out[indicator.pk] = Peers(
            key=key,
            count=len(found),
            typical=typical[0][0] if typical else "",
            low=low,
            high=high,
            compared=len(numbers),
            entry_id=entry.pk if entry else None,
            entry_name=entry.name if entry else "",
        )
    return out
