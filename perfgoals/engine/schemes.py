"""Scoring schemes: the rules a region applies, held as data.

A :class:`Scheme` is immutable and JSON-able (:meth:`Scheme.to_dict` / :meth:`Scheme.from_dict`,
Decimals as strings). Two schemes ship in :data:`SCHEMES`:

* ``shandong-2019`` (the default): exactly the notes printed under every 2019 自评表 in seed 001 —
  positive B/A × 分值, negative A/B × 分值, capped at the weight; qualitative indicators in three
  bands 100-80%(含) / 80-60%(含) / 60-0%; budget execution 10 points; the level-1 header weights
  (产出 50, 效益 30, 满意度 10) cap their subtotals.
* ``national-2020``: 财政部 项目支出绩效自评 practice — full weight when the target is met, else
  round(B/A × 分值, 2); "=" like positive; negative targets lose linearly with the excess and score 0
  from twice the target; an achievement 30% or more above the target needs an explanation.

Band limits are percentages of the indicator's weight. The printed rule "100-80%(含)" puts 80% in the
upper band, so every band is ``[low, high)`` except the top one, ``[low, 100]``. The five-level
(优良中低差: 90/80/60/30) and three-level (高中低: 80/60) scales are this product's defaults for the
structured tables of seed 002, which print the scale but no limits; administrators edit them as data.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from .vocabulary import LEVEL1

__all__ = [
    "DEFAULT_SCHEME_CODE",
    "SCHEMES",
    "Band",
    "Scheme",
    "SchemeError",
]

_HUNDRED = Decimal(100)


class SchemeError(ValueError):
    """A scheme's data is invalid; the message is in Chinese and names the field."""


@dataclass(frozen=True)
class Band:
    """One qualitative band: a share of the weight from ``low_pct`` to ``high_pct`` (percent).

    ``low_pct`` is always inclusive; ``high_pct`` only when ``high_inclusive`` (the top band).
    ``name`` is the printed name, ``short`` the short one shown and accepted ("部分完成"), ``aliases``
    further accepted spellings.
    """

    name: str
    short: str
    low_pct: Decimal
    high_pct: Decimal
    high_inclusive: bool = False
    aliases: tuple[str, ...] = ()

    def labels(self) -> tuple[str, ...]:
        """Every spelling that selects this band."""
        return (self.name, self.short, *self.aliases)

    def matches(self, label: str) -> bool:
        """True when ``label`` (whitespace ignored) names this band."""
        wanted = "".join(label.split())
        return any(wanted == "".join(candidate.split()) for candidate in self.labels())

    def low_score(self, weight: Decimal) -> Decimal:
        """The lowest score inside the band for a weight."""
        return weight * self.low_pct / _HUNDRED

    def top_score(self, weight: Decimal, places: int = 2) -> Decimal:
        """The highest score inside the band for a weight, at ``places`` decimal places.

        For an open upper limit ("部分完成" is [60%, 80%)) this is one unit of the last place below
        the limit, since the limit itself belongs to the band above; never below the band's low score.
        """
        high = weight * self.high_pct / _HUNDRED
        if self.high_inclusive:
            return high
        return max(high - Decimal(1).scaleb(-places), self.low_score(weight))

    def contains(self, score: Decimal, weight: Decimal) -> bool:
        """True when ``score`` lies inside the band for ``weight`` (a zero weight admits only 0)."""
        if weight == 0:
            return score == 0
        if score < self.low_score(weight):
            return False
        high = weight * self.high_pct / _HUNDRED
        return score <= high if self.high_inclusive else score < high

    def range_display(self) -> str:
        """The band's limits as printed in explanations, e.g. "60%–80%"."""
        return f"{_fmt(self.low_pct)}%–{_fmt(self.high_pct)}%"


def _fmt(value: Decimal) -> str:
    text = str(value)  # format(value, "f") unless str shows an exponent (str is much faster than format)
    if "E" in text or "e" in text or not value.is_finite():
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


