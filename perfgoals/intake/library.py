"""The indicator library: every indicator name used by submitted projects, with its most common
levels, direction, unit and target, suggested while a user types an indicator. Administrators curate
entries (``admin``); the rest is kept from the data:

- :func:`update_library` recomputes only the entries a few projects' indicator names touch (the task
  ``intake.update_library`` after a goals import or a submission of targets). It finds every indicator
  of the same entry through :class:`~perfgoals.intake.models.LibraryName` (each raw name seen, with its
  key) and the index on ``Indicator.name``, so its cost follows the entries touched, not the region.
- :func:`build_library` rebuilds everything (``manage.py build_indicator_library``, the admin action,
  and nightly from Celery beat, which also drops names no indicator uses any more).

Both take one database lock (PostgreSQL advisory lock, inside their transaction), so two never run at
once and never race on the library's unique keys; the second waits and then sees the first's rows.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from perfgoals import bulk, collector
from perfgoals.choices import Status
from perfgoals.engine import Value, parse, vocabulary
from perfgoals.models import STANDARD_101_FIELDS, Indicator
from projects.scoping import regions_of

from .models import LibraryIndicator, LibraryName

_NUMBERING = re.compile(
    r"^(?:[(（]?\s*[0-9]{1,3}\s*(?:[)）、:：]|[.．](?![0-9]))|[一二三四五六七八九十]{1,3}\s*[、.．]|[①-⑳])\s*"
)
_TRAILING = re.compile(r"[\s,.;:，。；：、]+$")
#: what a key drops inside a name (after NFKC): whitespace, the particle 的, brackets and the
#: punctuation that separates words — never a digit, a unit, a decimal point, %, ≥/≤, - or /
_DROPPED = re.compile(r"[\s的()\[\]{}【】〔〕〖〗「」『』《》〈〉、,。;:“”‘’\"'·・]+")
_DIGIT_GAP = "·"  # what stays of a dropped run between two digits ("1、2" is not "12")


def _key_pass(text: str) -> str:
    # NFKC again on every pass: dropping a space can join a letter to a combining mark ("U ̈" → "Ü")
    text = _NUMBERING.sub("", unicodedata.normalize("NFKC", text).strip())

    def drop(match: re.Match[str]) -> str:
        before, after = (
            match.string[match.start() - 1 : match.start()],
            match.string[match.end() : match.end() + 1],
        )
        return _DIGIT_GAP if before.isdigit() and after.isdigit() else ""

    text = _DROPPED.sub(drop, text)
    return _TRAILING.sub("", text)


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The library key of an indicator name, so that spellings of one indicator meet in one entry:
    full-width forms folded (NFKC), numbering ("1、", "（2）") and trailing punctuation removed, and
    whitespace, the particle 的, brackets and separating punctuation (（）()、，；：“”《》【】) dropped
    — "参保人员的满意度" and "参保人员满意度" share a key. Conservative: digits, units, decimal points
    and operators are kept, and a dropped run between two digits leaves a mark, so names that differ in
    a digit or a unit never meet. Idempotent (a key is its own key)."""
    text = name or ""
    while True:
        shorter = _key_pass(text)
        if shorter == text:
            return text
        text = shorter


@functools.lru_cache(maxsize=65536)
def display_name(name: str) -> str:
    """An indicator name as the library shows it: full-width forms folded, numbering and trailing
    punctuation removed (remembered: a province repeats its names thousands of times)."""
    text = _NUMBERING.sub("", unicodedata.normalize("NFKC", name or "").strip())
    return _TRAILING.sub("", text).strip() or name


#: statuses whose indicators feed the library (a draft stays private to its unit)
LIBRARY_STATUSES = [status for status in Status.values if status != Status.DRAFT]


def _printed_target(target: str, nature: str, unit: str) -> str:
    """A target as one text: the Qinghai split ("≥" | "90" | "%") reads "≥90%"."""
    text = target or ""
    if nature and nature not in ("定性", "定量") and not text.startswith(nature):
        text = nature + text
    if unit and unit not in text:
        text += unit
    return text


_UNIT_AFTER = re.compile(r"^(?P<target>.*?[0-9].*?)\s*[（(](?P<unit>[^（）()]{1,12})[）)]\s*$")


