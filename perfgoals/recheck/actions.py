"""The named changes of 抽查复核. Each runs in one transaction, checks that the user is a finance
reviewer of the sample's region (through ``projects.scoping``) — or, for the 复核得分 of an assigned
item, its third-party reviewer —, compares the version the page saw where a record is edited, and
writes its history with a reason. Nothing here touches the unit's own scores: the 复核 scores and
totals are stored beside them.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from projects.models import BudgetLine, Project, ProjectGrant, Region

from ..models import Evaluation, Indicator
from ..oversight.signals import evaluation_signals
from ..weights import declared_weights
from ..workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from ..workflow.versions import acting_as, conflict_message, last_change
from .access import finance_regions, may_recheck, may_score, third_party_reviewers
from .models import DrawReason, ItemStatus, RecheckItem, RecheckSample, RecheckScore

#: the criteria in the order they are applied, each drawing from what the earlier ones left
CRITERIA = (DrawReason.RISK, DrawReason.FUNDS, DrawReason.LOW_EXECUTION, DrawReason.RANDOM)
#: at most this many evaluations per criterion (a sample is work for people, not a census)
MAX_PER_CRITERION = 500
#: seeds are recorded as non-negative integers below this bound
SEED_BOUND = 2**63
REASON_MAX_CHARS = 2000
FINDINGS_MAX_CHARS = 20_000
CENT = Decimal("0.01")


def _check_finance(user, region: Region) -> None:
    if not may_recheck(user, region):
        raise NotPermitted("只有本地区的财政审阅人可以进行抽查复核。")


def round_score(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- drawing a sample -----------------------------------------------------------------------------


def clean_criteria(criteria) -> dict[str, int]:
    """``criteria`` as {reason: count} with every reason present, or InvalidData in Chinese."""
    if not isinstance(criteria, dict):
        raise InvalidData({"criteria": ["抽取条件格式不正确。"]})
    unknown = set(criteria) - {c.value for c in CRITERIA}
    if unknown:
        raise InvalidData({"criteria": [f"未知的抽取条件：{'、'.join(sorted(map(str, unknown)))}。"]})
    out: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for reason in CRITERIA:
        raw = criteria.get(reason.value, 0)
        text = str(raw if raw is not None else 0).strip() or "0"
        if isinstance(raw, bool) or not text.isascii() or not text.isdigit() or len(text) > 6:
            errors[reason.value] = [f"“{reason.label}”的数量须为 0 到 {MAX_PER_CRITERION} 的整数。"]
            continue
        count = int(text)
        if count > MAX_PER_CRITERION:
            errors[reason.value] = [f"“{reason.label}”的数量须为 0 到 {MAX_PER_CRITERION} 的整数。"]
            continue
        out[reason.value] = count
    if errors:
        raise InvalidData(errors)
    if not sum(out.values()):
        raise InvalidData({"criteria": ["请至少为一个抽取条件填写大于 0 的数量。"]})
    return out


def clean_seed(seed) -> int:
    if seed is None or str(seed).strip() == "":
        return secrets.randbelow(SEED_BOUND)
    text = str(seed).strip()
    if isinstance(seed, bool) or not text.isascii() or not text.isdigit() or int(text) >= SEED_BOUND:
        raise InvalidData({"seed": [f"随机种子须为 0 到 {SEED_BOUND - 1} 的整数，或留空由系统生成。"]})
    return int(text)


@dataclass(frozen=True)
class Candidate:
    evaluation_id: int
    risk: Decimal
    funds: Decimal | None
    execution_rate: Decimal | None


def candidates(region: Region, year: int) -> list[Candidate]:
    """Every evaluation with results of the region-year, with what the criteria look at, by id."""
    projects = Project.objects.filter(region=region, year=year)
    signals = evaluation_signals(projects)
    funds = dict(
        BudgetLine.objects.filter(project__in=projects.values("pk"))
        .order_by()
        .values("project_id")
        .annotate(total=Sum("annual"))
        .values_list("project_id", "total")
    )
    out = [Candidate(s.evaluation_id, s.risk, funds.get(s.project_id), s.execution_rate) for s in signals]
    return sorted(out, key=lambda c: c.evaluation_id)


def choose(pool: list[Candidate], criteria: dict[str, int], seed: int) -> list[tuple[Candidate, str]]:
    """The sample of ``pool`` (sorted by id): the riskiest (risk above 0, highest first), then the
    largest annual budgets, then the lowest execution rates, then a random share of the rest by
    ``random.Random(seed)``. Ties go to the lower id; no evaluation is drawn twice."""
    left = list(pool)
    chosen: list[tuple[Candidate, str]] = []

    def take(ranked: list[Candidate], n: int, reason: str) -> None:
        for candidate in ranked[:n]:
            chosen.append((candidate, reason))
            left.remove(candidate)

    take(
        sorted((c for c in left if c.risk > 0), key=lambda c: (-c.risk, c.evaluation_id)),
        criteria[DrawReason.RISK],
        DrawReason.RISK,
    )
    take(
        sorted((c for c in left if c.funds is not None), key=lambda c: (-c.funds, c.evaluation_id)),
        criteria[DrawReason.FUNDS],
        DrawReason.FUNDS,
    )
    take(
        sorted(
            (c for c in left if c.execution_rate is not None),
            key=lambda c: (c.execution_rate, c.evaluation_id),
        ),
        criteria[DrawReason.LOW_EXECUTION],
        DrawReason.LOW_EXECUTION,
    )
    n = min(criteria[DrawReason.RANDOM], len(left))
    take(random.Random(seed).sample(left, n), n, DrawReason.RANDOM)
    return chosen


def _region_of(user, region: Region | None) -> Region:
    regions = list(finance_regions(user))
    if region is not None:
        if region not in regions:
            raise NotPermitted("只有本地区的财政审阅人可以抽取复核样本。")
        return region
    if not regions:
        raise NotPermitted("只有财政审阅人可以抽取复核样本。")
    if len(regions) > 1:
        raise WorkflowError("您是多个地区的财政审阅人，请选择地区。")
    return regions[0]


@transaction.atomic
def draw_sample(
    user, year, criteria, seed=None, *, region: Region | None = None, notes: str = ""
) -> RecheckSample:
    """Draw and store a 复核 sample of the finance user's region for ``year`` (see :func:`choose`).

    The seed is recorded (generated when not given): the same criteria and seed on the same data draw
    the same sample."""
    region = _region_of(user, region)
    text = str(year or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidData({"year": ["请选择年度。"]})
    year = int(text)
    criteria = clean_criteria(criteria)
    seed = clean_seed(seed)
    notes = (notes or "").strip()
    if len(notes) > REASON_MAX_CHARS:
        raise InvalidData({"notes": [f"备注不能超过 {REASON_MAX_CHARS} 字。"]})
    pool = candidates(region, year)
    if not pool:
        raise WorkflowError(f"{region.name} {year} 年度没有已提交结果的自评，无从抽取。")
    chosen = choose(pool, criteria, seed)
    with acting_as(user):
        sample = RecheckSample(
            region=region, year=year, created_by=user, criteria=criteria, seed=seed, notes=notes
        )
        sample._change_reason = "抽取复核样本"
        sample.save()
        for order, (candidate, reason) in enumerate(chosen, start=1):
            item = RecheckItem(
                sample=sample,
                evaluation_id=candidate.evaluation_id,
                order=order,
                reason=reason,
                risk_score=round_score(candidate.risk),
            )
            item._change_reason = f"抽入样本（{DrawReason(reason).label}）"
            item.save()
    return sample


# --- re-scoring one sampled evaluation ------------------------------------------------------------


def lock_item(item: RecheckItem) -> RecheckItem:
    return (
        RecheckItem.objects.select_related("sample__region").select_for_update(of=("self",)).get(pk=item.pk)
    )


def _check_item_version(item: RecheckItem, expected_version) -> None:
    if expected_version is not None and str(expected_version) != str(item.version):
        by, at = last_change(item.history)
        raise VersionConflict(conflict_message("该复核记录", by, at), changed_by=by, changed_at=at)


def _bump(item: RecheckItem, reason: str, fields=()) -> None:
    item.version += 1
    item._change_reason = reason[:100]
    item.save(update_fields=["version", "updated_at", *fields])


def _open_item(user, item: RecheckItem, expected_version, *, assignee_may: bool = False) -> RecheckItem:
    item = lock_item(item)
    if assignee_may:
        if not may_score(user, item):
            raise NotPermitted("只有本地区的财政审阅人或受托的第三方评价机构可以复核打分。")
    else:
        _check_finance(user, item.sample.region)
    _check_item_version(item, expected_version)
    if item.status == ItemStatus.DONE:
        raise WorkflowError("该项复核已完成，不能再修改。")
    return item


def parse_score(value) -> Decimal | None:
    """A typed score as Decimal (None for blank), or InvalidData in Chinese."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(text) > 12:
        raise InvalidData({"score": [f"复核得分“{text[:20]}”不是数字。"]})
    return round_score(number)