THREE_BANDS: tuple[Band, ...] = (
    Band("完成预期指标", "完成", Decimal(80), Decimal(100), True, ("完成预期",)),
    Band(
        "部分完成预期指标并具有一定效果", "部分完成", Decimal(60), Decimal(80), False, ("部分完成预期指标",)
    ),
    Band("未完成预期指标且效果较差", "未完成", Decimal(0), Decimal(60), False, ("未完成预期指标",)),
)
FIVE_BANDS: tuple[Band, ...] = (
    Band("优", "优", Decimal(90), Decimal(100), True, ("优秀",)),
    Band("良", "良", Decimal(80), Decimal(90), False, ("良好",)),
    Band("中", "中", Decimal(60), Decimal(80), False, ("中等",)),
    Band("低", "低", Decimal(30), Decimal(60), False, ("较低",)),
    Band("差", "差", Decimal(0), Decimal(30), False, ("较差",)),
)
HML_BANDS: tuple[Band, ...] = (
    Band("高", "高", Decimal(80), Decimal(100), True, ("较高",)),
    Band("中", "中", Decimal(60), Decimal(80), False, ("中等",)),
    Band("低", "低", Decimal(0), Decimal(60), False, ("较低",)),
)

_DEFAULT_BANDS: Mapping[str, tuple[Band, ...]] = MappingProxyType(
    {"three": THREE_BANDS, "five": FIVE_BANDS, "hml": HML_BANDS}
)
_DEFAULT_LEVEL1: Mapping[str, Decimal] = MappingProxyType(
    {"output": Decimal(50), "benefit": Decimal(30), "satisfaction": Decimal(10)}
)
#: the 2021+ layout, 成本指标 at level 1 (财预〔2021〕101号's guidance: with a 成本 category, 成本 20,
#: 产出 40, 效益 20, 满意度 10 beside 预算执行 10): a project-year that has level-1 成本 indicators is
#: checked against these
_DEFAULT_LEVEL1_WITH_COST: Mapping[str, Decimal] = MappingProxyType(
    {"output": Decimal(40), "cost": Decimal(20), "benefit": Decimal(20), "satisfaction": Decimal(10)}
)
_DEFAULT_GRADES: tuple[tuple[str, Decimal], ...] = (
    ("优", Decimal(90)),
    ("良", Decimal(80)),
    ("中", Decimal(60)),
    ("差", Decimal(0)),
)

#: the tolerance of an "≈" / "左右" target under ``approx_as = "tolerance"``, as a share of the target:
#: "75%左右" is met from 71.25% to 78.75%. Schemes have no field for it yet: one value for all.
APPROX_TOLERANCE = Decimal("0.05")

_CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "execution_rounding": ("2dp", "integer"),
        "positive_formula": ("ratio",),
        "negative_formula": ("inverse_ratio", "linear_excess"),
        "equal_as": ("positive", "two_sided"),
        "approx_as": ("positive", "two_sided", "tolerance"),
        "deadline_late": ("zero", "band"),
        "default_scale": ("three", "five", "hml"),
        "overshoot_deduction_as": ("points", "share"),
    }
)


