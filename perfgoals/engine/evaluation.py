"""Scoring a whole self-evaluation: budget execution, the indicators, level-1 subtotals, total,
grade and warnings (:func:`score_evaluation`).

Each indicator is scored by :func:`~perfgoals.engine.speed.score_indicator`; this module adds what
only the whole table knows: weights rescaled for not-applicable indicators, header caps, and the
inconsistencies of the print, reported as warnings (``code`` + Chinese ``message``).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from types import MappingProxyType

from .rules import _HUNDRED, _ZERO, _fmt, _no_rule, _round
from .schemes import Scheme
from .speed import score_indicator
from .types import (
    _REPORTED_SCORE_DIFFERS,
    UNCLASSIFIED,
    EvaluationInput,
    EvaluationResult,
    EvaluationWarning,
    IndicatorInput,
    IndicatorResult,
    Subtotal,
)
from .vocabulary import LEVEL1, level1_of, normalise_level1, normalise_level2

__all__ = ["score_evaluation"]


def _level1_code(ind: IndicatorInput) -> str | None:
    """The indicator's level-1 code: as given (code or printed name), else from its level 2."""
    code = normalise_level1(ind.level1)
    if code is None and ind.level2:
        level2 = normalise_level2(ind.level2)
        code = level1_of(level2) if level2 else None
    return code


def _distribute(weights: list[Decimal], target_sum: Decimal) -> list[Decimal]:
    """Scale weights proportionally to ``target_sum`` at 2 places; the last absorbs the rounding."""
    current = sum(weights, _ZERO)
    if current == 0 or not weights:
        return weights
    scaled = [_round(w * target_sum / current) for w in weights]
    scaled[-1] += target_sum - sum(scaled, _ZERO)
    return scaled


def _effective_weights(
    inp: EvaluationInput, codes: list[str], scheme: Scheme, warnings: list[EvaluationWarning]
) -> tuple[list[Decimal | None], Decimal]:
    """The weights indicators are scored with, and the factor applied to declared level-1 caps."""
    weights: list[Decimal | None] = [ind.weight for ind in inp.indicators]
    dropped = [i for i, ind in enumerate(inp.indicators) if ind.not_applicable]
    if not dropped:
        return weights, Decimal(1)
    names = "、".join(f"“{inp.indicators[i].name}”" for i in dropped)
    if not scheme.drop_not_applicable:
        lost = sum((inp.indicators[i].weight or _ZERO for i in dropped), _ZERO)
        warnings.append(
            EvaluationWarning(
                "not_applicable_excluded", f"指标{names}不适用，未计分（分值 {_fmt(lost)} 未分配）"
            )
        )
        return weights, Decimal(1)
    # first within each level 1, so that the printed level-1 weights still hold
    lost_total = _ZERO
    for code in dict.fromkeys(codes):
        members = [i for i, c in enumerate(codes) if c == code and weights[i] is not None]
        original = sum((weights[i] or _ZERO for i in members), _ZERO)
        keep = [i for i in members if not inp.indicators[i].not_applicable]
        if not keep:
            lost_total += original
            continue
        for i, w in zip(keep, _distribute([weights[i] or _ZERO for i in keep], original), strict=True):
            weights[i] = w
    factor = Decimal(1)
    if lost_total > 0:
        # a whole level 1 is not applicable: its weight goes to every remaining indicator
        keep = [i for i, w in enumerate(weights) if w is not None and not inp.indicators[i].not_applicable]
        remaining = sum((weights[i] or _ZERO for i in keep), _ZERO)
        if remaining > 0:
            factor = (remaining + lost_total) / remaining
            for i, w in zip(
                keep, _distribute([weights[i] or _ZERO for i in keep], remaining + lost_total), strict=True
            ):
                weights[i] = w
    warnings.append(
        EvaluationWarning("not_applicable_rescaled", f"指标{names}不适用，已剔除，其余指标分值按比例调整")
    )
    return weights, factor