@transaction.atomic
def record_indicator_score(
    user, item: RecheckItem, indicator: Indicator, score, reason: str, expected_version=None
):
    """Set (or, with a blank score, withdraw) the 复核得分 of one indicator: within [0, weight], rounded
    half-up to 2 places, with a reason. Returns the stored RecheckScore, or None when withdrawn.
    Finance of the region or the third-party reviewer the item is assigned to."""
    item = _open_item(user, item, expected_version, assignee_may=True)
    if indicator.project_id != Evaluation.objects.values_list("project_id", flat=True).get(
        pk=item.evaluation_id
    ):
        raise NotPermitted("该指标不属于本项复核的项目。")
    value = parse_score(score)
    reason = (reason or "").strip()
    existing = RecheckScore.objects.filter(item=item, indicator=indicator).first()
    with acting_as(user):
        if value is None:
            if existing is None:
                raise InvalidData({"score": ["请填写复核得分。"]})
            existing._change_reason = "撤回复核得分"
            existing.delete()
            _bump(item, f"撤回“{indicator.name[:40]}”的复核得分")
            return None
        errors: dict[str, list[str]] = {}
        if indicator.not_applicable:
            errors["score"] = ["该指标不适用，不计分。"]
        elif indicator.weight is None:
            errors["score"] = ["该指标没有分值，无法复核打分。"]
        elif not Decimal(0) <= value <= indicator.weight:
            errors["score"] = [f"复核得分须在 0 到 {indicator.weight} 之间。"]
        if not reason:
            errors["reason"] = ["请填写复核理由。"]
        elif len(reason) > REASON_MAX_CHARS:
            errors["reason"] = [f"复核理由不能超过 {REASON_MAX_CHARS} 字。"]
        if errors:
            raise InvalidData(errors)
        record = existing or RecheckScore(item=item, indicator=indicator)
        record.score, record.reason, record.updated_by = value, reason, user
        record._change_reason = "修改复核得分" if existing else "填写复核得分"
        record.save()
        _bump(item, f"“{indicator.name[:40]}”复核得分 {value}")
    return record


