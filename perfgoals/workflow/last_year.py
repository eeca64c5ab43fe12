"""Last year's target and actual of each indicator of a project-year, for the check "a target below last
year's actual" (:mod:`.target_checks`). Two queries at most, whatever the number of indicators.

* The rollover's link first (``intake.CarriedIndicator``, read through the reverse relation
  ``carried_from`` so that the workflow imports nothing of the intake): last year's indicator as it is
  now when it still exists and has an actual (it may have been corrected since the rollover), else the
  values the rollover copied.
* Else last year's project of the same unit with the same name, and in it the indicator of the same
  name (compared without whitespace and width variants). A name found twice last year is ambiguous and
  matches nothing.
"""

from __future__ import annotations

from projects.models import Project

from ..engine.units import normalise_text
from ..models import Indicator
from .target_checks import LastYear

_LINKED = (
    "pk",
    "carried_from__previous_year",
    "carried_from__previous_target_text",
    "carried_from__previous_actual_text",
    "carried_from__previous__target_text",
    "carried_from__previous__actual_text",
    "carried_from__previous__nature_printed",
    "carried_from__previous__unit_printed",
)


def _key(name: str) -> str:
    return normalise_text(name or "")


def last_year_values(project: Project, indicators: list[Indicator]) -> dict[int, LastYear]:
    """Indicator pk → :class:`LastYear` for the indicators of ``project`` that have last year's values."""
    ids = [i.pk for i in indicators if i.pk is not None]
    if not ids:
        return {}
    out: dict[int, LastYear] = {}
    for row in Indicator.objects.filter(pk__in=ids, carried_from__isnull=False).values(*_LINKED):
        live_actual = (row["carried_from__previous__actual_text"] or "").strip()
        if live_actual:
            target, actual = row["carried_from__previous__target_text"] or "", live_actual
            nature = row["carried_from__previous__nature_printed"] or ""
            unit = row["carried_from__previous__unit_printed"] or ""
        else:
            target = row["carried_from__previous_target_text"] or ""
            actual = row["carried_from__previous_actual_text"] or ""
            nature = unit = ""
        if actual.strip():
            out[row["pk"]] = LastYear(row["carried_from__previous_year"], target, actual, nature, unit)
    missing = [i for i in indicators if i.pk is not None and i.pk not in out]
    if project.year is None:
        return out
    # run whether or not every indicator was linked: a page's number of queries does not depend on it
    previous = Indicator.objects.filter(
        project__unit_id=project.unit_id, project__year=project.year - 1, project__name=project.name
    ).values_list("name", "target_text", "actual_text", "nature_printed", "unit_printed")
    by_name: dict[str, tuple | None] = {}
    for row in previous:
        key = _key(row[0])
        by_name[key] = None if key in by_name else row  # a name found twice matches nothing
    for indicator in missing:
        row = by_name.get(_key(indicator.name))
        if row is not None and (row[2] or "").strip():
            out[indicator.pk] = LastYear(project.year - 1, row[1], row[2], row[3], row[4], via="name")
    return out