@dataclass(frozen=True)
class Scheme:
    """A scoring scheme. The defaults are the Shandong 2019 rules printed in seed 001.

    Formulas: ``positive_formula`` "ratio" = B/A × 分值; ``negative_formula`` "inverse_ratio" = A/B ×
    分值 or "linear_excess" = full when B ≤ A, (1 − (B−A)/A) × 分值 for A < B < 2A, 0 from 2A.
    ``equal_as`` / ``approx_as``: "positive" (score "=" / "≈" targets like "≥") or "two_sided"
    (min(A/B, B/A) × 分值: a miss either way costs); ``approx_as`` also "tolerance": an "≈" / "左右"
    target is met within ±:data:`APPROX_TOLERANCE` of A (full marks), and scored against the nearer
    edge of that band outside it (B ÷ (A × (1 − t)) × 分值 below, A × (1 + t) ÷ B × 分值 above). ``full_when_met``: a met target scores the full
    weight without a ratio. ``overshoot_threshold``: an achievement ratio of 1 + threshold or more
    needs an explanation (None: never). ``deadline_late``: a late deadline scores "zero", or by the
    user's "band". ``score_places``: decimal places of an indicator score (half-up).
    ``execution_caps``: the total's ceiling by budget execution rate, as (rate below, highest total)
    pairs — e.g. ((0.8, 89), (0.7, 79), (0.6, 69), (0.5, 59)): an execution rate under 80 % caps the
    total at 89, under 70 % at 79 …; the lowest ceiling that applies wins (empty: no ceiling).
    ``satisfaction_to_benefit``: a project-year without a 满意度 indicator gives its default weight to
    效益 (the default weights are compared so: 效益 40 instead of 30, no 满意度).
    ``overshoot_deduction`` / ``overshoot_deduction_as``: 指标偏离 — a positive (≥) quantitative
    indicator whose actual reaches target × (1 + ``overshoot_threshold``) loses ``overshoot_deduction``
    "points", or that "share" of its weight, after the formula (and the cap), never below 0; 0: off.
    It needs ``overshoot_threshold``; only indicators scored by the positive formula are deducted.
    """

    code: str
    name: str
    description: str = ""
    execution_weight: Decimal = Decimal(10)
    execution_rounding: str = "2dp"
    level1_weights: Mapping[str, Decimal] = field(default_factory=lambda: _DEFAULT_LEVEL1)
    level1_weights_with_cost: Mapping[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal(100)
    positive_formula: str = "ratio"
    negative_formula: str = "inverse_ratio"
    equal_as: str = "positive"
    approx_as: str = "positive"
    full_when_met: bool = False
    cap_at_weight: bool = True
    bands: Mapping[str, tuple[Band, ...]] = field(default_factory=lambda: _DEFAULT_BANDS)
    default_scale: str = "three"
    grade_thresholds: tuple[tuple[str, Decimal], ...] = _DEFAULT_GRADES
    low_score_threshold: Decimal = Decimal(80)
    overshoot_threshold: Decimal | None = None
    drop_not_applicable: bool = False
    level1_cap: bool = True
    deadline_late: str = "zero"
    score_places: int = 2
    execution_caps: tuple[tuple[Decimal, Decimal], ...] = ()
    satisfaction_to_benefit: bool = False
    overshoot_deduction: Decimal = Decimal(0)
    overshoot_deduction_as: str = "points"

    def __post_init__(self) -> None:
        # freeze the containers so that a Scheme really is immutable, then validate
        object.__setattr__(self, "level1_weights", MappingProxyType(dict(self.level1_weights)))
        object.__setattr__(
            self, "level1_weights_with_cost", MappingProxyType(dict(self.level1_weights_with_cost))
        )
        object.__setattr__(
            self, "bands", MappingProxyType({scale: tuple(bands) for scale, bands in self.bands.items()})
        )
        object.__setattr__(self, "grade_thresholds", tuple(tuple(item) for item in self.grade_thresholds))
        object.__setattr__(self, "execution_caps", tuple(tuple(item) for item in self.execution_caps))
        _validate(self)

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scheme):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def default_level1_weights(self, level1_codes) -> Mapping[str, Decimal]:
        """The default level-1 weights for a project-year whose indicators fall under these level-1
        codes. With 成本 at level 1 (the 2021+ layout): ``level1_weights_with_cost`` when the scheme
        sets them, else — for the usual 产出 50 / 效益 30 / 满意度 10 — 财预〔2021〕101号's 产出 40 /
        成本 20 / 效益 20 / 满意度 10; a scheme with other weights and none for 成本 keeps its own."""
        if "cost" not in level1_codes:
            return self.level1_weights
        if self.level1_weights_with_cost:
            return self.level1_weights_with_cost
        if dict(self.level1_weights) == dict(_DEFAULT_LEVEL1):
            return _DEFAULT_LEVEL1_WITH_COST
        return self.level1_weights

    def find_band(self, label: str | None, scale: str | None = None) -> tuple[str, Band] | None:
        """The (scale, band) a label names, searching ``scale`` first and then the other scales."""
        if not label:
            return None
        order = [scale] if scale in self.bands else []
        order += [name for name in self.bands if name not in order]
        for name in order:
            for band in self.bands[name]:
                if band.matches(label):
                    return name, band
        return None

    def execution_cap(self, rate: Decimal | None) -> Decimal | None:
        """The highest total an execution rate allows (None: no ceiling applies)."""
        if rate is None:
            return None
        caps = [ceiling for below, ceiling in self.execution_caps if rate < below]
        return min(caps) if caps else None

    def grade_for(self, total: Decimal) -> str | None:
        """The grade of a total by the thresholds (highest first)."""
        for name, threshold in self.grade_thresholds:
            if total >= threshold:
                return name
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (Decimals as strings) that :meth:`from_dict` reads back."""
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "execution_weight": str(self.execution_weight),
            "execution_rounding": self.execution_rounding,
            "level1_weights": {code: str(weight) for code, weight in self.level1_weights.items()},
            "level1_weights_with_cost": {
                code: str(weight) for code, weight in self.level1_weights_with_cost.items()
            },
            "total": str(self.total),
            "positive_formula": self.positive_formula,
            "negative_formula": self.negative_formula,
            "equal_as": self.equal_as,
            "approx_as": self.approx_as,
            "full_when_met": self.full_when_met,
            "cap_at_weight": self.cap_at_weight,
            "bands": {
                scale: [
                    {
                        "name": band.name,
                        "short": band.short,
                        "low_pct": str(band.low_pct),
                        "high_pct": str(band.high_pct),
                        "high_inclusive": band.high_inclusive,
                        "aliases": list(band.aliases),
                    }
                    for band in bands
                ]
                for scale, bands in self.bands.items()
            },
            "default_scale": self.default_scale,
            "grade_thresholds": [[name, str(threshold)] for name, threshold in self.grade_thresholds],
            "low_score_threshold": str(self.low_score_threshold),
            "overshoot_threshold": None
            if self.overshoot_threshold is None
            else str(self.overshoot_threshold),
            "execution_caps": [[str(below), str(ceiling)] for below, ceiling in self.execution_caps],
            "satisfaction_to_benefit": self.satisfaction_to_benefit,
            "overshoot_deduction": str(self.overshoot_deduction),
            "overshoot_deduction_as": self.overshoot_deduction_as,
            "drop_not_applicable": self.drop_not_applicable,
            "level1_cap": self.level1_cap,
            "deadline_late": self.deadline_late,
            "score_places": self.score_places,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        """Build a Scheme from :meth:`to_dict` output (or admin-edited JSON); missing fields take the
        Shandong defaults. Raises :class:`SchemeError` with a Chinese message for bad data."""
        if not isinstance(data, Mapping):
            raise SchemeError("评分方案必须是一个字典（JSON 对象）")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise SchemeError(f"评分方案含未知字段：{'、'.join(unknown)}")
        for required in ("code", "name"):
            if not isinstance(data.get(required), str) or not data[required].strip():
                raise SchemeError(f"评分方案缺少字段 {required}（须为非空文字）")
        kwargs: dict[str, Any] = {"code": data["code"], "name": data["name"]}
        if "description" in data:
            kwargs["description"] = _text(data["description"], "description")
        for key in ("execution_weight", "total", "low_score_threshold", "overshoot_deduction"):
            if key in data:
                kwargs[key] = _decimal(data[key], key)
        if "overshoot_threshold" in data:
            value = data["overshoot_threshold"]
            kwargs["overshoot_threshold"] = None if value is None else _decimal(value, "overshoot_threshold")
        for key in _CHOICES:
            if key in data:
                kwargs[key] = _text(data[key], key)
        for key in (
            "full_when_met",
            "cap_at_weight",
            "drop_not_applicable",
            "level1_cap",
            "satisfaction_to_benefit",
        ):
            if key in data:
                if not isinstance(data[key], bool):
                    raise SchemeError(f"字段 {key} 须为 true 或 false")
                kwargs[key] = data[key]
        if "score_places" in data:
            places = data["score_places"]
            if isinstance(places, bool) or not isinstance(places, int):
                raise SchemeError("字段 score_places 须为整数")
            kwargs["score_places"] = places
        for key in ("level1_weights", "level1_weights_with_cost"):
            if key in data:
                weights = data[key]
                if not isinstance(weights, Mapping):
                    raise SchemeError(f"字段 {key} 须为 一级指标代码 → 分值 的字典")
                kwargs[key] = {
                    str(code): _decimal(weight, f"{key}.{code}") for code, weight in weights.items()
                }
        if "bands" in data:
            kwargs["bands"] = _bands(data["bands"])
        if "grade_thresholds" in data:
            kwargs["grade_thresholds"] = _grades(data["grade_thresholds"])
        if "execution_caps" in data:
            caps = data["execution_caps"]
            if not isinstance(caps, list | tuple) or not all(
                isinstance(item, list | tuple) and len(item) == 2 for item in caps
            ):
                raise SchemeError(
                    '字段 execution_caps 须为 [执行率上限, 总分上限] 的列表，如 [["0.8", "89"]]'
                )
            kwargs["execution_caps"] = tuple(
                (_decimal(below, "execution_caps"), _decimal(ceiling, "execution_caps"))
                for below, ceiling in caps
            )
        return cls(**kwargs)


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise SchemeError(f"字段 {key} 须为文字")
    return value


def _decimal(value: Any, key: str) -> Decimal:
    # floats are refused: a scheme is money-adjacent data and must round-trip exactly
    if isinstance(value, bool) or isinstance(value, float):
        raise SchemeError(f"字段 {key} 须为数值字符串或整数，不能是浮点数")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise SchemeError(f"字段 {key} 须为数值，收到“{value}”") from exc
    else:
        raise SchemeError(f"字段 {key} 须为数值")
    if not result.is_finite():
        raise SchemeError(f"字段 {key} 须为有限数值")
    return result


def _bands(data: Any) -> dict[str, tuple[Band, ...]]:
    if not isinstance(data, Mapping):
        raise SchemeError("字段 bands 须为 等级制 → 档次列表 的字典")
    result: dict[str, tuple[Band, ...]] = {}
    for scale, items in data.items():
        if not isinstance(items, list | tuple) or not items:
            raise SchemeError(f"等级制 {scale} 的档次须为非空列表")
        bands = []
        for index, item in enumerate(items, start=1):
            where = f"bands.{scale}[{index}]"
            if not isinstance(item, Mapping):
                raise SchemeError(f"{where} 须为字典")
            extra = sorted(set(item) - {"name", "short", "low_pct", "high_pct", "high_inclusive", "aliases"})
            if extra:
                raise SchemeError(f"{where} 含未知字段：{'、'.join(map(str, extra))}")
            name = _text(item.get("name"), f"{where}.name")
            short = _text(item.get("short", name), f"{where}.short")
            aliases = item.get("aliases", [])
            if not isinstance(aliases, list | tuple) or not all(isinstance(a, str) for a in aliases):
                raise SchemeError(f"{where}.aliases 须为文字列表")
            inclusive = item.get("high_inclusive", False)
            if not isinstance(inclusive, bool):
                raise SchemeError(f"{where}.high_inclusive 须为 true 或 false")
            bands.append(
                Band(
                    name=name,
                    short=short,
                    low_pct=_decimal(item.get("low_pct"), f"{where}.low_pct"),
                    high_pct=_decimal(item.get("high_pct"), f"{where}.high_pct"),
                    high_inclusive=inclusive,
                    aliases=tuple(aliases),
                )
            )
        result[str(scale)] = tuple(bands)
    return result


def _grades(data: Any) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(data, list | tuple) or not data:
        raise SchemeError("字段 grade_thresholds 须为 [等级, 最低分] 的非空列表")
    grades = []
    for item in data:
        if not isinstance(item, list | tuple) or len(item) != 2 or not isinstance(item[0], str):
            raise SchemeError("grade_thresholds 的每一项须为 [等级, 最低分]")
        grades.append((item[0], _decimal(item[1], f"grade_thresholds.{item[0]}")))
    return tuple(grades)


def _validate(scheme: Scheme) -> None:
    """Check a scheme's invariants; raise SchemeError (Chinese) on the first violation."""
    if not isinstance(scheme.code, str) or not scheme.code.strip():
        raise SchemeError("评分方案代码不能为空")
    if not isinstance(scheme.name, str) or not scheme.name.strip():
        raise SchemeError("评分方案名称不能为空")
    for key, choices in _CHOICES.items():
        value = getattr(scheme, key)
        if value not in choices:
            raise SchemeError(f"字段 {key} 的取值“{value}”无效，可选：{'、'.join(choices)}")
    for key in ("execution_weight", "total", "low_score_threshold"):
        value = getattr(scheme, key)
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise SchemeError(f"字段 {key} 须为非负数值")
    if scheme.total <= 0:
        raise SchemeError("总分须大于 0")
    if scheme.overshoot_threshold is not None and (
        not isinstance(scheme.overshoot_threshold, Decimal) or scheme.overshoot_threshold < 0
    ):
        raise SchemeError("超额阈值 overshoot_threshold 须为非负数值或空")
    _validate_deduction(scheme)
    for below, ceiling in scheme.execution_caps:
        if not all(isinstance(v, Decimal) and v.is_finite() for v in (below, ceiling)):
            raise SchemeError("执行率封顶 execution_caps 的每一项须为两个数值")
        if not 0 < below <= 1:
            raise SchemeError(f"执行率封顶的执行率 {below} 须大于 0、不超过 1（如 0.8 表示 80%）")
        if not 0 <= ceiling <= scheme.total:
            raise SchemeError(f"执行率封顶的总分上限 {ceiling} 须在 0 到总分 {scheme.total} 之间")
    if isinstance(scheme.score_places, bool) or not isinstance(scheme.score_places, int):
        raise SchemeError("字段 score_places 须为整数")
    if not 0 <= scheme.score_places <= 4:
        raise SchemeError("得分小数位 score_places 须在 0 到 4 之间")
    checked = [("", scheme.level1_weights)]
    if scheme.level1_weights_with_cost:
        checked.append(("（设成本指标时）", scheme.level1_weights_with_cost))
    for key, weights in checked:
        for code, weight in weights.items():
            if code not in LEVEL1:
                raise SchemeError(f"一级指标代码“{code}”无效{key}，可选：{'、'.join(LEVEL1)}")
            if not isinstance(weight, Decimal) or not weight.is_finite() or weight < 0:
                raise SchemeError(f"一级指标 {LEVEL1[code]} 的分值{key}须为非负数值")
        weight_sum = scheme.execution_weight + sum(weights.values(), Decimal(0))
        if weight_sum != scheme.total:
            raise SchemeError(
                f"预算执行分值与一级指标分值{key}合计 {_fmt(weight_sum)}，应等于总分 {_fmt(scheme.total)}"
            )
    if scheme.default_scale not in scheme.bands:
        raise SchemeError(f"默认等级制“{scheme.default_scale}”没有定义档次")
    for scale, bands in scheme.bands.items():
        _validate_bands(scale, bands)
    previous: Decimal | None = None
    for name, threshold in scheme.grade_thresholds:
        if not isinstance(name, str) or not name or not isinstance(threshold, Decimal):
            raise SchemeError("等级阈值须为 (等级名称, 最低分)")
        if previous is not None and threshold >= previous:
            raise SchemeError("等级阈值须从高到低排列")
        previous = threshold
    if previous is None or previous != 0:
        raise SchemeError("最低一档等级的最低分须为 0，使每个总分都有等级")