def typical_target(target: str, nature: str = "", unit: str = "", value: Value | None = None) -> str:
    """A target as the library suggests it: a number in the engine's own notation
    (:meth:`~perfgoals.engine.Value.display`: "≧90%" with the unit column "（%）" reads "≥90%", the
    Qinghai split "≥" | "90" | "%" too); a text (定性, a deadline) as printed, made whole. ``value``:
    the target as the engine already read it with this nature and unit."""
    if value is None:
        value = parse(target, nature=nature or None, unit=unit or None)
    bracketed = _UNIT_AFTER.match(target or "") if not unit else None
    if bracketed and not (value.is_quantitative and value.printed_unit):
        # a text stored before (or written by hand) as target + "（unit column）": "≧90%（%）"
        split = parse(bracketed["target"], nature=nature or None, unit=bracketed["unit"])
        if split.is_quantitative:
            return split.display()
    if value.is_quantitative:
        return value.display()
    return _printed_target(target, nature, unit)


def _mode(values: list[Any]) -> Any:
    """The most common value (the first seen among equals), blanks aside; "" when there is none."""
    if len(values) == 1:  # most names are used by one indicator
        value = values[0]
        return "" if value is None or value == "" else value
    given = [v for v in values if v not in (None, "")]
    if len(given) < 3:  # of two, the first: both as common, or the same
        return given[0] if given else ""
    return Counter(given).most_common(1)[0][0]


@dataclass
class LibraryReport:
    created: int = 0
    updated: int = 0
    removed: int = 0
    total: int = 0


def shared() -> bool:
    """One library for every region (``settings.INTAKE_LIBRARY_SHARED``), else one per region: by
    default a region's indicator names and typical targets are suggested to its own users only."""
    return bool(getattr(settings, "INTAKE_LIBRARY_SHARED", False))


#: the PostgreSQL advisory lock every change of the library takes (an arbitrary constant of this app)
LIBRARY_LOCK = 7_310_452


def _lock_library() -> None:
    """Serialise library writers inside the current transaction (on SQLite, writers already are)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LIBRARY_LOCK])


#: the columns of an indicator the library reads, in the order of its rows (tuples, as
#: ``values_list`` gives them, rather than a dict built for each of thousands of rows)
_ROW_COLUMNS = (
    "project__region_id",
    "name",
    "level1",
    "level2",
    "direction",
    "target_kind",
    "target_text",
    "nature_printed",
    "unit_printed",
    *STANDARD_101_FIELDS,
)
_REGION, _NAME, _LEVEL1, _LEVEL2, _DIRECTION, _KIND, _TARGET, _NATURE, _UNIT = range(9)
_STANDARD_101 = range(9, len(_ROW_COLUMNS))


def _library_rows():
    return (
        Indicator.objects.filter(project__evaluation__status__in=LIBRARY_STATUSES)
        .order_by("-project__year", "pk")
        .values_list(*_ROW_COLUMNS)
    )


def _group(rows, wanted: set[tuple[int | None, str]] | None = None):
    groups: dict[tuple[int | None, str], list[tuple]] = defaultdict(list)
    one_library = shared()
    for row in rows:
        key = name_key(row[_NAME])
        if not key:
            continue
        place = (None if one_library else row[_REGION], key)
        if wanted is None or place in wanted:
            groups[place].append(row)
    return groups


#: what an entry takes from the data (a curated entry only its usage count)
_ENTRY_FIELDS = [
    "name",
    "level1",
    "level2",
    "direction",
    "qualitative",
    "unit",
    "typical_target",
    *STANDARD_101_FIELDS,
    "usage_count",
]


#: the columns of a new entry's row: where, its key, and `_entry_values` in its order (when: the
#: ``auto_now`` column's default, the time of the insert)
_CREATED_COLUMNS = ["region_id", "name_key", *_ENTRY_FIELDS]


@functools.lru_cache(maxsize=65536)
def _target_reading(target: str, nature: str, unit: str) -> tuple[str, str]:
    """A target's unit and its text as the library suggests it (:func:`typical_target`), remembered:
    a province's targets repeat ("≥95%", "100%", "及时") far more than its names do."""
    value = parse(target, nature=nature or None, unit=unit or None)
    return value.printed_unit or value.unit or "", typical_target(target, nature, unit, value)


#: what an entry takes the most common of, among the indicators at its levels, besides the target
_COMMON_FIELDS = operator.itemgetter(_NAME, _DIRECTION, *_STANDARD_101)


