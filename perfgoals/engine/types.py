"""What scoring takes and gives: the inputs and results of :mod:`.rules`, :mod:`.speed` and
:mod:`.evaluation`, and :class:`Flag` with its Chinese labels.

Inputs convert loose values (int, str) to Decimal at the door and refuse floats; results are frozen
and shared (caches hand out the same result object for the same row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from .units import to_decimal
from .valuetypes import Direction, Value
from .vocabulary import normalise_level1

__all__ = [
    "UNCLASSIFIED",
    "EvaluationInput",
    "EvaluationResult",
    "EvaluationWarning",
    "Flag",
    "IndicatorInput",
    "IndicatorResult",
    "Subtotal",
]

#: subtotal key of indicators whose level 1 is unknown
UNCLASSIFIED = "unclassified"


class Flag(StrEnum):
    """Something about an indicator a person should look at; ``.label`` is the Chinese text."""

    DEVIATION_NOTE_REQUIRED = "deviation_note_required"
    OVERSHOOT = "overshoot"
    UNIT_MISMATCH = "unit_mismatch"
    TARGET_UNREADABLE = "target_unreadable"
    ACTUAL_UNREADABLE = "actual_unreadable"
    ACTUAL_MISSING = "actual_missing"
    BAND_REQUIRED = "band_required"
    BAND_SCORE_OUT_OF_RANGE = "band_score_out_of_range"
    DIRECTION_SUGGESTED = "direction_suggested"
    CAPPED = "capped"
    REPORTED_SCORE_DIFFERS = "reported_score_differs"
    DEADLINE_LATE = "deadline_late"
    NO_WEIGHT = "no_weight"
    TARGET_ZERO = "target_zero"
    DECIMAL_SHARE = "decimal_share"
    MAGNITUDE_IMPLAUSIBLE = "magnitude_implausible"
    DIRECTION_CONTRADICTS_TARGET = "direction_contradicts_target"
    OVERSHOOT_DEDUCTED = "overshoot_deducted"

    @property
    def label(self) -> str:
        """The Chinese label shown to users."""
        return _FLAG_LABELS[self]


# members bound to module names: reading ``Flag.CAPPED`` goes through the enum machinery each time
_DEVIATION_NOTE_REQUIRED = Flag.DEVIATION_NOTE_REQUIRED
_OVERSHOOT = Flag.OVERSHOOT
_UNIT_MISMATCH = Flag.UNIT_MISMATCH
_TARGET_UNREADABLE = Flag.TARGET_UNREADABLE
_ACTUAL_UNREADABLE = Flag.ACTUAL_UNREADABLE
_ACTUAL_MISSING = Flag.ACTUAL_MISSING
_BAND_REQUIRED = Flag.BAND_REQUIRED
_BAND_SCORE_OUT_OF_RANGE = Flag.BAND_SCORE_OUT_OF_RANGE
_DIRECTION_SUGGESTED = Flag.DIRECTION_SUGGESTED
_CAPPED = Flag.CAPPED
_REPORTED_SCORE_DIFFERS = Flag.REPORTED_SCORE_DIFFERS
_DEADLINE_LATE = Flag.DEADLINE_LATE
_NO_WEIGHT = Flag.NO_WEIGHT
_TARGET_ZERO = Flag.TARGET_ZERO
_DECIMAL_SHARE = Flag.DECIMAL_SHARE
_MAGNITUDE_IMPLAUSIBLE = Flag.MAGNITUDE_IMPLAUSIBLE
_DIRECTION_CONTRADICTS_TARGET = Flag.DIRECTION_CONTRADICTS_TARGET
_OVERSHOOT_DEDUCTED = Flag.OVERSHOOT_DEDUCTED

_FLAG_LABELS = MappingProxyType(
    {
        Flag.DEVIATION_NOTE_REQUIRED: "需说明偏差原因",
        Flag.OVERSHOOT: "超额过多需说明",
        Flag.UNIT_MISMATCH: "单位不一致",
        Flag.TARGET_UNREADABLE: "目标值无法识别",
        Flag.ACTUAL_UNREADABLE: "实际值无法识别",
        Flag.ACTUAL_MISSING: "未填实际值",
        Flag.BAND_REQUIRED: "需评定档次",
        Flag.BAND_SCORE_OUT_OF_RANGE: "得分超出档次范围",
        Flag.DIRECTION_SUGGESTED: "指标方向为推测需确认",
        Flag.CAPPED: "已封顶",
        Flag.REPORTED_SCORE_DIFFERS: "自报得分与计算不符",
        Flag.DEADLINE_LATE: "逾期完成",
        Flag.NO_WEIGHT: "未设分值",
        Flag.TARGET_ZERO: "目标值为零",
        Flag.DECIMAL_SHARE: "疑似以小数填写百分比",
        Flag.MAGNITUDE_IMPLAUSIBLE: "实际值数量级可疑",
        Flag.DIRECTION_CONTRADICTS_TARGET: "指标方向与目标值符号矛盾",
        Flag.OVERSHOOT_DEDUCTED: "指标偏离已扣分",
    }
)


# --- inputs and results ---------------------------------------------------------------------------


@dataclass(frozen=True, init=False)
class IndicatorInput:
    """One level-3 indicator as printed or entered.

    ``weight``, ``band_score`` and ``reported_score`` accept Decimal, int or str (never float).
    ``direction_override`` is the user's explicit choice and always wins; ``band`` names a band of the
    scale in use ("完成", "部分完成", "优" …), ``band_score`` the score the user gives inside it.
    """

    name: str
    target_text: str | None
    actual_text: str | None = None
    weight: Decimal | None = None
    nature: str | None = None
    unit: str | None = None
    direction_override: Direction | None = None
    band: str | None = None
    band_score: Decimal | None = None
    reported_score: Decimal | None = None
    deviation_note: str = ""
    not_applicable: bool = False
    level1: str | None = None
    level2: str | None = None

    def __init__(
        self,
        name: str,
        target_text: str | None,
        actual_text: str | None = None,
        weight: Decimal | None = None,
        nature: str | None = None,
        unit: str | None = None,
        direction_override: Direction | None = None,
        band: str | None = None,
        band_score: Decimal | None = None,
        reported_score: Decimal | None = None,
        deviation_note: str = "",
        not_applicable: bool = False,
        level1: str | None = None,
        level2: str | None = None,
    ) -> None:
        # the instance dict is built at once (not one frozen object.__setattr__ a field), with the
        # conversions a generated __post_init__ would make: forms and JSON deliver loose types, never a float
        # (to_decimal keeps None and Decimals as they are: only other values are converted)
        if weight is not None and type(weight) is not Decimal:
            weight = to_decimal(weight)
        if band_score is not None and type(band_score) is not Decimal:
            band_score = to_decimal(band_score)
        if reported_score is not None and type(reported_score) is not Decimal:
            reported_score = to_decimal(reported_score)
        if direction_override is not None and not isinstance(direction_override, Direction):
            direction_override = Direction(direction_override)
        _set_object(
            self,
            "__dict__",
            {
                "name": "" if name is None else name,
                "target_text": target_text,
                "actual_text": actual_text,
                "weight": weight,
                "nature": nature,
                "unit": unit,
                "direction_override": direction_override,
                "band": band,
                "band_score": band_score,
                "reported_score": reported_score,
                "deviation_note": "" if deviation_note is None else deviation_note,
                "not_applicable": not_applicable,
                "level1": level1,
                "level2": level2,
            },
        )


_INPUT_FIELDS = (
    "name",
    "target_text",
    "actual_text",
    "weight",
    "nature",
    "unit",
    "direction_override",
    "band",
    "band_score",
    "reported_score",
    "deviation_note",
    "not_applicable",
    "level1",
    "level2",
)
if tuple(f.name for f in dataclasses.fields(IndicatorInput)) != _INPUT_FIELDS:  # pragma: no cover
    raise RuntimeError("IndicatorInput.__init__ must take the fields of IndicatorInput in order")


@dataclass(frozen=True)
class IndicatorResult:
    """What scoring made of one indicator.

    ``score`` is None when it cannot be computed (see ``flags``); ``weight`` is the weight used (after
    rescaling, when the scheme drops not-applicable indicators); ``direction_source`` is one of
    "user", "column", "operator", "word", "name", "default" (None for non-quantitative targets
    without a direction); ``ratio`` is the achievement ratio (B/A, or A/B for negative targets).
    """

    name: str
    level1: str | None
    level2: str | None
    weight: Decimal | None
    score: Decimal | None
    explanation: str
    flags: frozenset[Flag]
    direction: Direction | None
    direction_source: str | None
    target: Value
    actual: Value
    achieved: bool | None = None
    ratio: Decimal | None = None
    suggested_band: str | None = None
    band: str | None = None
    band_scale: str | None = None
    not_applicable: bool = False
    reported_score: Decimal | None = None

    @property
    def flag_labels(self) -> tuple[str, ...]:
        """The Chinese labels of the flags, in a stable order."""
        return tuple(flag.label for flag in Flag if flag in self.flags)


@dataclass(frozen=True)
class EvaluationInput:
    """A project-year's self-evaluation input.

    ``budget_annual`` is 全年预算数 (A), ``budget_executed`` 全年执行数 (B);
    ``declared_level1_weights`` the level-1 weights printed in the table headers (level-1 code or
    printed name → weight; may be empty). ``reported_execution_score`` / ``reported_total`` are what
    the unit printed, compared with the computed values when given.
    """

    budget_annual: Decimal | None = None
    budget_executed: Decimal | None = None
    indicators: Sequence[IndicatorInput] = ()
    declared_level1_weights: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    year: int | None = None
    reported_execution_score: Decimal | None = None
    reported_total: Decimal | None = None

    def __post_init__(self) -> None:
        for key in ("budget_annual", "budget_executed", "reported_execution_score", "reported_total"):
            object.__setattr__(self, key, to_decimal(getattr(self, key)))
        object.__setattr__(self, "indicators", tuple(self.indicators))
        declared: dict[str, Decimal] = {}
        for key, weight in dict(self.declared_level1_weights or {}).items():
            code = normalise_level1(key) or key
            value = to_decimal(weight)
            if value is not None:
                declared[code] = value
        object.__setattr__(self, "declared_level1_weights", MappingProxyType(declared))


@dataclass(frozen=True)
class Subtotal:
    """One level-1 block: the indicators' weights and scores, and what the block contributes.

    ``capped_score`` is ``score_sum`` capped at ``declared_weight`` when the scheme caps level-1
    subtotals and a header weight was printed; otherwise equal to ``score_sum``.
    """

    level1: str
    name: str
    weight_sum: Decimal
    declared_weight: Decimal | None
    score_sum: Decimal
    capped_score: Decimal
    indicator_count: int
    scored_count: int


@dataclass(frozen=True)
class EvaluationWarning:
    """A problem of the whole evaluation: a stable ``code`` and a Chinese ``message``."""

    code: str
    message: str


@dataclass(frozen=True)
class EvaluationResult:
    """The scored self-evaluation of a project-year.

    ``execution_rate`` is B/A unrounded (``execution_rate_display`` the percentage at 2 places);
    ``subtotals`` is keyed by level-1 code in print order; ``total`` never exceeds the scheme total.
    """

    scheme_code: str
    execution_rate: Decimal | None
    execution_rate_display: str
    execution_score: Decimal | None
    execution_explanation: str
    subtotals: Mapping[str, Subtotal]
    indicators: tuple[IndicatorResult, ...]
    total: Decimal
    grade: str | None
    low_score_explanation_required: bool
    complete: bool
    warnings: tuple[EvaluationWarning, ...]

    @property
    def warning_messages(self) -> tuple[str, ...]:
        """The warnings' Chinese messages."""
        return tuple(w.message for w in self.warnings)


_RESULT_FIELDS = (
    "name",
    "level1",
    "level2",
    "weight",
    "score",
    "explanation",
    "flags",
    "direction",
    "direction_source",
    "target",
    "actual",
    "achieved",
    "ratio",
    "suggested_band",
    "band",
    "band_scale",
    "not_applicable",
    "reported_score",
)
if tuple(f.name for f in dataclasses.fields(IndicatorResult)) != _RESULT_FIELDS:  # pragma: no cover
    raise RuntimeError(
        "rules._result and speed._score_quantities must set the fields of IndicatorResult in order"
    )
_new_object = object.__new__
_set_object = object.__setattr__