def _validate_deduction(scheme: Scheme) -> None:
    deduction = scheme.overshoot_deduction
    if isinstance(deduction, bool) or not isinstance(deduction, Decimal) or not deduction.is_finite():
        raise SchemeError("指标偏离扣分 overshoot_deduction 须为数值（0 表示不扣分）")
    if deduction < 0:
        raise SchemeError(f"指标偏离扣分 overshoot_deduction 不能为负数，收到 {_fmt(deduction)}")
    if deduction == 0:
        return
    if scheme.overshoot_threshold is None:
        raise SchemeError(
            "设置了指标偏离扣分 overshoot_deduction，须同时设置超额阈值 overshoot_threshold（如 0.30）"
        )
    if scheme.overshoot_threshold <= 0:
        raise SchemeError("指标偏离扣分须配合大于 0 的超额阈值 overshoot_threshold（如 0.30 表示超出 30%）")
    if scheme.overshoot_deduction_as == "share" and deduction > 1:
        raise SchemeError(
            f"按分值比例扣分（share）时 overshoot_deduction 须在 0 到 1 之间（如 0.2 表示扣分值的 20%），"
            f"收到 {_fmt(deduction)}"
        )
    if scheme.overshoot_deduction_as == "points" and deduction > scheme.total:
        raise SchemeError(f"指标偏离扣分 {_fmt(deduction)} 分超过总分 {_fmt(scheme.total)}")


