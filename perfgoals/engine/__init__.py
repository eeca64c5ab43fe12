"""The pure-Python engine of 绩效目标与绩效自评: reading printed values, scoring, schemes.

No Django here (and nothing may import it): the engine works on plain immutable inputs and returns
immutable results, so that it can be tested alone and called from views, tasks and importers alike.
Money and scores are ``decimal.Decimal`` throughout — floats are refused at the door.

Public API
==========

Vocabulary (:mod:`.vocabulary`)
    ``LEVEL1`` / ``LEVEL2`` (read-only code → canonical name), ``LEVEL2_PARENT``, ``GENERATIONS``
    ("2019" / "2021" → level-2 codes in print order), ``level1_of(code)``, ``level1_name(code)``,
    ``level2_name(code)``, ``normalise_level1(printed)``, ``normalise_level2(printed, level1_code=None)``,
    ``parse_level1_header("产出指标（50 分）") -> (code, Decimal)``.

Values (:mod:`.values`, the reader; :mod:`.valuetypes` what it builds; :mod:`.units` text, numbers, units)
    ``parse(text, *, nature=None, unit=None) -> Value`` (never raises), ``Value``, ``Kind``,
    ``Direction``, ``Deadline`` (``.resolve(default_year) -> date``), ``compatible(a, b)``,
    ``adopt_unit(actual, target)``.

Nature (:mod:`.nature`)
    ``suggest_direction(name) -> Direction | None``, ``direction_signal(name)`` (with the keyword),
    ``read_name(name) -> NameSignal`` (direction, word and its Chinese reason), ``LEXICON`` (of ``Cue``).

Schemes (:mod:`.schemes`)
    ``Scheme`` (``to_dict()`` / ``Scheme.from_dict(d)``), ``Band``, ``SchemeError``, ``SCHEMES``
    ("shandong-2019", "national-2020"), ``DEFAULT_SCHEME_CODE``.

Scoring
    :mod:`.types`: ``IndicatorInput``, ``IndicatorResult``, ``Flag`` (``.label`` in Chinese),
    ``EvaluationInput``, ``EvaluationResult``, ``Subtotal``, ``EvaluationWarning`` (``code``,
    ``message``). :mod:`.speed`: ``score_indicator(inp, scheme, *, year=None) -> IndicatorResult``
    (caches and a fast path over :mod:`.rules`, where every formula is written).
    :mod:`.evaluation`: ``score_evaluation(inp, scheme) -> EvaluationResult``.

Decisions
=========

Reading values
    * Whitespace is meaningless in Chinese cells (the seeds break them anywhere) and is removed;
      full-width forms are folded by NFKC; ≧ ≦ ═ ﹦ >= <= are folded to ≥ ≤ =.
    * Exactly one number is read as a quantity when an operator or a word fixes its meaning
      (≥, 以上, 不高于 …) — even inside a long paragraph ("原则上个人负担比例不高于10%" → ≤ 10%) —
      or when the prose around it is short (≤ 12 Chinese characters: "个人负担比例为 6.9%").
      Two or more numbers ("甲类 16 种乙类 44 种", several "不少于" clauses) make a composite
      description: qualitative, note "复合描述". A text that is a range and nothing else ("90%-95%",
      "3-5天") is a quantity with both ends (``low``, ``high``; ``number`` the lower end), scored
      against the lower end when positive and the upper when negative; a range inside prose stays
      qualitative ("区间").
    * Chinese numerals before a unit or 月 read as digits ("四次", "十二月底前", "百分之百", note
      "中文数字"), never inside a word (一站式, 三公经费, 第一批, 一次性).
    * "左右" / "约" give ``Direction.APPROX`` and win over a weaker "达到" in the same phrase
      ("达到 75%左右" → ≈ 75%). Schemes score ≈ like ≥ by default (``approx_as``); ``approx_as =
      "tolerance"`` meets it within ±``schemes.APPROX_TOLERANCE`` and scores from the band's edges.
    * ">" / "<" and 超过 / 高于 / 低于 / 小于 set ``strict``. Ratio formulas cannot express
      strictness, so a strict target met with equality scores by the formula (full) but is reported
      ``achieved = False``.
    * "余" / "多" ("200余人", "11 万余人次") keep the printed number, with no direction: the
      reading is the lower bound, noted as "余（略多于所列数值，按所列数值计）".
    * "无" alone is the quantity 0. Blank, None, or a lone dash/slash is ``EMPTY``.
    * Chinese prose without a number is ``QUALITATIVE``; only text without any Chinese that cannot
      be read ("abc%%", "≥≥", "12..5") is ``UNREADABLE``.
    * The 指标性质 column wins over the text: "定性" makes any text qualitative; ≥ ≤ ＝ set the
      direction (``direction_source = "column"``). The 度量单位 column supplies the unit (and its
      magnitude: "万册") when the text has none; a unit written in the text wins over the column.
    * Units are compared after folding synonyms (人数 → 人, 日 → 天, 百分比 → %, 台（套） → 台);
      人 and 人次 are different units. An actual without a unit takes the target's
      (``adopt_unit``); a bare number ("400.3" against "400 万人以上") takes the target's magnitude
      too, because the user typed it in the target's terms. An actual in a unit that converts
      (分钟/小时/天/周, 个月/季度/年, ‰/%, compound units in another order) is compared in the
      target's unit, the conversion shown ("换算 …"); 工作日 and days, months and days never convert.
    * Never converted silently, flagged instead: a share typed as a decimal ("0.92" against "≥90%",
      ``DECIMAL_SHARE``), an actual in another magnitude 10 times off (``MAGNITUDE_IMPLAUSIBLE``), a
      chosen direction opposite to the printed ≥/≤ (``DIRECTION_CONTRADICTS_TARGET``).

Deadlines
    ``Deadline.resolve`` gives the latest date that still counts as on time: "11月底前" → 30 Nov,
    "9月前" → 31 Aug (before September), "2023年12月" → 31 Dec 2023, "2019 年完成" → 31 Dec 2019,
    "12月31日前" → 31 Dec (a day-level 前 is inclusive, as budget documents use it). An actual date
    is resolved the same way (its latest possible day), so an actual "2019 年完成" meets a target
    "2019 年完成". A missing year comes from the evaluation year, else from the other side.
    Met → full weight; late → ``DEADLINE_LATE`` and 0 (scheme ``deadline_late = "zero"``) or the
    user's band (``"band"``). A period ("2021.1.1-12.31") is the deadline of its end; an actual that
    reports the deadline met in words (按期完成, 按时完成, 如期完成, no negation) meets it.

Direction of a quantitative target, in order of precedence
    the user's ``direction_override`` ("user") → the 指标性质 column ("column") → the printed
    operator / word ("operator" / "word") → the indicator name ("name", see :mod:`.nature`) →
    positive ("default"). The last two are guesses and raise ``DIRECTION_SUGGESTED`` whenever the
    formula used them; a name guess quotes its word and the word's reason. A missed target
    (``achieved`` False) always requires its deviation note, even when its score rounds to the
    full weight (59.99% against "60%以上").

Formulas (see :class:`~perfgoals.engine.schemes.Scheme`)
    Shandong 2019: positive B/A × w, negative A/B × w (B ≤ 0 → full), capped at w. National: full
    when met, else round(B/A × w, 2); negative linear excess. A target of 0 is the same in both: "=" or
    "≤" are met only by B ≤ 0, "≥" / "≈" by B ≥ 0 — full or nothing, flagged ``TARGET_ZERO``.
    A negative target (A < 0) cannot be scored by a ratio and needs a band. Scores are rounded
    half-up at ``score_places`` (2) at the very end; explanations show the unrounded formula
    result at 2 places and the cap.

Bands (qualitative indicators, or a quantitative target with a text actual)
    The printed rule "100-80%(含)、80-60%(含)、60-0%" gives 完成 [80%, 100%], 部分完成 [60%, 80%),
    未完成 [0, 60%). A band without a score gives the highest score *inside* the band: the full
    share for the top band, and one cent below the limit for an open one (部分完成 of 15 → 11.99,
    since 12.00 belongs to 完成). A ``band_score`` outside its band is clamped to the nearest edge of
    the chosen band and flagged ``BAND_SCORE_OUT_OF_RANGE``: the band is the judgement, the number
    the slip. Band names are looked up in the target's own scale (优良中低差 / 高中低) first, then
    in the others. ``suggested_band`` proposes the top band when the actual restates the target or
    says 已完成 / 按期完成 / 全部完成 / 达成预期指标 (and contains no negation); it is never applied
    automatically.

Evaluation
    Execution = min(B/A × 10, 10), rounded per scheme (2 places or integer); None with a warning when
    A is missing or 0. Each level-1 subtotal is capped at the weight printed in its header when the
    scheme says so (Shandong: yes — this is how seed 001 附件1 prints 100 with 产出 rows worth 60);
    the total never exceeds the scheme total. Inconsistencies are warnings (``code`` + Chinese
    ``message``): header weight vs row weights, non-default level-1 weights, weights not adding
    up to the total, execution above 100%, missing scores, reported scores that differ. Not-applicable
    indicators are excluded; with ``drop_not_applicable`` the others' weights are rescaled — within
    the same level 1 first (so the printed level-1 weights still hold), across all indicators when
    a whole level 1 is dropped — at 2 places, the last indicator absorbing the rounding.

Speed (no effect on any result)
    Values and results are immutable, so they are shared: ``parse`` remembers readings (bounded
    caches), and reads a cell with one number by the reading of the first cell of the same shape
    (the same characters around the digits: "≥ 90 %" serves "≥ 85.5 %"); ``score_indicator``
    remembers the results of rows whose target is not a quantity, keyed by the exact input, and
    scores the common quantity-against-quantity row in one pass (:mod:`.speed`), leaving to the rules
    any scheme whose options take a value that pass was not written for. The caches assume Python's
    default decimal context, as everywhere in this project (the row cache is skipped under another
    precision or rounding).
"""

