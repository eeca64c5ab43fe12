"""Where a self-evaluation looks inflated: the signals, each explained in one sentence, and the one risk
score per evaluation that combines them (the 复核 sample of a later stage draws on it).

Every signal is a count on one evaluation (how many indicators show it, or 1 for a signal of the whole
evaluation). The risk score adds ``points`` per count, at most ``cap`` per signal, at most 100 in all:

============================  ======  ====  =====================================================
signal                        points  cap   counted when
============================  ======  ====  =====================================================
reported_above                2 / 分   30    the reported total (at submission, or printed on an
                                            imported form) exceeds the computed total; per point
full_marks_unsupported        8       32    an indicator reported at full marks that its values
                                            do not support (the review page's 满分依据不足)
text_actual_full              5       15    words ("见附件") as the actual of a number target,
                                            judged complete (full marks)
equals_target                 15      15    ≥ 80 % of at least 5 number indicators have an actual
                                            exactly equal to the target
full_total                    5       5     a total of 100 (full marks on every indicator)
high_score_low_execution      20      20    total ≥ 90 with a budget execution rate < 80 %
missed_without_note           3       12    an indicator below full marks without a deviation note
target_below_last_year        5       15    a target easier than last year's actual of the same
                                            indicator ("≥" below it, "≤" above it), found as the
                                            goal-setting check finds it (rollover link, else
                                            unit + project name + indicator name); the same
                                            unit only — the rule of workflow.target_checks
always_excellent              10      10    every evaluation of the unit, over at least two
                                            years up to this one, graded 优
weights_off_header            5       5     the rows' weights disagree with the form's header
execution_score_blank         5       5     an imported form printed a total without an
                                            execution score
============================  ======  ====  =====================================================

Besides these, **follow-up signals** (``FOLLOW_UPS``) say where a project-year's follow-up is late. They
are not about inflation and add nothing to the risk score (the 复核 sample draws on the risk score
alone); the overview shows each as its own line with a count of items and of projects:

============================  =====================================================================
follow-up signal              counted when
============================  =====================================================================
overdue_rectify               a 整改事项 of the project-year still open (待整改, 已反馈 or 退回) after
                              its deadline; registered by ``rectify``'s ``apps.py``, so that this
                              room imports nothing of it (one grouped query for the whole scope)
============================  =====================================================================

Only evaluations with results count (`RESULT_STATUSES`: submitted, awaiting finance, approved, published);
an evaluation returned for correction, or still being entered, is not yet a claim.

The indicator conditions are the database's version of `workflow.flags.indicator_review_flags` (the
review page's flags, in Python, for one project): the two must say the same, and
`tests/oversight/test_signals.py` checks that they do on every indicator of the demo data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Trim

from ..choices import Grade, Status
from ..models import Evaluation, Indicator

#: the evaluations whose results stand as the unit's claim
RESULT_STATUSES = (Status.SUBMITTED, Status.FINANCE_PENDING, Status.APPROVED, Status.PUBLISHED)

#: execution rate under which a total of 90 or more is suspicious, and that total
LOW_EXECUTION_RATE = Decimal("0.80")
HIGH_TOTAL = Decimal(90)
#: "actuals equal to the target far more often than chance": this share, of at least this many rows
EQUALS_SHARE = Decimal("0.80")
EQUALS_MIN_ROWS = 5
#: the evaluation warnings that mean the weights disagree with the header (see workflow.flags)
WEIGHT_WARNINGS = ("weight_total_mismatch", "level1_weight_mismatch", "level1_capped")


@dataclass(frozen=True)
class Signal:
    code: str
    label: str
    sentence: str
    points: Decimal
    cap: Decimal


SIGNALS = [
    Signal(
        "reported_above",
        "自报总分高于计算",
        "单位自报的总分（提交时，或导入的自评表中）高于按填报数值计算的总分，差额即可能的虚高。",
        Decimal(2),
        Decimal(30),
    ),
    Signal(
        "full_marks_unsupported",
        "满分依据不足",
        "指标自报满分，但按填报的实际完成值计算达不到满分。",
        Decimal(8),
        Decimal(32),
    ),
    Signal(
        "text_actual_full",
        "文字实际值得满分",
        "数量目标的实际完成值只写了文字（如“见附件”），却按完成给了满分。",
        Decimal(5),
        Decimal(15),
    ),
    Signal(
        "equals_target",
        "实际值照抄目标",
        f"数量指标的实际值与目标值完全相同的比例达 {int(EQUALS_SHARE * 100)}% 以上"
        f"（至少 {EQUALS_MIN_ROWS} 项），远超正常情况。",
        Decimal(15),
        Decimal(15),
    ),
    Signal(
        "full_total",
        "总分满分",
        "自评总分为满分 100 分：每一项指标都达到或超过目标并不多见，宜抽查佐证材料。",
        Decimal(5),
        Decimal(5),
    ),
    Signal(
        "high_score_low_execution",
        "高分低执行",
        f"总分 {HIGH_TOTAL} 分以上而预算执行率不足 {int(LOW_EXECUTION_RATE * 100)}%"
        "（按一体化平台的做法，执行率 70%–80% 的项目总分最高 89 分）。",
        Decimal(20),
        Decimal(20),
    ),
    Signal(
        "missed_without_note",
        "未达标未说明",
        "指标未得满分，却没有填写偏差原因分析及改进措施。",
        Decimal(3),
        Decimal(12),
    ),
    Signal(
        "target_below_last_year",
        "目标低于上年实际",
        "本年目标值比同一指标上年的实际完成值宽松（正向指标低于、反向指标高于上年实际；仅比较同一计量单位），目标可能定得偏低。",
        Decimal(5),
        Decimal(15),
    ),
    Signal(
        "always_excellent",
        "连年全优",
        "该单位至少两个年度以来的每一项自评都是“优”。",
        Decimal(10),
        Decimal(10),
    ),
    Signal(
        "weights_off_header",
        "分值与表头不符",
        "各三级指标分值之和与自评表表头的一级指标分值不一致。",
        Decimal(5),
        Decimal(5),
    ),
    Signal(
        "execution_score_blank",
        "执行得分空白",
        "导入的自评表印有总分却未填预算执行得分，总分无从核对。",
        Decimal(5),
        Decimal(5),
    ),
]
SIGNAL_BY_CODE = {s.code: s for s in SIGNALS}


@dataclass(frozen=True)
class FollowUp:
    """A follow-up signal of a room above this one (see the second table above).

    ``rows(projects)`` returns, for the scoped projects (a queryset), one row per project showing it:
    ``(project_id, unit_id, department_id, count)`` — in ONE query whatever the scope's size, so the
    overview keeps its constant number of queries. ``url_name`` and ``query``: the list of the items."""

    code: str
    label: str
    sentence: str
    rows: Callable[[QuerySet], Iterable[tuple[int, int, int, int]]]
    url_name: str = ""
    query: str = ""


#: the follow-up signals, registered by the rooms above when the apps are ready (``rectify``)
FOLLOW_UPS: list[FollowUp] = []


@dataclass
class EvaluationSignals:
    """The signals of one evaluation with results, and what the overview shows of it."""

    evaluation_id: int
    project_id: int
    project_name: str
    unit_id: int
    unit_name: str
    department_id: int
    department_name: str
    total: Decimal | None
    grade: str
    execution_rate: Decimal | None
    reported_total: Decimal | None
    counts: dict[str, int] = field(default_factory=dict)
    reported_gap: Decimal = Decimal(0)

    @cached_property
    def risk(self) -> Decimal:
        return risk_score(self.counts, self.reported_gap)

    @property
    def reasons(self) -> list[str]:
        """The signals in words, strongest first."""
        out = []
        for signal in SIGNALS:
            count = self.counts.get(signal.code, 0)
            if not count:
                continue
            if signal.code == "reported_above":
                out.append(f"{signal.label} {self.reported_gap:.2f} 分")
            elif signal.points == signal.cap:
                out.append(signal.label)
            else:
                out.append(f"{signal.label} {count} 项")
        return out


def risk_score(counts: dict[str, int], reported_gap: Decimal = Decimal(0)) -> Decimal:
    """Σ min(points × count, cap) over the signals, at most 100 (see the table above)."""
    total = Decimal(0)
    for signal in SIGNALS:
        amount = reported_gap if signal.code == "reported_above" else Decimal(counts.get(signal.code, 0))
        total += min(signal.points * amount, signal.cap)
    return min(total, Decimal(100))


def _indicator_conditions() -> dict[str, Q]:
    """The indicator-level signals as conditions on an indicator row."""
    weighted = Q(not_applicable=False, weight__gt=0)
    return {
        "full_marks_unsupported": weighted
        & Q(reported_score__isnull=False, reported_score__gte=F("weight"))
        & (Q(score__isnull=True) | Q(score__lt=F("weight"))),
        "text_actual_full": weighted
        & Q(target_kind="quantitative", actual_kind__in=("qualitative", "unreadable"), score__gte=F("weight"))
        & ~Q(actual_text=""),
        "missed_without_note": weighted & Q(score__lt=F("weight"), deviation_note=""),
        "_numbers": Q(
            not_applicable=False,
            target_kind="quantitative",
            actual_kind="quantitative",
            target_value__isnull=False,
            actual_value__isnull=False,
        ),
        "_equal": Q(
            not_applicable=False,
            target_kind="quantitative",
            actual_kind="quantitative",
            target_value__isnull=False,
            actual_value=F("target_value"),
        ),
    }


def evaluation_signals(projects) -> list[EvaluationSignals]:
    """The signals of every evaluation with results among ``projects`` (a queryset of one year, already
    scoped): four queries, whatever the number of projects."""
    evaluations = Evaluation.objects.filter(
        project__in=projects.order_by().values("pk"), status__in=RESULT_STATUSES
    )
    rows = list(
        evaluations.values_list(
            "pk",
            "project_id",
            "project__name",
            "project__unit_id",
            "project__unit__name",
            "project__department_id",
            "project__department__name",
            "project__year",
            "total_score",
            "grade",
            "execution_rate",
            "printed_total",
            "submitted_total",
            "printed_execution_score",
            "warnings",
        )
    )
    if not rows:
        return []
    conditions = _indicator_conditions()
    per_project = {
        row["project_id"]: row
        for row in Indicator.objects.filter(project_id__in=_ids_of(evaluations, "project_id"))
        .order_by()
        .values("project_id")
        .annotate(**{code: Count("pk", filter=condition) for code, condition in conditions.items()})
    }
    below = _targets_below_last_year(evaluations)
    excellent_units = _always_excellent_units(evaluations, max(row[7] for row in rows))
    out = []
    for row in rows:
        pk, project_id, name, unit_id, unit_name, dep_id, dep_name, _year, total, grade, rate = row[:11]
        printed, submitted, printed_execution, warnings = row[11], row[12], row[13], row[14] or []
        reported = submitted if submitted is not None else printed
        signals = EvaluationSignals(
            pk, project_id, name, unit_id, unit_name, dep_id, dep_name, total, grade, rate, reported
        )
        counts = signals.counts
        if reported is not None and total is not None and reported > total:
            signals.reported_gap = reported - total
            counts["reported_above"] = 1
        indicators = per_project.get(project_id, {})
        for code in ("full_marks_unsupported", "text_actual_full", "missed_without_note"):
            if indicators.get(code):
                counts[code] = indicators[code]
        numbers, equal = indicators.get("_numbers", 0), indicators.get("_equal", 0)
        if numbers >= EQUALS_MIN_ROWS and equal >= EQUALS_SHARE * numbers:
            counts["equals_target"] = 1
        if total is not None and total >= 100:
            counts["full_total"] = 1
        if total is not None and total >= HIGH_TOTAL and rate is not None and rate < LOW_EXECUTION_RATE:
            counts["high_score_low_execution"] = 1
        if below.get(project_id):
            counts["target_below_last_year"] = below[project_id]
        if unit_id in excellent_units:
            counts["always_excellent"] = 1
        if any(w.get("code") in WEIGHT_WARNINGS for w in warnings if isinstance(w, dict)):
            counts["weights_off_header"] = 1
        if printed is not None and submitted is None and printed_execution is None:
            counts["execution_score_blank"] = 1
        out.append(signals)
    return out


def _ids_of(evaluations, name: str):
    return evaluations.order_by().values(name)


def _same_name_last_year(column: str) -> Subquery:
    """``column`` of last year's one indicator of the same name in last year's project of the same unit
    and name, with a quantitative actual (NULL when the name is found twice: it matches nothing)."""
    return Subquery(
        Indicator.objects.filter(
            project__unit_id=OuterRef("project__unit_id"),
            project__name=OuterRef("project__name"),
            project__year=OuterRef("project__year") - 1,
            name=OuterRef("name"),
        )
        .order_by()
        .values("name")
        .annotate(
            n=Count("pk"),
            kind=Max("actual_kind"),
            text=Max(Trim("actual_text")),
            found=Max(column),
        )
        .filter(n=1, kind="quantitative", text__gt="")
        .values("found")
    )


#: last year's texts and readings the signal compares with, as annotations of this year's indicator
_LAST_YEAR = {
    "_live_text": Trim("carried_from__previous__actual_text"),
    "_copied_text": Trim("carried_from__previous_actual_text"),
    "_name_value": _same_name_last_year("actual_value"),
    "_name_unit": _same_name_last_year("actual_unit"),
}


def _last_year_actual() -> Case:
    """Last year's actual (stored reading) of an indicator, in this year's target's unit, else NULL —
    found as :mod:`perfgoals.workflow.last_year` finds it: the rollover's link first (last year's
    indicator as it is now when it has an actual, else the values the rollover copied), else last
    year's project of the same unit and name and in it the one indicator of the same name (a name found
    twice matches nothing). Values read in another unit are not compared (SQL cannot convert units;
    ``workflow.target_checks`` restricts itself to the same unit too). Reads the annotations of
    :data:`_LAST_YEAR`."""
    live = Q(_live_text__gt="")
    copied = Q(carried_from__isnull=False, _copied_text__gt="")
    return Case(
        When(
            live
            & Q(
                carried_from__previous__actual_kind="quantitative",
                carried_from__previous__actual_unit=F("target_unit"),
            ),
            then=F("carried_from__previous__actual_value"),
        ),
        When(live, then=Value(None)),
        When(
            copied & Q(carried_from__previous_actual_unit=F("target_unit")),
            then=F("carried_from__previous_actual_value"),
        ),
        When(copied, then=Value(None)),
        When(_name_unit=F("target_unit"), then=F("_name_value")),
        default=Value(None),
        output_field=Indicator._meta.get_field("actual_value"),
    )


def _targets_below_last_year(evaluations) -> dict[int, int]:
    """project id → how many of its number targets are easier than last year's actual of the same
    indicator: a ≥ target below it, a ≤ target above it — the rule of
    ``workflow.target_checks.below_last_year_check`` on the stored readings (same unit only)."""
    rows = (
        Indicator.objects.filter(
            project_id__in=_ids_of(evaluations, "project_id"),
            not_applicable=False,
            target_kind="quantitative",
            direction__in=("ge", "le"),
            target_value__isnull=False,
        )
        .annotate(**_LAST_YEAR)
        .annotate(last_actual=_last_year_actual())
        .filter(
            Q(direction="ge", target_value__lt=F("last_actual"))
            | Q(direction="le", target_value__gt=F("last_actual"))
        )
        .order_by()
        .values("project_id")
        .annotate(n=Count("pk"))
    )
    return {row["project_id"]: row["n"] for row in rows}


def _always_excellent_units(evaluations, year: int) -> set[int]:
    """The units of ``evaluations`` whose evaluations with results, over at least two years up to
    ``year``, are all 优."""
    rows = (
        Evaluation.objects.filter(
            project__unit_id__in=_ids_of(evaluations, "project__unit_id"),
            project__year__lte=year,
            status__in=RESULT_STATUSES,
        )
        .order_by()
        .values("project__unit_id")
        .annotate(
            years=Count("project__year", distinct=True),
            not_excellent=Count("pk", filter=~Q(grade=Grade.EXCELLENT)),
        )
    )
    return {row["project__unit_id"] for row in rows if row["years"] >= 2 and row["not_excellent"] == 0}


def reported_minus_computed(signals: Iterable[EvaluationSignals]) -> Decimal:
    """Σ (reported − computed total) over the evaluations that report a total (negative gaps too)."""
    return sum(
        (s.reported_total - s.total for s in signals if s.reported_total is not None and s.total is not None),
        Decimal(0),
    )


__all__ = [
    "RESULT_STATUSES",
    "SIGNALS",
    "SIGNAL_BY_CODE",
    "EvaluationSignals",
    "evaluation_signals",
    "reported_minus_computed",
    "risk_score",
]