def _execution(
    inp: EvaluationInput, scheme: Scheme, warnings: list[EvaluationWarning]
) -> tuple[Decimal | None, str, Decimal | None, str]:
    a, b = inp.budget_annual, inp.budget_executed
    weight = scheme.execution_weight
    if a is None:
        warnings.append(EvaluationWarning("execution_missing", "未填全年预算数（A），无法计算预算执行率"))
        return None, "", None, "未填全年预算数，无法计算"
    if a == 0:
        warnings.append(EvaluationWarning("execution_missing", "全年预算数（A）为 0，无法计算预算执行率"))
        return None, "", None, "全年预算数为 0，无法计算"
    if b is None:
        warnings.append(EvaluationWarning("execution_missing", "未填全年执行数（B），无法计算预算执行率"))
        return None, "", None, "未填全年执行数，无法计算"
    rate = b / a
    rate_display = f"{_round(rate * _HUNDRED)!s}%"
    raw = rate * weight
    value = max(min(raw, weight), _ZERO)
    if scheme.execution_rounding == "integer":
        score = _round(value, 0)
    elif scheme.execution_rounding == "2dp":
        score = _round(value)
    else:
        raise _no_rule("execution_rounding", scheme.execution_rounding)
    text = f"{_fmt(b)} ÷ {_fmt(a)} × {_fmt(weight)} = {_round(raw)!s}"
    if raw > weight:
        text += f"，封顶 {_round(weight)!s}"
    if scheme.execution_rounding == "integer":
        text += f"，取整 {score!s}"
    if b > a:
        warnings.append(
            EvaluationWarning("execution_over_budget", f"执行数超过预算数（执行率 {rate_display}）")
        )
    if inp.reported_execution_score is not None and inp.reported_execution_score != score:
        warnings.append(
            EvaluationWarning(
                "reported_execution_differs",
                f"自报预算执行得分 {_fmt(inp.reported_execution_score)}，与计算 {score!s} 不符",
            )
        )
    return rate, rate_display, score, text