def _validate_bands(scale: str, bands: tuple[Band, ...]) -> None:
    if not bands:
        raise SchemeError(f"等级制 {scale} 没有档次")
    ordered = sorted(bands, key=lambda band: band.low_pct)
    if ordered[0].low_pct != 0:
        raise SchemeError(f"等级制 {scale} 的最低档须从 0% 起")
    for band in ordered:
        if not isinstance(band, Band) or not band.name:
            raise SchemeError(f"等级制 {scale} 含无效档次")
        if not band.low_pct < band.high_pct <= _HUNDRED:
            raise SchemeError(f"档次“{band.name}”的范围 {band.range_display()} 无效")
    for lower, upper in zip(ordered, ordered[1:], strict=False):
        if lower.high_pct != upper.low_pct or lower.high_inclusive:
            raise SchemeError(f"等级制 {scale} 的档次“{lower.name}”与“{upper.name}”之间有空隙或重叠")
    top = ordered[-1]
    if top.high_pct != _HUNDRED or not top.high_inclusive:
        raise SchemeError(f"等级制 {scale} 的最高档须到 100%（含）")
    seen: set[str] = set()
    for band in bands:
        own = {"".join(label.split()) for label in band.labels()}
        clash = own & seen
        if clash:
            raise SchemeError(f"等级制 {scale} 中档次名称“{'、'.join(sorted(clash))}”重复")
        seen |= own