@dataclass(frozen=True)
class RecheckTotal:
    execution_score: Decimal
    indicators_sum: Decimal
    total: Decimal
    grade: str
    #: a level-1 subtotal (or the whole) is above its header weight and counted at it
    capped: bool = False


def recheck_total(item: RecheckItem) -> RecheckTotal:
    """Execution score + Σ over the applicable indicators of (the 复核得分 where given, else the computed
    score), each level 1 capped at the weight its header declares when the scheme caps subtotals (as the
    self-evaluation's total is), never above the scheme's total, rounded half-up; the grade by the
    scheme's thresholds (``Scheme.grade_for``, the same function as the self-evaluation's). Without any
    复核得分 it is the self-evaluation's computed total."""
    evaluation = Evaluation.objects.select_related("scheme").get(pk=item.evaluation_id)
    scheme = evaluation.scheme.engine_scheme()
    given = dict(RecheckScore.objects.filter(item=item).values_list("indicator_id", "score"))
    indicators = Indicator.objects.filter(project_id=evaluation.project_id, not_applicable=False)
    by_level1: dict[str, Decimal] = {}
    for pk, level1, score in indicators.values_list("pk", "level1", "score"):
        value = given.get(pk, score)
        by_level1[level1] = by_level1.get(level1, Decimal(0)) + (value if value is not None else Decimal(0))
    declared = declared_weights(evaluation.declared_level1_weights) if scheme.level1_cap else {}
    indicators_sum = sum(
        (min(value, declared[code]) if code in declared else value for code, value in by_level1.items()),
        Decimal(0),
    )
    execution = evaluation.execution_score or Decimal(0)
    total = round_score(min(execution + indicators_sum, scheme.total))
    capped = indicators_sum < sum(by_level1.values(), Decimal(0)) or execution + indicators_sum > scheme.total
    return RecheckTotal(execution, indicators_sum, total, scheme.grade_for(total) or "", capped)


