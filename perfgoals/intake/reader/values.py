"""A cell as the type of its field: years, amounts and scores as Decimal, dates, yes/no, the user's
指标方向 and 不适用, the level-1 weights; text fields checked against their database length.

A value that does not read is an error (reported where the cell is) and gives None; nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from perfgoals.engine.units import fits_column

from .cells import CellValue
from .headers import DATE_FIELDS, DECIMAL_COLUMNS, DECIMAL_FIELDS, FIELD_TITLES, MAX_LENGTHS, header_key
from .levels import normalise_level1
from .problems import Problem
from .results import ProjectFragment, SheetProblems

_MONEY_TEXT = re.compile(
    r"^[(（]?\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(万元|万)?\s*[)）]?\s*(?:[(（]\s*万元\s*[)）])?$"
)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
_WEIGHT_PAIR = re.compile(r"([^\d\s;；,，、:：]+?)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*分?")

#: 指标方向（人工确认） as written (compared as headers are: NFKC, no spaces or brackets, lower case)
_DIRECTION_WORDS: dict[str, str] = {
    header_key(word): value
    for value, words in {
        "ge": ("正向", "正", "正向指标", "≥", "≧", ">=", ">", "=>", "ge", "越大越好", "越高越好"),
        "le": ("反向", "反", "反向指标", "≤", "≦", "<=", "<", "=<", "le", "越小越好", "越低越好"),
        "eq": ("等于", "=", "==", "eq", "相等"),
        "approx": ("约等于", "约", "≈", "~", "左右", "approx"),
    }.items()
    for word in words
}
#: a cell that explicitly asks for no override
_NO_DIRECTION = frozenset(
    header_key(w) for w in ("空", "无", "自动", "按指标值识别", "不指定", "未指定", "-", "—")
)
_YES = frozenset(
    header_key(w) for w in ("是", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "不适用", "是不适用")
)
_NO = frozenset(header_key(w) for w in ("否", "n", "no", "false", "0", "适用", "空", "无"))
#: 取值依据 as written → perfgoals.choices.ValueBasis (财预〔2021〕101号: 历史标准 is last year's value,
#: the three-year average or the historical best; 其他 is 财政部门认可的其他标准)
_BASIS_WORDS: dict[str, str] = {
    header_key(word): value
    for value, words in {
        "plan": ("计划标准", "计划", "计划值", "规划标准", "预算标准"),
        "industry": ("行业标准", "行业", "国家标准", "行业规范"),
        "history": ("历史标准", "历史", "上年", "上年值", "上年实际", "近三年平均", "三年平均", "历史最优"),
        "other": ("其他", "其他标准", "财政部门认可的其他标准", "其它"),
    }.items()
    for word in words
}


class ValueReader:
    """Reads the cells of one sheet as their fields' types, reporting what does not read."""

    def __init__(self, problems: SheetProblems):
        self.error = problems.error

    def check_length(self, text: str, field_code: str, row_index: int, column: str | None) -> bool:
        limit = MAX_LENGTHS.get(field_code)
        if limit is not None and len(text) > limit:
            self.error(f"内容有 {len(text)} 个字，超过 {limit} 字的上限。", row_index, column, field_code)
            return False
        return True

    def convert(self, field_code: str, cell: CellValue, row_index: int) -> Any:
        """A cell as the field's type; errors are reported and give None."""
        if field_code == "year":
            if cell.number is not None:
                year = int(cell.number) if cell.number == cell.number.to_integral_value() else None
            else:
                match = re.fullmatch(r"(\d{4})\s*年?度?", cell.text)
                year = int(match.group(1)) if match else None
            if year is None or not 2000 <= year <= 2100:
                self.error(
                    f"「{cell.text}」不是有效的年度（应为 2000 至 2100 之间的四位年份）。",
                    row_index,
                    cell.column,
                    "year",
                )
                return None
            return year
        if field_code in DECIMAL_FIELDS:
            number = cell.number
            if number is None:
                text = unicodedata.normalize("NFKC", cell.text).replace(" ", "")
                if field_code in ("weight", "score", "band_score"):
                    text = text.removesuffix("分")
                match = _MONEY_TEXT.match(text)
                if not match:
                    self.error(f"「{cell.text}」不是数字。", row_index, cell.column, field_code)
                    return None
                try:
                    number = Decimal(match.group(1).replace(",", ""))
                except InvalidOperation:
                    self.error(f"「{cell.text}」不是数字。", row_index, cell.column, field_code)
                    return None
            if number < 0:
                self.error(f"「{cell.text}」是负数，这里不能为负。", row_index, cell.column, field_code)
                return None
            digits, places = DECIMAL_COLUMNS[field_code]
            if not fits_column(number, digits, places):
                self.error(
                    f"「{cell.text}」数值过大：「{FIELD_TITLES[field_code]}」最多 {digits} 位整数"
                    f"（小于 {10**digits:,}），请检查是否多输了数字。",
                    row_index,
                    cell.column,
                    field_code,
                )
                return None
            return number
        if field_code in DATE_FIELDS:
            if cell.when is not None:
                return cell.when
            match = _DATE_TEXT.match(unicodedata.normalize("NFKC", cell.text))
            if match:
                try:
                    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                except ValueError:
                    pass
            self.error(
                f"「{cell.text}」不是日期（例如 2020-01-01 或 2020.01.01）。",
                row_index,
                cell.column,
                field_code,
            )
            return None
        if field_code == "government_procurement":
            if cell.flag is not None:
                return cell.flag
            text = header_key(cell.text)
            if text in ("是", "有", "y", "yes", "true", "包含"):
                return True
            if text in ("否", "无", "n", "no", "false", "不包含"):
                return False
            self.error(f"「{cell.text}」应填“是”或“否”。", row_index, cell.column, field_code)
            return None
        if field_code == "direction_override":
            return self.direction_of(cell, row_index)
        if field_code == "not_applicable":
            return self.not_applicable_of(cell, row_index)
        if field_code == "basis":
            return self.basis_of(cell, row_index)
        if field_code == "level1_weights":
            weights: dict[str, str] = {}
            for name, number in _WEIGHT_PAIR.findall(unicodedata.normalize("NFKC", cell.text)):
                code = normalise_level1(name)
                if code is None:
                    self.error(
                        f"「{name}」不是一级指标（一级指标分值应写成“产出指标 50；效益指标 30”）。",
                        row_index,
                        cell.column,
                        field_code,
                    )
                    return None
                weights[code] = number
            if not weights:
                self.error(
                    f"「{cell.text}」读不出一级指标分值（应写成“产出指标 50；效益指标 30”）。",
                    row_index,
                    cell.column,
                    field_code,
                )
                return None
            return weights
        if not self.check_length(cell.text, field_code, row_index, cell.column):
            return None
        return cell.text

    def direction_of(self, cell: CellValue, row_index: int) -> str | None:
        """指标方向（人工确认）: a Direction value, "" for "read it from the target"; None after an error."""
        key = header_key(cell.text)
        if key in _NO_DIRECTION:
            return ""
        direction = _DIRECTION_WORDS.get(key)
        if direction is not None:
            return direction
        if key == "定性":
            self.error(
                "「定性」不是指标方向：定性指标请在「指标性质」列填写“定性”，本列留空。",
                row_index,
                cell.column,
                "direction_override",
            )
        else:
            self.error(
                f"「{cell.text}」不是有效的指标方向：可填 正向（≥）、反向（≤）、等于（＝）、约等于（≈），"
                f"或留空按指标值识别。",
                row_index,
                cell.column,
                "direction_override",
            )
        return None

    def basis_of(self, cell: CellValue, row_index: int) -> str | None:
        """取值依据: 计划标准 / 行业标准 / 历史标准 / 其他 as the choice's value ("" when blank); None after
        an error."""
        key = header_key(cell.text)
        if not key or key in _NO_DIRECTION:
            return ""
        basis = _BASIS_WORDS.get(key)
        if basis is None:
            self.error(
                f"「{cell.text}」不是有效的取值依据：可填 计划标准、行业标准、历史标准、其他，或留空。",
                row_index,
                cell.column,
                "basis",
            )
        return basis

    def not_applicable_of(self, cell: CellValue, row_index: int) -> bool | None:
        """不适用: 是/√/✓/Y/1 → True; 否/N/0 → False; None after an error."""
        if cell.flag is not None:
            return cell.flag
        if cell.number is not None and cell.number in (0, 1):
            return cell.number == 1
        key = header_key(cell.text)
        if key in _YES:
            return True
        if key in _NO:
            return False
        if key in ("×", "✗", "✘", "x"):
            self.error(
                f"「{cell.text}」含义不明确：不适用请填“是”（或 √），适用请填“否”或留空。",
                row_index,
                cell.column,
                "not_applicable",
            )
        else:
            self.error(
                f"「{cell.text}」应填“是”（或 √、✓、Y、1）表示不适用，“否”（或 N、0）或留空表示适用。",
                row_index,
                cell.column,
                "not_applicable",
            )
        return None

    def store_project_value(
        self, fragment: ProjectFragment, field_code: str, value: Any, place: Problem
    ) -> None:
        if value is None:
            return
        known = fragment.fields.get(field_code)
        if known is None:
            fragment.fields[field_code] = value
            fragment.field_places[field_code] = place
        elif known != value:
            first = fragment.field_places[field_code]
            self.error(
                f"项目「{fragment.name}」的「{FIELD_TITLES[field_code]}」填写不一致：这里是「{value}」，"
                f"第 {first.row} 行是「{known}」。",
                place.row,
                place.column,
                field_code,
            )