from .evaluation import score_evaluation
from .nature import LEXICON, Cue, NameSignal, direction_signal, read_name, suggest_direction
from .schemes import DEFAULT_SCHEME_CODE, SCHEMES, Band, Scheme, SchemeError
from .speed import score_indicator
from .types import (
    EvaluationInput,
    EvaluationResult,
    EvaluationWarning,
    Flag,
    IndicatorInput,
    IndicatorResult,
    Subtotal,
)
from .values import parse
from .valuetypes import Deadline, Direction, Kind, Value, adopt_unit, compatible
from .vocabulary import (
    GENERATIONS,
    LEVEL1,
    LEVEL2,
    LEVEL2_PARENT,
    level1_name,
    level1_of,
    level2_name,
    normalise_level1,
    normalise_level2,
    parse_level1_header,
)

__all__ = [
    "DEFAULT_SCHEME_CODE",
    "GENERATIONS",
    "LEVEL1",
    "LEVEL2",
    "LEVEL2_PARENT",
    "SCHEMES",
    "LEXICON",
    "Band",
    "Cue",
    "Deadline",
    "Direction",
    "EvaluationInput",
    "EvaluationResult",
    "EvaluationWarning",
    "Flag",
    "IndicatorInput",
    "IndicatorResult",
    "Kind",
    "NameSignal",
    "Scheme",
    "SchemeError",
    "Subtotal",
    "Value",
    "adopt_unit",
    "compatible",
    "direction_signal",
    "level1_name",
    "level1_of",
    "level2_name",
    "normalise_level1",
    "normalise_level2",
    "parse",
    "parse_level1_header",
    "read_name",
    "score_evaluation",
    "score_indicator",
    "suggest_direction",
]