@transaction.atomic
def finish_item(user, item: RecheckItem, findings: str, expected_version=None) -> RecheckItem:
    """Close the 复核 of one evaluation: store its 复核总分 and 复核等级 and the findings (required)."""
    item = _open_item(user, item, expected_version)
    findings = (findings or "").strip()
    if not findings:
        raise InvalidData({"findings": ["请填写复核发现（如无问题，请写明“未发现问题”）。"]})
    if len(findings) > FINDINGS_MAX_CHARS:
        raise InvalidData({"findings": [f"复核发现不能超过 {FINDINGS_MAX_CHARS} 字。"]})
    result = recheck_total(item)
    item.recheck_total, item.recheck_grade = result.total, result.grade
    item.findings, item.status, item.finished_at = findings, ItemStatus.DONE, timezone.now()
    with acting_as(user):
        _bump(
            item,
            f"完成复核：{result.total} 分（{result.grade}）",
            ["recheck_total", "recheck_grade", "findings", "status", "finished_at"],
        )
    return item


# --- a third-party reviewer (第三方评价机构) --------------------------------------------------------


def _grant_reason(item: RecheckItem) -> str:
    return f"复核记录 #{item.pk}"


@transaction.atomic
def assign_item(user, item: RecheckItem, assignee_id, expected_version=None) -> RecheckItem:
    """Assign the 复核 of one sampled evaluation to a third-party reviewer engaged by the region (or,
    with a blank ``assignee_id``, take it back): the reviewer then sees that project, and only it, and
    records 复核得分; finance still finishes the item. Finance of the region only."""
    item = _open_item(user, item, expected_version)
    text = str(assignee_id if assignee_id is not None else "").strip()
    assignee = None
    if text:
        if not (text.isascii() and text.isdigit() and len(text) < 12):
            raise InvalidData({"assignee": ["请选择第三方评价机构人员。"]})
        assignee = third_party_reviewers(item.sample.region).filter(pk=int(text)).first()
        if assignee is None:
            raise InvalidData({"assignee": ["所选人员不是本地区委托的第三方评价机构人员。"]})
    if assignee is not None and assignee.pk == item.assignee_id:
        return item
    project_id = Evaluation.objects.values_list("project_id", flat=True).get(pk=item.evaluation_id)
    with acting_as(user):
        ProjectGrant.objects.filter(project_id=project_id, reason=_grant_reason(item)).delete()
        if assignee is not None:
            ProjectGrant.objects.create(
                project_id=project_id, user=assignee, reason=_grant_reason(item), granted_by=user
            )
        before = item.assignee
        item.assignee = assignee
        if assignee is None:
            reason = (
                f"收回第三方复核（原为 {before.get_full_name() or before.username}）"
                if before
                else "收回第三方复核"
            )
        else:
            reason = f"委托第三方复核：{assignee.get_full_name() or assignee.username}"
        _bump(item, reason, ["assignee"])
    return item
