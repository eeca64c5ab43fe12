"""One cell as read: :class:`CellValue`, its printed text and, where it had one, its typed value.

Values are never floats: numbers come from the cell's stored text (``repr`` of the float the text
reads as is the shortest text that reads back the same) into Decimal; a percentage-formatted cell 0.9
reads "90%"; a formula cell is marked as such, not read as a value. ``rows`` reads the sheet's XML into
these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from openpyxl.utils import get_column_letter

from perfgoals.engine.values import format_decimal


@dataclass(slots=True)
class CellValue:
    """One cell as read: its text (how it should read as a printed value) and, where it had one, the
    typed value. ``formula`` / ``error`` are set for cells that are not values at all."""

    text: str
    column: str
    number: Decimal | None = None
    when: date | None = None
    flag: bool | None = None
    formula: str | None = None
    error: str | None = None


#: column letters, once a column rather than once a cell
column_letter = lru_cache(maxsize=512)(get_column_letter)


def _decimal_of_number(value: int | float) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    # repr() of a float is the shortest text that reads back the same float: what Excel stored
    return Decimal(repr(value))


def clean_text(value: str) -> str:
    """A text cell as read: surrounding whitespace removed, except that pasted free text keeps its
    leading tabs (they say which column a segment belongs to)."""
    return value.strip() if "\t" not in value else value.rstrip().lstrip(" \u3000\r\n")


def number_cell(value: int | float, percent: bool, column: str) -> CellValue:
    """A number cell; ``percent``: its format shows a percentage (0.9 reads "90%")."""
    number = _decimal_of_number(value)
    if not number.is_finite():
        return CellValue(text=str(value), column=column, error=str(value))
    if percent:
        return CellValue(text=f"{format_decimal(number * 100)}%", column=column, number=number)
    return CellValue(text=format_decimal(number), column=column, number=number)


def typed_cell(value, data_type: str, percent: bool, column: str) -> CellValue | None:
    """A cell from its typed value as openpyxl's sheet parser reads it (``data_type`` "f" for a
    formula, "e" for an error); None for an empty cell. ``percent``: a number's format shows a
    percentage."""
    if value is None:
        return None
    if data_type == "f" or (not isinstance(value, (str, int, float, bool, datetime, date, time, timedelta))):
        formula = value if isinstance(value, str) else getattr(value, "text", None) or str(value)
        return CellValue(text=str(formula), column=column, formula=str(formula))
    if data_type == "e":
        return CellValue(text=str(value), column=column, error=str(value))
    if isinstance(value, str):
        text = clean_text(value)
        return CellValue(text=text, column=column) if text else None
    if isinstance(value, bool):
        return CellValue(text="是" if value else "否", column=column, flag=value)
    if isinstance(value, (int, float)):
        return number_cell(value, percent, column)
    if isinstance(value, datetime):
        day = value.date()
        return CellValue(text=f"{day.year}年{day.month}月{day.day}日", column=column, when=day)
    if isinstance(value, date):
        return CellValue(text=f"{value.year}年{value.month}月{value.day}日", column=column, when=value)
    return CellValue(text=str(value), column=column, error=f"时间值 {value}")


def split_tabbed(cells: list[CellValue | None]) -> list[CellValue | None]:
    """Huancui free text: one cell holding a tab-separated line becomes one cell a segment."""
    filled = [c for c in cells if c is not None]
    if len(filled) != 1 or "\t" not in filled[0].text:
        return cells
    source = filled[0]
    out: list[CellValue | None] = []
    for index, part in enumerate(source.text.split("\t"), start=1):
        text = part.strip()
        out.append(CellValue(text=text, column=f"{source.column} 列第 {index} 段") if text else None)
    return out
