"""Whether the weights (分值) of a project-year add up: one arithmetic for every check of them.

A self-evaluation is worth its scheme's total (100 points): the budget execution's weight (10) plus the
weights of the applicable indicators. A level-1 category whose header declares a weight
("产出指标（50 分）") is worth exactly that: the weights of its rows should add up to it.

:func:`weight_sums` adds up, :func:`weight_problems` says where the sums disagree. The workflow refuses an
entry that would make them worse and lists them before a submission, the pages show them, the reports
print them: each with its own wording, all from these numbers. Pure functions over Decimals and
indicator-like objects (anything with ``weight``, ``level1`` and ``not_applicable``) and a scheme-like
one (``execution_weight``, ``total``): any layer may import this module; it imports nothing of the app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

_ZERO = Decimal(0)


@dataclass(frozen=True)
class WeightRow:
    """An indicator-like row for a sum that is not made of stored indicators: an indicator with a weight
    it does not have yet (the check of an entry), or a declared level-1 header standing for its rows."""

    weight: Decimal | None
    level1: str = ""
    not_applicable: bool = False


def declared_weights(declared: Mapping | None) -> dict[str, Decimal]:
    """The level-1 weights declared in the headers (``Evaluation.declared_level1_weights``, JSON: strings
    or numbers) as Decimals, leaving out the blank ones."""
    return {code: Decimal(str(value)) for code, value in (declared or {}).items() if value not in (None, "")}


@dataclass(frozen=True)
class WeightProblem:
    """One sum that disagrees: the total (``level1 == ""``: execution weight + the rows, against the
    scheme's total) or the rows of a level 1 against the weight its header declares."""

    level1: str
    found: Decimal
    expected: Decimal

    @property
    def over(self) -> bool:
        return self.found > self.expected

    @property
    def under(self) -> bool:
        return self.found < self.expected


@dataclass(frozen=True)
class WeightSums:
    """The sums of the weights of a project-year. Not-applicable indicators count for nothing; an
    applicable one without a weight counts 0 and is counted in ``missing``."""

    #: the budget execution's weight and the total of the scheme
    execution: Decimal
    total: Decimal
    #: the weights of the applicable indicators, all of them and by level-1 code
    rows: Decimal
    level1: Mapping[str, Decimal]
    #: the level-1 weights declared in the headers (blank ones left out)
    declared: Mapping[str, Decimal]
    #: applicable indicators without a weight
    missing: int

    @property
    def sum(self) -> Decimal:
        """What the project-year is worth: the execution weight and every applicable indicator's."""
        return self.execution + self.rows

    @property
    def complete(self) -> bool:
        """Every applicable indicator has a weight."""
        return self.missing == 0

    def problems(self) -> list[WeightProblem]:
        """The total first, then each declared level 1 in the order of the headers."""
        problems = []
        if self.sum != self.total:
            problems.append(WeightProblem("", self.sum, self.total))
        for code, expected in self.declared.items():
            found = self.level1.get(code, _ZERO)
            if found != expected:
                problems.append(WeightProblem(code, found, expected))
        return problems


def weight_sums(indicators: Iterable, scheme, declared: Mapping | None = None) -> WeightSums:
    """Add up the weights of ``indicators`` for ``scheme`` (its ``execution_weight`` and ``total``);
    ``declared``: the level-1 header weights to hold the rows against (none: the total only)."""
    rows = _ZERO
    level1: dict[str, Decimal] = {}
    missing = 0
    for indicator in indicators:
        if indicator.not_applicable:
            continue
        if indicator.weight is None:
            missing += 1
        weight = indicator.weight or _ZERO
        rows += weight
        level1[indicator.level1] = level1.get(indicator.level1, _ZERO) + weight
    return WeightSums(
        execution=scheme.execution_weight,
        total=scheme.total,
        rows=rows,
        level1=level1,
        declared=declared_weights(declared),
        missing=missing,
    )


def weight_problems(indicators: Iterable, scheme, declared: Mapping | None = None) -> list[WeightProblem]:
    """Where the weights of ``indicators`` do not add up (see :meth:`WeightSums.problems`)."""
    return weight_sums(indicators, scheme, declared).problems()


def header_weight(declared: object, weights: Iterable[Decimal | None]) -> Decimal | None:
    """The weight printed in a level 1's header: the declared one, else what its rows are worth (seed
    001 附件3 prints no header weight for 效益指标), else nothing when no row has a weight."""
    if declared not in (None, ""):
        return Decimal(str(declared))
    present = [weight for weight in weights if weight is not None]
    return sum(present, _ZERO) if present else None
