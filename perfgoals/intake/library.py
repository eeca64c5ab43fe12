"""The indicator library: every indicator name used by submitted projects, with its most common
levels, direction, unit and target, suggested while a user types an indicator. Administrators curate
entries (``admin``); :func:`build_library` rebuilds the rest from the data, by the task
``intake.rebuild_library`` after a goals import or by ``manage.py build_indicator_library``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from perfgoals.choices import Status
from perfgoals.engine import parse, vocabulary
from perfgoals.models import Indicator
from projects.scoping import regions_of

from .models import LibraryIndicator

_NUMBERING = re.compile(
    r"^(?:[(（]?\s*[0-9]{1,3}\s*[)）.、．:：]|[一二三四五六七八九十]{1,3}\s*[、.．]|[①-⑳])\s*"
)
_TRAILING = re.compile(r"[\s,.;:，。；：、]+$")


def name_key(name: str) -> str:
    """The library key of an indicator name: numbering ("1、", "（2）"), whitespace and trailing
    punctuation removed, full-width folded."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _NUMBERING.sub("", text.strip())
    text = "".join(text.split())
    return _TRAILING.sub("", text)


def display_name(name: str) -> str:
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


def _mode(values: Iterable[Any]) -> Any:
    counted = Counter(v for v in values if v not in (None, ""))
    return counted.most_common(1)[0][0] if counted else ""


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


def build_library() -> LibraryReport:
    """(Re)build the library from every indicator of projects whose targets are at least submitted.

    Non-curated entries are rewritten from the data (most common levels, direction, unit and target);
    curated entries only get their usage count; entries no longer used and not curated are removed.
    """
    groups: dict[tuple[int | None, str], list[dict[str, Any]]] = defaultdict(list)
    one_library = shared()
    rows = (
        Indicator.objects.filter(project__evaluation__status__in=LIBRARY_STATUSES)
        .order_by("-project__year", "pk")
        .values(
            "project__region_id",
            "name",
            "level1",
            "level2",
            "direction",
            "target_kind",
            "target_text",
            "nature_printed",
            "unit_printed",
        )
    )
    for row in rows:
        key = name_key(row["name"])
        if key:
            groups[(None if one_library else row["project__region_id"], key)].append(row)
    report = LibraryReport()
    existing = {(entry.region_id, entry.name_key): entry for entry in LibraryIndicator.objects.all()}
    with transaction.atomic():
        for (region_id, key), items in groups.items():
            level1, level2 = _mode((r["level1"], r["level2"]) for r in items)
            same_level = [r for r in items if r["level1"] == level1 and r["level2"] == level2]
            direction = _mode(r["direction"] for r in same_level)
            kinds = Counter(r["target_kind"] for r in same_level)
            qualitative = kinds.get("qualitative", 0) > kinds.get("quantitative", 0)
            units = []
            targets = []
            for r in same_level:
                value = parse(
                    r["target_text"], nature=r["nature_printed"] or None, unit=r["unit_printed"] or None
                )
                units.append(value.printed_unit or value.unit or "")
                targets.append(_printed_target(r["target_text"], r["nature_printed"], r["unit_printed"]))
            values = {
                "name": display_name(_mode(r["name"] for r in same_level))[:300],
                "level1": level1,
                "level2": level2,
                "direction": direction if not qualitative else "",
                "qualitative": qualitative,
                "unit": (_mode(units) or "")[:30],
                "typical_target": (_mode(targets) or "")[:200],
                "usage_count": len(items),
            }
            entry = existing.pop((region_id, key), None)
            if entry is None:
                LibraryIndicator.objects.create(region_id=region_id, name_key=key, **values)
                report.created += 1
                continue
            if entry.curated:
                changed = {"usage_count": values["usage_count"]}
            else:
                changed = {k: v for k, v in values.items() if getattr(entry, k) != v}
            if any(getattr(entry, k) != v for k, v in changed.items()):
                for k, v in changed.items():
                    setattr(entry, k, v)
                entry.save(update_fields=[*changed, "updated_at"])
                report.updated += 1
        for entry in existing.values():
            if entry.curated:
                if entry.usage_count:
                    entry.usage_count = 0
                    entry.save(update_fields=["usage_count", "updated_at"])
            else:
                entry.delete()
                report.removed += 1
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
    return found[:limit]


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
        "typical_target": entry.typical_target,
        "usage_count": entry.usage_count,
        "curated": entry.curated,
    }