SHANDONG_2019 = Scheme(
    code="shandong-2019",
    name="山东省 2019 市级项目支出绩效自评规则",
    description=(
        "按 2019 年度市级预算项目支出绩效自评表所附说明评分：1. 得分一档最高不能超过该指标分值上限；"
        "2. 定性指标分完成预期指标、部分完成预期指标并具有一定效果、未完成预期指标且效果较差三档，"
        "分别按该指标分值的 100-80%(含)、80-60%(含)、60-0% 确定分值；"
        "3. 正向定量指标（≥*）得分 = 全年实际值(B) ÷ 年度指标值(A) × 分值，"
        "反向定量指标（≤*）得分 = 年度指标值(A) ÷ 全年实际值(B) × 分值；"
        "4. 未完成目标须说明偏差原因；5. 自评得分 80 分以下须说明原因和改进措施。"
        "预算执行 10 分（执行率 × 10，最高 10 分），产出 50 分、效益 30 分、满意度 10 分，"
        "一级指标小计不超过表头分值。"
    ),
)

NATIONAL_2020 = Scheme(
    code="national-2020",
    name="财政部项目支出绩效自评规则",
    description=(
        "财政部项目支出绩效自评做法：定量指标完成目标的得满分，未完成的按 实际值 ÷ 目标值 × 分值 "
        "计分（保留两位小数）；“=”按正向处理；反向指标实际值不超过目标值得满分，超过的按 "
        "(1 − (实际值 − 目标值) ÷ 目标值) × 分值 计分，达到目标值 2 倍及以上不得分；目标值为 0 的 "
        "“=”或“≤”指标实际值不超过 0 得满分，否则不得分。实际完成超过目标 30% 及以上的，"
        "须说明目标设定偏低等原因。预算执行 10 分，产出 50 分、效益 30 分、满意度 10 分。"
    ),
    full_when_met=True,
    negative_formula="linear_excess",
    overshoot_threshold=Decimal("0.30"),
    level1_cap=False,
)