def _column_modes(rows: list[tuple]) -> list[Any]:
    """The most common value of each column (:func:`_mode`: blanks aside, "" when there is none)."""
    if len(rows) == 1:  # most names are used by one indicator
        return ["" if value is None else value for value in rows[0]]
    return [_mode(column) for column in zip(*rows, strict=True)]


def _entry_values(items: list[tuple]) -> dict[str, Any]:
    """An entry's texts from the indicators that use its name (rows of ``_ROW_COLUMNS``): the most
    common of each."""
    if len(items) == 1:
        same_level = items
        level1, level2 = items[0][_LEVEL1], items[0][_LEVEL2]
    else:
        level1, level2 = _mode([(r[_LEVEL1], r[_LEVEL2]) for r in items])
        same_level = [r for r in items if r[_LEVEL1] == level1 and r[_LEVEL2] == level2]
    kinds = [r[_KIND] for r in same_level]
    is_qualitative = kinds.count("qualitative") > kinds.count("quantitative")
    unit, target, name, direction, *texts = _column_modes(
        [(*_target_reading(r[_TARGET], r[_NATURE], r[_UNIT]), *_COMMON_FIELDS(r)) for r in same_level]
    )
    return {
        "name": display_name(name)[:300],
        "level1": level1,
        "level2": level2,
        "direction": "" if is_qualitative else direction,
        "qualitative": is_qualitative,
        "unit": (unit or "")[:30],
        "typical_target": (target or "")[:200],
        # 财预〔2021〕101号: the text most used with the name (blank when nobody filled it)
        **{field: text or "" for field, text in zip(STANDARD_101_FIELDS, texts, strict=True)},
        "usage_count": len(items),
    }


