"""What a reviewer should look at: the flags of an indicator, of an evaluation and of a set of targets,
and the one-line summaries of the review queue. Pure: they read stored values and run no query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from projects.models import Project

from ..engine import Flag, Kind, Scheme
from ..models import Evaluation, Indicator
from .target_checks import TargetCheck, counted
from .targets import direction_suggested, run_target_checks, target_unreadable
from .text import fmt_score

#: overshoot that needs an explanation when the scheme sets no threshold of its own (national practice)
DEFAULT_OVERSHOOT = Decimal("0.30")


@dataclass(frozen=True)
class ReviewFlag:
    """One thing on an indicator or an evaluation a reviewer should check."""

    code: str
    label: str
    level: str = "warn"  # "danger" | "warn" | "info"


def _ratio(indicator: Indicator) -> Decimal | None:
    """How far the actual went past the target (actual ÷ target; target ÷ actual for a "≤" target), when
    both are numbers in the same unit."""
    if indicator.target_kind != Kind.QUANTITATIVE or indicator.actual_kind != Kind.QUANTITATIVE:
        return None
    if Flag.UNIT_MISMATCH in (indicator.flags or []):
        return None
    a, b = indicator.target_value, indicator.actual_value
    if a is None or b is None or a <= 0:
        return None
    if indicator.direction == "le":
        return a / b if b > 0 else None
    return b / a


def indicator_review_flags(indicator: Indicator, scheme: Scheme) -> list[ReviewFlag]:
    """Flags of one indicator for the review page: full marks the values do not support, overshoot
    without explanation, unreadable values, and the engine's own flags worth a look."""
    flags = set(indicator.flags or [])
    out: list[ReviewFlag] = []
    if indicator.not_applicable:
        return out
    weight, score, reported = indicator.weight, indicator.score, indicator.reported_score
    if (
        reported is not None
        and weight is not None
        and reported >= weight > 0
        and (score is None or score < weight)
    ):
        computed = "无法计算" if score is None else f"按填报数值计算得 {fmt_score(score)}"
        out.append(ReviewFlag("full_marks_unsupported", f"满分依据不足：自报满分，{computed}", "danger"))
    elif reported is not None and score is not None and reported != score:
        out.append(
            ReviewFlag(
                "reported_differs",
                f"自报得分 {fmt_score(reported)} 与计算得分 {fmt_score(score)} 不符",
                "danger",
            )
        )
    threshold = scheme.overshoot_threshold if scheme.overshoot_threshold is not None else DEFAULT_OVERSHOOT
    ratio = _ratio(indicator)
    if ratio is not None and ratio >= 1 + threshold and not indicator.deviation_note.strip():
        over = ((ratio - 1) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        out.append(ReviewFlag("overshoot_unexplained", f"超出目标 {over}% 未说明（目标是否偏低）", "warn"))
    if indicator.text_actual:
        out.append(text_actual_flag(getattr(indicator, "evidence_count", None)))
    if indicator.direction_guessed:
        out.append(ReviewFlag("direction_suggested", "指标方向为推测，填报单位未确认", "warn"))
    out.extend(ReviewFlag(*shown) for flag, shown in _ENGINE_FLAGS_FOR_REVIEW if flag in flags)
    return out


def text_actual_flag(evidence_count: int | None) -> ReviewFlag:
    """Words where a number was promised (#12, item 2): worth a look unless evidence backs them (#14).

    ``evidence_count``: the indicator's evidence files not removed (the pages annotate it, see
    ``evidence.listing.with_evidence_count``); None where it was not loaded. With evidence attached the
    flag stays, as information (the reviewer opens the file), and is no longer an open item: it is not
    counted among the things to check, nor in the review queue's summary."""
    if evidence_count is None:
        return ReviewFlag("text_actual", "文字实际值，需佐证", "warn")
    if evidence_count <= 0:
        return ReviewFlag("text_actual", "文字实际值，需佐证：未附佐证材料", "warn")
    return ReviewFlag("text_actual_evidenced", f"文字实际值，已附佐证材料 {evidence_count} 份", "info")


#: the engine's flags a reviewer is shown, in this order: (flag, (review code, text, level))
_ENGINE_FLAGS_FOR_REVIEW = [
    (Flag.TARGET_UNREADABLE, ("unreadable", "目标值无法识别", "danger")),
    (Flag.ACTUAL_UNREADABLE, ("unreadable", "实际值无法识别", "danger")),
    (Flag.UNIT_MISMATCH, ("unreadable", "实际值与目标单位不一致", "danger")),
    (Flag.ACTUAL_MISSING, ("missing", "未填实际值", "danger")),
    (Flag.NO_WEIGHT, ("missing", "未设分值", "danger")),
    (Flag.BAND_REQUIRED, ("missing", "未评定档次", "danger")),
    (Flag.DEVIATION_NOTE_REQUIRED, ("deviation_missing", "得分低于分值，未说明偏差原因", "warn")),
    (Flag.BAND_SCORE_OUT_OF_RANGE, ("band_out_of_range", "档次内得分超出档次范围", "warn")),
    (Flag.DEADLINE_LATE, ("late", "逾期完成", "warn")),
    (Flag.OVERSHOOT_DEDUCTED, ("overshoot_deducted", "指标偏离：超出目标过多，已按评分方案扣分", "warn")),
    (Flag.DECIMAL_SHARE, ("suspicious_actual", "疑似以小数填写百分比", "danger")),
    (Flag.MAGNITUDE_IMPLAUSIBLE, ("suspicious_actual", "实际值数量级可疑（万、亿）", "danger")),
    (Flag.DIRECTION_CONTRADICTS_TARGET, ("direction_contradiction", "指标方向与目标值符号矛盾", "warn")),
]


#: evaluation warnings that mean "the weights do not add up"
WEIGHT_WARNINGS = {"weight_total_mismatch", "level1_weight_mismatch", "level1_capped"}


def _weight_order(message: str) -> int:
    # the cause (a header that disagrees with its rows) before its consequences
    return 0 if "与表头" in message else 1 if "分值合计" in message else 2


def evaluation_review_flags(evaluation: Evaluation) -> list[ReviewFlag]:
    """Flags of the whole evaluation: weights that do not add up, execution above budget, and totals
    that differ from what the unit reported (at submission) or, for imported forms, printed."""
    out = []
    weight_messages = [
        w.get("message", "") for w in evaluation.warnings or [] if w.get("code") in WEIGHT_WARNINGS
    ]
    if weight_messages:
        # one problem (the weights), however many ways the engine reports it
        out.append(
            ReviewFlag(
                "weights", "分值不符：" + "；".join(sorted(weight_messages, key=_weight_order)), "danger"
            )
        )
    for warning in evaluation.warnings or []:
        if warning.get("code") == "execution_over_budget":
            out.append(ReviewFlag("execution", warning.get("message", ""), "warn"))
    computed = evaluation.total_score
    if computed is None:
        return out
    if evaluation.submitted_total is not None:
        if evaluation.submitted_total != computed:
            out.append(
                ReviewFlag(
                    "total_differs",
                    f"提交时总分 {fmt_score(evaluation.submitted_total)} "
                    f"与现在计算的总分 {fmt_score(computed)} 不符",
                    "danger",
                )
            )
        if evaluation.printed_total is not None and evaluation.printed_total != computed:
            # re-entered after publication: worth knowing, not an error of the unit
            out.append(
                ReviewFlag(
                    "published_differs",
                    f"原公开表中总分 {fmt_score(evaluation.printed_total)}，"
                    f"重新填报后为 {fmt_score(computed)}",
                    "info",
                )
            )
        return out
    printed_execution, execution = evaluation.printed_execution_score, evaluation.execution_score
    if evaluation.execution_printed_blank:
        out.append(
            ReviewFlag(
                "execution_blank",
                f"表中预算执行得分为空，系统按执行率计算得 {fmt_score(execution)} 分并计入总分，请核对",
                "warn",
            )
        )
    if printed_execution is not None and execution is not None and printed_execution != execution:
        out.append(
            ReviewFlag(
                "execution_differs",
                f"表中预算执行得分 {fmt_score(printed_execution)} 与计算 {fmt_score(execution)} 不符",
                "danger",
            )
        )
    if evaluation.printed_total is not None and evaluation.printed_total != computed:
        out.append(
            ReviewFlag(
                "total_differs",
                f"表中总分 {fmt_score(evaluation.printed_total)} 与计算总分 {fmt_score(computed)} 不符",
                "danger",
            )
        )
    return out


#: the flag groups a review queue shows at a glance, in order
SUMMARY_GROUPS = [
    ("full_marks_unsupported", "满分存疑"),
    ("reported_differs", "得分不符"),
    ("overshoot_unexplained", "超额未说明"),
    ("overshoot_deducted", "指标偏离扣分"),
    ("unreadable", "数值无法识别"),
    ("missing", "缺项"),
    ("deviation_missing", "偏差未说明"),
    ("text_actual", "文字实际值"),
    ("direction_suggested", "方向未确认"),
]


def review_summary(
    evaluation: Evaluation, indicators: Iterable[Indicator], scheme: Scheme
) -> list[tuple[str, int, str]]:
    """(label, count, level) of each flag group present, for one line in the review queue."""
    counts: dict[str, int] = {}
    levels: dict[str, str] = {}
    for indicator in indicators:
        for flag in indicator_review_flags(indicator, scheme):
            counts[flag.code] = counts.get(flag.code, 0) + 1
            levels[flag.code] = flag.level
    summary = [(label, counts[code], levels[code]) for code, label in SUMMARY_GROUPS if counts.get(code)]
    if any(flag.code == "weights" for flag in evaluation_review_flags(evaluation)):
        summary.insert(0, ("分值不符", 1, "danger"))
    return summary


def target_review_flags(indicator: Indicator) -> list[ReviewFlag]:
    """Flags of one indicator of a target tree: unreadable target, guessed direction, missing weight."""
    if indicator.not_applicable:
        return [ReviewFlag("not_applicable", "不适用", "info")]
    out = []
    if target_unreadable(indicator):
        out.append(ReviewFlag("unreadable", "目标值无法识别", "danger"))
    if direction_suggested(indicator):
        out.append(ReviewFlag("direction_suggested", "方向为推测，未确认", "warn"))
    if indicator.weight is None:
        out.append(ReviewFlag("missing", "未设分值", "danger"))
    return out


def target_check_flags(checks: Iterable[TargetCheck]) -> list[ReviewFlag]:
    """The automatic checks of the targets (:mod:`.target_checks`) as the review page flags them: a
    blocking check is "danger", a notice (提示) "warn"; the weights keep their "分值不符：" prefix."""
    return [
        ReviewFlag(
            check.code,
            ("分值不符：" if check.code == "weights" else f"{check.severity_label}：") + check.text,
            check.level,
        )
        for check in checks
    ]


def target_weight_flags(
    project: Project, evaluation: Evaluation, indicators: list[Indicator]
) -> list[ReviewFlag]:
    """Weights that do not add up (to the scheme total, or to a declared level-1 header)."""
    return target_check_flags(
        check for check in run_target_checks(project, evaluation, indicators) if check.code == "weights"
    )


_TARGET_SUMMARY = [
    ("unreadable", "目标无法识别"),
    ("direction_suggested", "方向未确认"),
    ("missing", "未设分值"),
]

#: the checks of the whole table the review queue names in its summary (code → label), after the weights
_TARGET_CHECK_SUMMARY = [
    ("no_cost", "缺成本指标"),
    ("no_satisfaction", "缺满意度指标"),
    ("qualitative_only", "全为定性"),
    ("below_last_year", "低于上年实际"),
]


def target_review_summary(
    project: Project,
    evaluation: Evaluation,
    indicators: list[Indicator],
    checks: list[TargetCheck] | None = None,
) -> list[tuple[str, int, str]]:
    """(label, count, level) of each target flag group present, for one line in the review queue
    (``checks``: the automatic checks when loaded, else those that need no last year's values)."""
    counts: dict[str, int] = {}
    levels: dict[str, str] = {}
    for indicator in indicators:
        for flag in target_review_flags(indicator):
            counts[flag.code] = counts.get(flag.code, 0) + 1
            levels[flag.code] = flag.level
    summary = [(label, counts[code], levels[code]) for code, label in _TARGET_SUMMARY if counts.get(code)]
    if checks is None:
        checks = run_target_checks(project, evaluation, indicators)
    found = counted(checks)
    check_levels = {check.code: check.level for check in checks}
    summary.extend(
        (label, found[code], check_levels[code]) for code, label in _TARGET_CHECK_SUMMARY if found.get(code)
    )
    if found.get("weights"):
        summary.insert(0, ("分值不符", 1, "danger"))
    return summary
