"""The 变更记录 of a project-year: every recorded change of its values, statuses and scores — who,
when, old → new — from the history rows the view has loaded (``views.loading.history_records``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from projects.choices import BudgetSource
from projects.models import BudgetLine, Project

from ..choices import Status
from ..models import Evaluation, Indicator
from ..templatetags.perf_format import plain_number, score_text

_TRACKED = {
    "indicator": [
        "actual_text",
        "band",
        "band_score",
        "weight",
        "deviation_note",
        "score",
        "reported_score",
        "target_text",
        "not_applicable",
    ],
    "evaluation": [
        "status",
        "total_score",
        "grade",
        "execution_score",
        "low_score_explanation",
        "review_comment",
    ],
    "budget": ["initial", "annual", "executed"],
    "project": ["goal_result_text", "goal_text", "name"],
}


_SCORE_FIELDS = {"score", "reported_score", "band_score", "total_score", "execution_score"}

#: what the engine computes: a record's creation does not list it (an empty 自评 scores 0 and 差 — not
#: a change anyone made, #16); later changes of it are listed like any other
_COMPUTED_FIELDS = {"score", "total_score", "grade", "execution_score"}


_STATUS_LABELS = dict(Status.choices)


_SOURCE_LABELS = dict(BudgetSource.choices)


@dataclass
class HistoryEntry:
    when: object
    user: str
    subject: str
    changes: list[tuple[str, str, str]]
    reason: str = ""


def _history_value(name: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if name == "status":
        return _STATUS_LABELS.get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return score_text(value) if name in _SCORE_FIELDS else plain_number(value)
    text = str(value)
    return text if len(text) <= 80 else text[:78] + "…"


class _After:
    """A history record as a bulk rescoring left it: ``changes`` over the record before (the next
    record is compared with this, so the rescoring's change is not shown again as a person's)."""

    def __init__(self, before, **changes):
        self._before = before
        self.__dict__.update(changes)

    def __getattr__(self, name):
        return getattr(self._before, name)


def _score_change_entry(change, label: str, subject) -> HistoryEntry:
    """A bulk rescoring's change of one score (listed in a `ScoreChange` row): by the system, with the
    run's reason."""
    old, new = _history_value("score", change.old_score), _history_value("score", change.new_score)
    return HistoryEntry(change.changed_at, "（系统）", subject(change), [(label, old, new)], change.reason)


def _diff_records(records, kind: str, model, subject, score_changes=()) -> list[HistoryEntry]:
    """The entries of one kind of record: each record compared with the one before it of the same
    object. ``score_changes`` (indicators: the score changes of bulk rescorings, `IndicatorScoreChange`,
    with the indicator's ``name``) are placed between the records by time."""
    fields = _TRACKED[kind]
    labels = {name: str(model._meta.get_field(name).verbose_name) for name in fields}
    by_object = defaultdict(list)
    for record in records:
        by_object[record.id].append((record.history_date, 0, record))
    for change in score_changes:
        by_object[change.indicator_id].append((change.changed_at, 1, change))
    entries = []
    for timeline in by_object.values():
        if any(is_change for _when, is_change, _item in timeline):
            timeline.sort(key=lambda item: (item[0], item[1]))
        previous = None
        for _when, is_change, record in timeline:
            if is_change:
                if record.old_score != record.new_score:
                    entries.append(_score_change_entry(record, labels["score"], subject))
                if previous is not None:
                    previous = _After(previous, score=record.new_score)
                continue
            user = record.history_user
            who = (user.first_name or user.username) if user else "（系统）"
            if previous is None:
                # the first record is the data as loaded; only what a person created in the app is news
                if record.history_type == "+" and user is not None:
                    changes = [
                        (labels[n], "（空）", _history_value(n, getattr(record, n)))
                        for n in fields
                        if getattr(record, n) not in (None, "", False) and n not in _COMPUTED_FIELDS
                    ]
                    entries.append(
                        HistoryEntry(
                            record.history_date,
                            who,
                            subject(record) + "（新增）",
                            changes,
                            record.history_change_reason or "",
                        )
                    )
            else:
                changes = [
                    (
                        labels[n],
                        _history_value(n, getattr(previous, n)),
                        _history_value(n, getattr(record, n)),
                    )
                    for n in fields
                    if getattr(previous, n) != getattr(record, n)
                ]
                if changes:
                    entries.append(
                        HistoryEntry(
                            record.history_date,
                            who,
                            subject(record),
                            changes,
                            record.history_change_reason or "",
                        )
                    )
            previous = record
    return entries


@dataclass(frozen=True)
class HistoryRecords:
    """The history rows of one project-year, each list ordered by object, then by time (as
    ``views.loading.history_records`` loads them, with their ``history_user``)."""

    indicators: list
    evaluations: list
    budget_lines: list
    projects: list
    #: bulk rescorings' score changes (`models.IndicatorScoreChange`, read from `ScoreChange` rows), each
    #: with the indicator's ``name``
    score_changes: list = field(default_factory=list)


#: entries on one page of the 变更记录
HISTORY_PAGE = 30


def history_context(records: HistoryRecords, page: object = 1) -> dict:
    """The 变更记录 block's context: one page (``page``, from the query string ``history_page``; out of
    range or not a number: the nearest page) of the newest-first entries, the total and the pages."""
    entries, total = project_history(records, limit=None)
    pages = max(1, -(-total // HISTORY_PAGE))
    try:
        number = min(max(int(str(page)), 1), pages)
    except ValueError:
        number = 1
    start = (number - 1) * HISTORY_PAGE
    return {
        "history": entries[start : start + HISTORY_PAGE],
        "history_total": total,
        "history_page": number,
        "history_pages": pages,
    }


def project_history(records: HistoryRecords, limit: int | None = 100) -> tuple[list[HistoryEntry], int]:
    """Every recorded change of the project-year (values, statuses, scores): who, when, old → new.

    The newest ``limit`` entries (None: all) and the total count.
    """
    entries = []
    entries += _diff_records(
        records.indicators,
        "indicator",
        Indicator,
        lambda r: f"指标“{r.name or '（已删除）'}”",
        records.score_changes,
    )
    entries += _diff_records(records.evaluations, "evaluation", Evaluation, lambda r: "自评")
    entries += _diff_records(
        records.budget_lines,
        "budget",
        BudgetLine,
        lambda r: f"预算·{_SOURCE_LABELS.get(r.source, r.source)}",
    )
    entries += _diff_records(records.projects, "project", Project, lambda r: "项目")
    entries.sort(key=lambda e: e.when, reverse=True)
    return (entries if limit is None else entries[:limit]), len(entries)