def _write(groups, existing: dict[tuple[int | None, str], LibraryIndicator], report: LibraryReport) -> None:
    """Create or update the entries of ``groups`` (in bulk); entries of ``existing`` left over lost
    every use: removed, or (curated) kept with a usage count of 0."""
    now = timezone.now()
    created: list[tuple] = []  # rows of _CREATED_COLUMNS
    changed: list[LibraryIndicator] = []
    for (region_id, key), items in groups.items():
        values = _entry_values(items)
        entry = existing.pop((region_id, key), None)
        if entry is None:
            created.append((region_id, key, *(values[name] for name in _ENTRY_FIELDS)))
            continue
        if entry.curated:
            values = {"usage_count": values["usage_count"]}
        if any(getattr(entry, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(entry, k, v)
            entry.updated_at = now
            changed.append(entry)
    gone = [entry for entry in existing.values() if not entry.curated]
    for entry in existing.values():
        if entry.curated and entry.usage_count:
            entry.usage_count = 0
            entry.updated_at = now
            changed.append(entry)
    bulk.insert_rows(LibraryIndicator, _CREATED_COLUMNS, created)
    LibraryIndicator.objects.bulk_update(changed, [*_ENTRY_FIELDS, "updated_at"], batch_size=1000)
    LibraryIndicator.objects.filter(pk__in=[entry.pk for entry in gone]).delete()
    report.created += len(created)
    report.updated += sum(1 for entry in changed if entry.usage_count or not entry.curated)
    report.removed += len(gone)


def _remember_names(names: Iterable[str], *, known: bool = True) -> None:
    """Record raw indicator names with their keys, so an update finds every spelling of an entry.

    Names already recorded are left as they are (``known`` False: the table was just emptied). Only
    the library's writers write this table, one at a time (``_lock_library``), so none appears
    between the look-up and the insert."""
    new = {name for name in names if name}
    if known and new:  # the names as one parameter (``any_of``), however many
        new.difference_update(LibraryName.objects.filter(name__any_of=new).values_list("name", flat=True))
    rows = ((name, name_key(name)) for name in new)
    bulk.insert_rows(LibraryName, ["name", "name_key"], [row for row in rows if row[1]])


@collector.pausing
def build_library() -> LibraryReport:
    """(Re)build the library from every indicator of projects whose targets are at least submitted.

    Non-curated entries are rewritten from the data (most common levels, direction, unit and target);
    curated entries only get their usage count; entries no longer used and not curated are removed.
    The table of names is rebuilt too.
    """
    report = LibraryReport()
    with transaction.atomic():
        _lock_library()
        rows = list(_library_rows())
        LibraryName.objects.all().delete()
        # no ordering: Indicator's (by project, i.e. by department and project name) would join and
        # sort every indicator, and make the distinct one of (name, order columns)
        names = Indicator.objects.order_by().values_list("name", flat=True).distinct()
        _remember_names(names.iterator(), known=False)
        existing = {(entry.region_id, entry.name_key): entry for entry in LibraryIndicator.objects.all()}
        _write(_group(rows), existing, report)
    report.total = LibraryIndicator.objects.count()
    return report


@collector.pausing
def update_library(project_ids: Iterable[int]) -> LibraryReport:
    """Recompute only the entries the indicator names of these projects touch.

    Every indicator of the same entry (same region unless the library is shared, same name key) is
    counted, whichever project it belongs to; a name these projects no longer use is corrected by the
    next full rebuild (nightly).
    """
    report = LibraryReport()
    ids = list(project_ids)
    with transaction.atomic():
        _lock_library()
        touched = list(
            Indicator.objects.filter(project_id__in=ids).order_by().values_list("project__region_id", "name")
        )
        if not touched:
            report.total = LibraryIndicator.objects.count()
            return report
        _remember_names(name for _, name in touched)
        one_library = shared()
        wanted = {(None if one_library else region, name_key(name)) for region, name in touched}
        wanted = {place for place in wanted if place[1]}
        keys = {key for _, key in wanted}
        spellings = list(LibraryName.objects.filter(name_key__any_of=keys).values_list("name", flat=True))
        rows = _library_rows().filter(name__any_of=spellings)
        if not one_library:
            rows = rows.filter(project__region_id__in={region for region, _ in wanted})
        existing = {
            (entry.region_id, entry.name_key): entry
            for entry in LibraryIndicator.objects.filter(name_key__any_of=keys)
            if (entry.region_id, entry.name_key) in wanted
        }
        _write(_group(rows, wanted), existing, report)
    report.total = LibraryIndicator.objects.count()
    return report


def library_for(user):
    """The library entries a user may be shown: the shared library (``INTAKE_LIBRARY_SHARED``), else
    those of the user's regions (every region for administrators)."""
    entries = LibraryIndicator.objects.all()
    if shared():
        return entries.filter(region__isnull=True)
    regions = regions_of(user)
    return entries if regions is None else entries.filter(region_id__in=regions)


def suggest(
    query: str,
    *,
    user,
    level1: str | None = None,
    level2: str | None = None,
    limit: int = 10,
) -> list[LibraryIndicator]:
    """Library entries the user may see (:func:`library_for`) matching what the user is typing (name
    contains the text), curated and common first; narrowed to a level when one is given."""
    key = name_key(query)
    if not key:
        return []
    entries = (
        library_for(user)
        .filter(hidden=False)
        .filter(Q(name_key__contains=key) | Q(name__icontains=query.strip()))
    )
    if level1:
        entries = entries.filter(level1=level1)
    if level2:
        entries = entries.filter(level2=level2)
    found = list(entries.order_by("-curated", "-usage_count", "name")[: limit * 3])
    # names that start with the text come first
    found.sort(key=lambda e: (not e.name_key.startswith(key), not e.curated, -e.usage_count, len(e.name)))
    for entry in found:
        # a curated entry keeps its text as written; it is shown (and filled in) in the engine's notation
        entry.target_shown = typical_target(entry.typical_target)
    return found[:limit]


def linked_key(user, key: str | None) -> str:
    """The library key a chosen suggestion sent, kept only when it names an entry the user may be shown
    (:func:`library_for`); anything else (a forged or stale key) links nothing."""
    key = name_key(key or "")[:300]
    if not key:
        return ""
    return key if library_for(user).filter(name_key=key).exists() else ""


def suggestion_dict(entry: LibraryIndicator) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "name": entry.name,
        "level1": entry.level1,
        "level1_name": vocabulary.level1_name(entry.level1),
        "level2": entry.level2,
        "level2_name": vocabulary.level2_name(entry.level2),
        "direction": entry.direction,
        "direction_label": entry.get_direction_display()
        if entry.direction
        else ("定性" if entry.qualitative else ""),
        "qualitative": entry.qualitative,
        "unit": entry.unit,
        "typical_target": typical_target(entry.typical_target),
        "key": entry.name_key,
        "explanation": entry.explanation,
        "scoring_standard": entry.scoring_standard,
        "data_source": entry.data_source,
        "basis": entry.basis,
        "basis_label": entry.get_basis_display() if entry.basis else "",
        "usage_count": entry.usage_count,
        "curated": entry.curated,
    }
