"""The figures of the overview: progress by status, results, and the inflation signals, for one year of a
set of projects already scoped to the user (``projects.scoping``) and narrowed to a department or a unit.

Every figure comes from a constant number of queries (counts by status and by child in the database;
the evaluations with results read once, with their signals, see ``signals.evaluation_signals``), so the
page and the ``overview`` command cost the same for a department of 50 projects and a province of
100,000 (measured in bench/overview.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from statistics import median

from django.db.models import Count

from ..choices import Grade, Status
from .signals import (
    FOLLOW_UPS,
    RESULT_STATUSES,
    SIGNALS,
    EvaluationSignals,
    FollowUp,
    evaluation_signals,
    reported_minus_computed,
)

#: the statuses in the order of the year, with the words the overview uses
STATUS_ORDER = list(Status)
APPROVED_STATUSES = (Status.APPROVED, Status.PUBLISHED)
GRADES = [g.value for g in Grade]
#: how many evaluations the scatter plots at most (the riskiest first), and the ranking lists
SCATTER_LIMIT = 2000
TOP_LIMIT = 20
#: the riskiest evaluations kept per signal (the page's list when a signal is chosen)
TOP_LIMIT_SIGNAL = 50

#: total score bands of the score distribution: (label, lower bound inclusive, upper bound exclusive)
SCORE_BANDS = [
    ("60 分以下", Decimal(0), Decimal(60)),
    ("60–80 分", Decimal(60), Decimal(80)),
    ("80–90 分", Decimal(80), Decimal(90)),
    ("90–100 分", Decimal(90), Decimal(100)),
    ("满分 100", Decimal(100), Decimal(1000)),
]
#: budget execution rate bands (rates are fractions: 0.8 is 80 %)
EXECUTION_BANDS = [
    ("50% 以下", Decimal(0), Decimal("0.5")),
    ("50%–60%", Decimal("0.5"), Decimal("0.6")),
    ("60%–70%", Decimal("0.6"), Decimal("0.7")),
    ("70%–80%", Decimal("0.7"), Decimal("0.8")),
    ("80%–90%", Decimal("0.8"), Decimal("0.9")),
    ("90%–100%", Decimal("0.9"), Decimal(1)),
    ("100% 及以上", Decimal(1), Decimal(10**9)),
]
TWO = Decimal("0.01")


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO, rounding=ROUND_HALF_UP)


def _mean(values: list[Decimal]) -> Decimal | None:
    return _round(sum(values, Decimal(0)) / len(values)) if values else None


@dataclass
class ChildRow:
    """One department, unit or project of the drill-down table."""

    key: int
    name: str
    projects: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    scores: list[Decimal] = field(default_factory=list)
    flagged: int = 0
    risk_max: Decimal = Decimal(0)
    gap: Decimal = Decimal(0)
    #: follow-up signal code → items of this row showing it (e.g. overdue 整改事项)
    follow_ups: dict[str, int] = field(default_factory=dict)

    @property
    def submitted(self) -> int:
        return sum(self.by_status.get(s, 0) for s in RESULT_STATUSES)

    @property
    def approved(self) -> int:
        return sum(self.by_status.get(s, 0) for s in APPROVED_STATUSES)

    @property
    def returned(self) -> int:
        return self.by_status.get(Status.RETURNED, 0)

    @cached_property
    def mean_score(self) -> Decimal | None:
        return _mean(self.scores)

    def as_json(self) -> dict:
        return {
            "id": self.key,
            "name": self.name,
            "projects": self.projects,
            "submitted": self.submitted,
            "approved": self.approved,
            "mean_score": _text(self.mean_score),
            "flagged": self.flagged,
            "reported_minus_computed": _text(_round(self.gap)),
            "follow_ups": dict(self.follow_ups),
        }


@dataclass
class FollowUpRow:
    """One follow-up signal over the scope: how many items and projects show it, and where most."""

    signal: FollowUp
    items: int = 0
    projects: int = 0
    departments: list[tuple[str, int]] = field(default_factory=list)
    units: list[tuple[str, int]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"items": self.items, "projects": self.projects}


@dataclass
class Overview:
    year: int | None
    level: str  # "region" (rows are departments), "department" (units) or "unit" (projects)
    projects: int
    by_status: dict[str, int]
    results: list[EvaluationSignals]
    children: list[ChildRow]
    departments: list[ChildRow]
    follow_ups: list[FollowUpRow] = field(default_factory=list)
    _result_count: int | None = None

    # --- results -------------------------------------------------------------------------------------
    @cached_property
    def scores(self) -> list[Decimal]:
        return [r.total for r in self.results if r.total is not None]

    @cached_property
    def by_grade(self) -> dict[str, int]:
        counts = Counter(r.grade for r in self.results if r.grade)
        return {g: counts.get(g, 0) for g in GRADES}

    @cached_property
    def mean_score(self) -> Decimal | None:
        return _mean(self.scores)

    @cached_property
    def median_score(self) -> Decimal | None:
        scores = self.scores
        return _round(Decimal(median(scores))) if scores else None

    @cached_property
    def full_marks_share(self) -> Decimal | None:
        scores = self.scores
        if not scores:
            return None
        return (Decimal(sum(1 for s in scores if s >= 100)) / len(scores)).quantize(Decimal("0.0001"))

    @property
    def submitted(self) -> int:
        return sum(self.by_status.get(s, 0) for s in RESULT_STATUSES)

    @property
    def completeness(self) -> Decimal | None:
        """Share of the projects whose self-evaluation has been submitted (and not returned)."""
        if not self.projects:
            return None
        return (Decimal(self.submitted) / self.projects).quantize(Decimal("0.0001"))

    @cached_property
    def score_bands(self) -> list[tuple[str, int]]:
        return _bands(self.scores, SCORE_BANDS)

    @cached_property
    def execution_bands(self) -> list[tuple[str, int]]:
        return _bands(
            [r.execution_rate for r in self.results if r.execution_rate is not None], EXECUTION_BANDS
        )

    @cached_property
    def scatter(self) -> list[dict]:
        """Execution rate (%) against total score, the riskiest first, at most SCATTER_LIMIT points."""
        points = [r for r in self.results if r.total is not None and r.execution_rate is not None]
        points.sort(key=lambda r: -r.risk)
        return [
            {
                "rate": float((r.execution_rate * 100).quantize(TWO)),
                "score": float(r.total),
                "name": r.project_name,
                "id": r.project_id,
                "risk": float(r.risk),
            }
            for r in points[:SCATTER_LIMIT]
        ]

    # --- where to look -------------------------------------------------------------------------------
    @cached_property
    def flagged(self) -> list[EvaluationSignals]:
        """The evaluations showing at least one signal, the highest risk first."""
        return sorted((r for r in self.results if r.counts), key=lambda r: (-r.risk, r.project_name))

    @cached_property
    def flagged_count(self) -> int:
        return len(self.flagged)

    @cached_property
    def signal_rows(self) -> list[dict]:
        """Each signal: how many evaluations show it, the departments and units with the most, and the
        riskiest evaluations showing it (at most TOP_LIMIT_SIGNAL)."""
        showing: dict[str, list[EvaluationSignals]] = {s.code: [] for s in SIGNALS}
        for result in self.flagged:  # highest risk first
            for code in result.counts:
                showing[code].append(result)
        rows = []
        for signal in SIGNALS:
            evaluations = showing[signal.code]
            rows.append(
                {
                    "signal": signal,
                    "evaluations": len(evaluations),
                    "departments": Counter(r.department_name for r in evaluations).most_common(3),
                    "units": Counter(r.unit_name for r in evaluations).most_common(3),
                    "top": evaluations[:TOP_LIMIT_SIGNAL],
                }
            )
        return rows

    @property
    def result_count(self) -> int:
        return self._result_count if self._result_count is not None else len(self.results)

    def freeze(self) -> Overview:
        """Compute every figure, then drop the per-evaluation rows (all but the riskiest): what is left
        is small enough to keep in the cache (see ``snapshots``)."""
        for name in (
            "scores by_grade mean_score median_score full_marks_share score_bands execution_bands scatter "
            "flagged signal_rows reported_minus_computed"
        ).split():
            getattr(self, name)
        for row in self.children + self.departments:
            row.mean_score  # noqa: B018 (cached)
            row.scores = []
        self._result_count = len(self.results)
        self.__dict__["flagged_count"] = len(self.flagged)
        self.__dict__["flagged"] = self.flagged[:TOP_LIMIT_SIGNAL]
        self.__dict__["scores"] = []
        self.results = []
        return self

    @cached_property
    def reported_minus_computed(self) -> Decimal:
        return _round(reported_minus_computed(self.results))

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "projects": self.projects,
            "by_status": {str(s): self.by_status.get(s, 0) for s in STATUS_ORDER},
            "by_grade": self.by_grade,
            "mean_score": _text(self.mean_score),
            "median_score": _text(self.median_score),
            "full_marks_share": _text(self.full_marks_share),
            "completeness": _text(self.completeness),
            "reported_minus_computed": _text(self.reported_minus_computed),
            "signals": {row["signal"].code: row["evaluations"] for row in self.signal_rows},
            "follow_ups": {row.signal.code: row.as_json() for row in self.follow_ups},
            "departments": [row.as_json() for row in self.departments],
            "flagged": [
                {
                    "project_id": r.project_id,
                    "project": r.project_name,
                    "unit": r.unit_name,
                    "risk": _text(r.risk),
                    "reasons": r.reasons,
                }
                for r in self.flagged[:TOP_LIMIT]
            ],
        }


def _text(value) -> str | None:
    return None if value is None else str(value)


def _bands(values: list[Decimal], bands) -> list[tuple[str, int]]:
    counts = [0] * len(bands)
    for value in values:
        for index, (_label, low, high) in enumerate(bands):
            if low <= value < high:
                counts[index] += 1
                break
    return [(label, counts[i]) for i, (label, _low, _high) in enumerate(bands)]


#: per level: the project column its rows group by, and the name column
_CHILD_KEYS = {
    "region": ("department_id", "department__name"),
    "department": ("unit_id", "unit__name"),
    "unit": ("pk", "name"),
}


def _rows(projects, key: str, name: str) -> dict[int, ChildRow]:
    """Projects per child and status: one query."""
    rows: dict[int, ChildRow] = {}
    for item in projects.order_by().values(key, name, "evaluation__status").annotate(n=Count("pk")):
        row = rows.setdefault(item[key], ChildRow(item[key], item[name]))
        row.projects += item["n"]
        status = item["evaluation__status"]
        row.by_status[status] = row.by_status.get(status, 0) + item["n"]
    return rows


def _fill(rows: dict[int, ChildRow], results: list[EvaluationSignals], attr: str) -> list[ChildRow]:
    for result in results:
        row = rows.get(getattr(result, attr))
        if row is None:
            continue
        if result.total is not None:
            row.scores.append(result.total)
        risk = result.risk
        if risk > 0:
            row.flagged += 1
            row.risk_max = max(row.risk_max, risk)
        if result.reported_total is not None and result.total is not None:
            row.gap += result.reported_total - result.total
    return sorted(rows.values(), key=lambda r: r.name)


def _follow_ups(
    projects, level: str, children: list[ChildRow], departments: list[ChildRow]
) -> list[FollowUpRow]:
    """Each registered follow-up signal over the scope: one query each (``FollowUp.rows``), added up
    here per child row, per department and in all; departments and units named from the rows already
    read."""
    position = {"region": 2, "department": 1, "unit": 0}[level]
    child_by_key = {row.key: row for row in children}
    department_by_key = {row.key: row for row in departments}
    unit_names: dict[int, str] = {}
    if level == "department":
        unit_names = {row.key: row.name for row in children}
    out = []
    for signal in FOLLOW_UPS:
        row = FollowUpRow(signal)
        per_department: Counter[str] = Counter()
        per_unit: Counter[str] = Counter()
        for shown in signal.rows(projects):
            count = shown[3]
            row.items += count
            row.projects += 1
            child = child_by_key.get(shown[position])
            if child is not None:
                child.follow_ups[signal.code] = child.follow_ups.get(signal.code, 0) + count
            department = department_by_key.get(shown[2])
            if department is not None:
                if department is not child:
                    department.follow_ups[signal.code] = department.follow_ups.get(signal.code, 0) + count
                per_department[department.name] += count
            if shown[1] in unit_names:
                per_unit[unit_names[shown[1]]] += count
        row.departments = per_department.most_common(3)
        row.units = per_unit.most_common(3)
        out.append(row)
    return out


def overview(projects, year: int | None, level: str) -> Overview:
    """The overview of ``projects`` (scoped, of one year): ``level`` says what the drill-down rows are."""
    by_status: dict[str, int] = defaultdict(int)
    for item in projects.order_by().values("evaluation__status").annotate(n=Count("pk")):
        by_status[item["evaluation__status"]] += item["n"]
    results = evaluation_signals(projects)
    attr = {"region": "department_id", "department": "unit_id", "unit": "project_id"}[level]
    children = _fill(_rows(projects, *_CHILD_KEYS[level]), results, attr)
    departments = (
        children
        if level == "region"
        else _fill(_rows(projects, *_CHILD_KEYS["region"]), results, "department_id")
    )
    return Overview(
        year=year,
        level=level,
        projects=sum(by_status.values()),
        by_status={s: by_status.get(s, 0) for s in STATUS_ORDER},
        results=results,
        children=children,
        departments=departments,
        follow_ups=_follow_ups(projects, level, children, departments),
    )