PLATFORM_CAPS = Scheme(
    code="platform-caps",
    name="预算管理一体化平台自评规则（执行率封顶）",
    description=(
        "按山东 2019 年自评规则计分（正向 B ÷ A × 分值、反向 A ÷ B × 分值，单项不超过分值，一级指标小计"
        "不超过表头分值），并按预算管理一体化平台的做法以预算执行率限定总分：执行率 80% 以下的总分最高 "
        "89 分，70% 以下最高 79 分，60% 以下最高 69 分，50% 以下最高 59 分。“≈”“左右”的目标在目标值 "
        "±5% 以内得满分，超出的按较近的一端计分。实际完成超过目标 30% 及以上的，须说明目标是否偏低。"
        "未设满意度指标的项目，满意度分值并入效益。正向定量指标实际超出目标 30% 及以上的，按指标偏离"
        "扣 2 分（不低于 0 分）。"
    ),
    approx_as="tolerance",
    overshoot_threshold=Decimal("0.30"),
    overshoot_deduction=Decimal(2),
    satisfaction_to_benefit=True,
    execution_caps=(
        (Decimal("0.8"), Decimal(89)),
        (Decimal("0.7"), Decimal(79)),
        (Decimal("0.6"), Decimal(69)),
        (Decimal("0.5"), Decimal(59)),
    ),
)

