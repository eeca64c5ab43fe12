"""python manage.py score_rows FILE.csv [--scheme CODE] — score spreadsheet rows with the engine.

Input columns: target, actual, weight; optional direction, band, score (the score inside the band),
name (the indicator's name, used to suggest a direction), reported_score (the score the unit printed).
Output: the input columns plus kind, direction, target_value, target_unit, actual_value, actual_unit,
score, explanation, flags and reported_diff (reported − computed, blank when no score was reported or
none could be computed). A row that cannot be read gets its error in `flags`; the command never stops
halfway. A text cell that a spreadsheet would read as a formula (leading = + - @, tab, CR) is
neutralised with a leading apostrophe, as every export does (projects.exports); plain numbers stay.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from perfgoals.engine import DEFAULT_SCHEME_CODE, SCHEMES, Direction, IndicatorInput, score_indicator
from perfgoals.models import ScoringScheme
from projects.exports import csv_text

OUTPUT_COLUMNS = [
    "kind",
    "direction",
    "target_value",
    "target_unit",
    "actual_value",
    "actual_unit",
    "score",
    "explanation",
    "flags",
    "reported_diff",
]
#: a cell that is a plain number ("-0.50", "5") is not a formula and is written as it is
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
DIRECTIONS = {
    "≥": Direction.POSITIVE,
    ">=": Direction.POSITIVE,
    "正向": Direction.POSITIVE,
    "ge": Direction.POSITIVE,
    "≤": Direction.NEGATIVE,
    "<=": Direction.NEGATIVE,
    "反向": Direction.NEGATIVE,
    "le": Direction.NEGATIVE,
    "=": Direction.EQUAL,
    "＝": Direction.EQUAL,
    "eq": Direction.EQUAL,
    "≈": Direction.APPROX,
    "约": Direction.APPROX,
    "approx": Direction.APPROX,
}


def _decimal(text: str | None, label: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{label}“{text}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"{label}“{text}”不是数字")
    return value


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def score_row(row: dict[str, str], scheme) -> dict[str, str]:
    """The output columns for one input row; errors go into `flags`, never raised."""
    out = dict.fromkeys(OUTPUT_COLUMNS, "")
    try:
        weight = _decimal(row.get("weight"), "分值")
        if weight is not None and weight < 0:
            raise ValueError("分值不能为负数")
        band_score = _decimal(row.get("score"), "档次得分")
        reported = _decimal(row.get("reported_score"), "自报得分")
        direction_text = (row.get("direction") or "").strip()
        direction = DIRECTIONS.get(direction_text) if direction_text else None
        if direction_text and direction is None:
            raise ValueError(f"指标方向“{direction_text}”无法识别（可填 ≥、≤、=、≈、正向、反向）")
        result = score_indicator(
            IndicatorInput(
                name=row.get("name") or "",
                target_text=row.get("target") or "",
                actual_text=row.get("actual") or None,
                weight=weight,
                direction_override=direction,
                band=(row.get("band") or "").strip() or None,
                band_score=band_score,
                reported_score=reported,
            ),
            scheme,
        )
    except Exception as exc:  # noqa: BLE001 - one bad row must not stop the file
        out["flags"] = f"错误：{exc}"
        return out
    out.update(
        kind=result.target.kind.value,
        direction=result.direction.value if result.direction else "",
        target_value=_plain(result.target.base),
        target_unit=result.target.unit or "",
        actual_value=_plain(result.actual.base),
        actual_unit=result.actual.unit or "",
        score=_plain(result.score) if result.score is None else f"{result.score:.2f}",
        explanation=result.explanation or "",
        flags="；".join(flag.label for flag in sorted(result.flags, key=lambda f: f.value)),
        reported_diff="" if reported is None or result.score is None else f"{reported - result.score:.2f}",
    )
    return out


def _cell(value: str | None) -> str:
    """One output cell: a plain number as it is, any other text neutralised against formulas."""
    text = "" if value is None else str(value)
    return text if _PLAIN_NUMBER.fullmatch(text) else csv_text(text)


class Command(BaseCommand):
    help = (
        "按评分方案为 CSV 中的指标行打分（列：target, actual, weight，可选 direction, band, score, name, "
        "reported_score），结果输出到标准输出；reported_diff 列为自报得分减计算得分。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV 文件（UTF-8）")
        parser.add_argument("--scheme", default=None, help=f"评分方案代码（默认 {DEFAULT_SCHEME_CODE}）")

    def handle(self, *args, **options) -> None:
        scheme = self._scheme(options["scheme"])
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                fields = reader.fieldnames or []
                missing = {"target", "actual", "weight"} - set(fields)
                if missing:
                    raise CommandError(
                        f"CSV 缺少列：{', '.join(sorted(missing))}（需要 target, actual, weight）"
                    )
                columns = fields + [c for c in OUTPUT_COLUMNS if c not in fields]
                writer = csv.writer(self.stdout, lineterminator="\n")
                writer.writerow([_cell(column) for column in columns])  # a header can be a formula too
                for row in reader:
                    row = {k: v for k, v in row.items() if k is not None}
                    scored = {**row, **score_row(row, scheme)}
                    writer.writerow([_cell(scored.get(column)) for column in columns])
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{options['file']}") from None
        except UnicodeDecodeError:
            raise CommandError("文件不是 UTF-8 编码的 CSV，请另存为 UTF-8 后重试。") from None

    def _scheme(self, code: str | None):
        if code is None:
            stored = ScoringScheme.objects.filter(is_default=True).first() if self._db_ready() else None
            return stored.engine_scheme() if stored else SCHEMES[DEFAULT_SCHEME_CODE]
        if self._db_ready():
            stored = ScoringScheme.objects.filter(code=code).first()
            if stored:
                return stored.engine_scheme()
        if code in SCHEMES:
            return SCHEMES[code]
        raise CommandError(f"未知的评分方案：{code}（可用：{', '.join(sorted(SCHEMES))}）")

    @staticmethod
    def _db_ready() -> bool:
        from django.db import connection
        from django.db.utils import OperationalError, ProgrammingError

        try:
            return "perfgoals_scoringscheme" in connection.introspection.table_names()
        except (OperationalError, ProgrammingError):
            return False
