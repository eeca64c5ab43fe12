"""What the reader reports: a :class:`Problem` (an error or a warning in Chinese, with the sheet, row
and column it was found at), and :class:`WorkbookRejected` for a file refused as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """An error or warning, with where it was found (any part may be missing)."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def location(self) -> str:
        """ "工作表「目标」第 5 行「分值」列（J5）" — as much of it as is known."""
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.field:
            parts.append(f"「{self.field}」列")
        text = "".join(parts)
        if self.column and self.row:
            text += f"（{self.column}{self.row}）" if self.column.isalpha() else f"（{self.column}）"
        return text

    def text(self) -> str:
        where = self.location()
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "text": self.text(),
        }

    def __str__(self) -> str:
        return self.text()


class WorkbookRejected(Exception):
    """The file as a whole cannot be read (too large, not Excel, damaged …)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("；".join(p.text() for p in problems))