def score_evaluation(inp: EvaluationInput, scheme: Scheme) -> EvaluationResult:
    """Score a whole self-evaluation: budget execution, every indicator, level-1 subtotals, total, grade.

    The total is execution + each level-1 subtotal (capped at its printed header weight when the
    scheme says so), never above the scheme total. Inconsistencies of the print are reported as
    warnings, not corrected silently.
    """
    warnings: list[EvaluationWarning] = []
    rate, rate_display, execution_score, execution_text = _execution(inp, scheme, warnings)

    codes: list[str] = []
    for ind in inp.indicators:
        code = ind.level1
        if code not in LEVEL1:  # a level-1 code stays as it is (what _level1_code would return)
            code = _level1_code(ind)
        if code is None:
            warnings.append(EvaluationWarning("level1_missing", f"指标“{ind.name}”未指定一级指标"))
            code = UNCLASSIFIED
        codes.append(code)
    weights, cap_factor = _effective_weights(inp, codes, scheme, warnings)

    results: list[IndicatorResult] = []
    # the applicable results of each level 1, in table order (every code of the table is a key)
    members_of: dict[str, list[IndicatorResult]] = {}
    year = inp.year
    for ind, code, weight in zip(inp.indicators, codes, weights, strict=True):
        if weight is not ind.weight or code != ind.level1:  # rescaled, or level 1 normalised
            ind = dataclasses.replace(ind, weight=weight, level1=code)
        result = score_indicator(ind, scheme, year=year)
        results.append(result)
        members = members_of.get(code)
        if members is None:
            members = members_of[code] = []
        if not result.not_applicable:
            members.append(result)

    # level-1 blocks in vocabulary order, then any others (declared but unknown, unclassified)
    declared_weights = inp.declared_level1_weights
    order = [code for code in LEVEL1 if code in members_of or code in declared_weights]
    order += [code for code in dict.fromkeys([*members_of, *declared_weights]) if code not in order]
    subtotals: dict[str, Subtotal] = {}
    for code in order:
        members = members_of.get(code, [])
        # summed in table order from zero, as sum() would
        weight_sum = score_sum = _ZERO
        scored_count = 0
        for r in members:
            if r.weight is not None:
                weight_sum += r.weight
            if r.score is not None:
                score_sum += r.score
                scored_count += 1
        declared = declared_weights.get(code)
        cap = declared * cap_factor if declared is not None else None
        capped = score_sum
        name = LEVEL1.get(code, "未分类指标" if code == UNCLASSIFIED else code)
        if scheme.level1_cap and cap is not None and score_sum > cap:
            capped = cap
            warnings.append(
                EvaluationWarning(
                    "level1_capped",
                    f"{name}小计 {_round(score_sum)!s} 超过表头 {_fmt(cap)} 分，按 {_fmt(cap)} 分计",
                )
            )
        if cap is not None and weight_sum != cap:
            warnings.append(
                EvaluationWarning(
                    "level1_weight_mismatch",
                    f"{name}各项分值合计 {_fmt(weight_sum)}，与表头 {_fmt(cap)} 分不符",
                )
            )
        subtotals[code] = Subtotal(
            level1=code,
            name=name,
            weight_sum=weight_sum,
            declared_weight=declared,
            score_sum=score_sum,
            capped_score=capped,
            indicator_count=len(members),
            scored_count=scored_count,
        )

    present = {code for code, sub in subtotals.items() if sub.indicator_count}
    defaults = dict(scheme.default_level1_weights(present))
    if scheme.satisfaction_to_benefit and not (
        subtotals.get("satisfaction") and subtotals["satisfaction"].indicator_count
    ):
        # no 满意度 indicator: its weight belongs to 效益 (a provincial practice, a scheme option)
        moved = defaults.pop("satisfaction", _ZERO)
        if moved and "benefit" in defaults:
            defaults["benefit"] += moved
    for code, default in defaults.items():
        sub = subtotals.get(code)
        actual_weight = (
            sub.declared_weight
            if sub and sub.declared_weight is not None
            else (sub.weight_sum if sub else _ZERO)
        )
        if actual_weight != default:
            warnings.append(
                EvaluationWarning(
                    "level1_weight_nondefault",
                    f"{LEVEL1[code]}分值 {_fmt(actual_weight)}，与本方案默认 {_fmt(default)} 分不同",
                )
            )

    # one pass over the applicable results: their weights (summed in table order from zero, as sum()
    # would), those without a score, those whose reported score differs
    applicable_weights = _ZERO
    missing: list[IndicatorResult] = []
    differing = 0
    for r in results:
        if r.not_applicable:
            continue
        if r.weight is not None:
            applicable_weights += r.weight
        if r.score is None:
            missing.append(r)
        if _REPORTED_SCORE_DIFFERS in r.flags:
            differing += 1
    weight_total = scheme.execution_weight + applicable_weights
    if weight_total != scheme.total:
        warnings.append(
            EvaluationWarning(
                "weight_total_mismatch", f"分值合计 {_fmt(weight_total)}，应为 {_fmt(scheme.total)}"
            )
        )

    if missing:
        names = "、".join(f"“{r.name}”" for r in missing[:5]) + ("等" if len(missing) > 5 else "")
        warnings.append(EvaluationWarning("missing_scores", f"{len(missing)} 项指标尚未得分：{names}"))
    if differing:
        warnings.append(EvaluationWarning("reported_scores_differ", f"{differing} 项指标自报得分与计算不符"))

    total = (execution_score or _ZERO) + sum((s.capped_score for s in subtotals.values()), _ZERO)
    total = _round(total)
    if total > scheme.total:
        warnings.append(
            EvaluationWarning(
                "total_capped", f"合计 {total!s} 超过总分 {_fmt(scheme.total)}，按 {_fmt(scheme.total)} 计"
            )
        )
        total = _round(scheme.total)
    ceiling = scheme.execution_cap(rate)
    if ceiling is not None and total > ceiling:
        warnings.append(
            EvaluationWarning(
                "execution_capped",
                f"预算执行率 {rate_display}，按评分方案总分最高 {_fmt(ceiling)} 分（计算合计 {total!s}）",
            )
        )
        total = _round(ceiling)
    if inp.reported_total is not None and inp.reported_total != total:
        warnings.append(
            EvaluationWarning(
                "reported_total_differs", f"自报总分 {_fmt(inp.reported_total)}，与计算 {total!s} 不符"
            )
        )

    return EvaluationResult(
        scheme_code=scheme.code,
        execution_rate=rate,
        execution_rate_display=rate_display,
        execution_score=execution_score,
        execution_explanation=execution_text,
        subtotals=MappingProxyType(subtotals),
        indicators=tuple(results),
        total=total,
        grade=scheme.grade_for(total),
        low_score_explanation_required=total < scheme.low_score_threshold,
        complete=execution_score is not None and not missing,
        warnings=tuple(warnings),
    )