#: every option of a scheme in words, for the people who edit schemes (the admin shows this list)
OPTION_HELP: Mapping[str, str] = MappingProxyType(
    {
        "code": "方案代码（字母、数字、连字符），如 shandong-2019",
        "name": "方案名称",
        "description": "方案说明（评分规则原文或出处）",
        "execution_weight": "预算执行率的分值，如 10",
        "execution_rounding": "预算执行得分的取舍：2dp 保留两位小数，integer 取整",
        "level1_weights": '一级指标默认分值，如 {"output": 50, "benefit": 30, "satisfaction": 10}',
        "level1_weights_with_cost": '设成本指标（2021 年起的格式，成本为一级指标）时的一级指标默认分值，如 {"output": 40, "cost": 20, "benefit": 20, "satisfaction": 10}；空：一级指标默认分值为 产出 50、效益 30、满意度 10 时按 产出 40、成本 20、效益 20、满意度 10 核对，否则按一级指标默认分值',
        "total": "总分，须等于预算执行分值与一级指标分值之和，如 100",
        "positive_formula": "正向指标公式：ratio 实际值 ÷ 目标值 × 分值",
        "negative_formula": "反向指标公式：inverse_ratio 目标值 ÷ 实际值 × 分值；linear_excess 超出目标的比例扣分，达到 2 倍不得分",
        "equal_as": "“＝”目标：positive 按正向计分；two_sided 偏离任一方向都扣分",
        "approx_as": "“≈/左右”目标：positive 按正向；two_sided 双向；tolerance 目标值 ±5% 内得满分",
        "full_when_met": "true：达到目标即得满分（不按比例）",
        "cap_at_weight": "true：单项得分不超过该项分值",
        "bands": "定性指标的档次（名称、得分比例上下限、别名），按档次量表 three / five / hml 分组",
        "default_scale": "未注明量表时使用的档次量表：three、five 或 hml",
        "grade_thresholds": '等级分数线，如 [["优", 90], ["良", 80], ["中", 60], ["差", 0]]',
        "low_score_threshold": "低于此总分须说明原因和改进措施，如 80",
        "overshoot_threshold": "实际超过目标达此比例须说明目标是否偏低，如 0.30；空：不检查",
        "drop_not_applicable": "true：不适用的指标不计，其分值按比例分给其余指标",
        "level1_cap": "true：一级指标小计不超过表头分值",
        "deadline_late": "逾期完成的时限指标：zero 不得分；band 由填报人评定档次",
        "score_places": "单项得分保留的小数位（0–4），四舍五入",
        "satisfaction_to_benefit": "true：项目未设满意度指标时，满意度的默认分值并入效益（效益按 40 分核对）",
        "overshoot_deduction": "指标偏离扣分：正向定量指标实际 ≥ 目标 × (1 + 超额阈值) 时扣的分数（或比例，见下项），扣后不低于 0；0：不扣分；须同时设置 overshoot_threshold，如 2",
        "overshoot_deduction_as": "指标偏离扣分的单位：points 扣固定分数（如 2 分）；share 扣该指标分值的比例（如 0.2 即 20%，不超过 1）",
        "execution_caps": '按预算执行率限定总分：[[执行率, 总分上限], …]，如 [["0.8", "89"], ["0.7", "79"]] 表示执行率低于 80% 总分最高 89 分、低于 70% 最高 79 分；空：不限定',
    }
)

#: the shipped schemes, by code (read-only)
SCHEMES: Mapping[str, Scheme] = MappingProxyType(
    {s.code: s for s in (SHANDONG_2019, NATIONAL_2020, PLATFORM_CAPS)}
)

#: the scheme used when a region has chosen none
DEFAULT_SCHEME_CODE = "shandong-2019"
