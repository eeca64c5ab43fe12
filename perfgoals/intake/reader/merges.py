"""Merged cells: a row's cells with each merged range filled from its top-left cell.

Read-only worksheets have no ``merged_cells``: the ranges come from ``scan`` (read from the sheet's
XML before it is parsed). :class:`MergedCells` then reads every covered cell as if it held the top-left
value, so that level columns merged down (or left blank under a printed group) carry forward; which
merges make the data ambiguous is decided by ``tables`` (a range across the header and the data,
across two fields' columns, or down the 分值 / 得分 column).

A range is never expanded cell by cell: the rows arrive in order, and only the ranges covering the
row being read are looked at, each clipped to that row's width. A range over the whole sheet
(A1:XFD1048576) costs what the rows actually in the file cost, and every covered cell counts towards
the reader's cell budget (``budget``, called with the count before the work is done).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from openpyxl.utils import get_column_letter

from .cells import CellValue, column_letter

Range = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based, as range_boundaries)


def _ref(merge: Range) -> str:
    min_col, min_row, max_col, max_row = merge
    return f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"


class MergedCells:
    """The merged ranges of one sheet, and the values of their top-left cells as the rows are read
    (in increasing order: :meth:`fill` moves the window of ranges covering the current row)."""

    def __init__(self, merges: list[Range], budget: Callable[[int], None] | None = None):
        # ranges of more than one cell, by first row; the ones covering the current row
        self.pending = sorted(
            (m for m in merges if m[2] > m[0] or m[3] > m[1]), key=lambda m: (m[1], m[0]), reverse=True
        )
        self.by_row: dict[int, list[Range]] = {}
        for merge in self.pending:
            self.by_row.setdefault(merge[1], []).insert(0, merge)
        self.active: list[Range] = []
        self.row = 0
        self.width = 0
        self.budget = budget
        self.top_left_values: dict[tuple[int, int], CellValue | None] = {}

    def advance(self, row_index: int) -> None:
        """Move the window to this row: ranges starting by it join, ranges ended before it leave."""
        if row_index == self.row:
            return
        self.row = row_index
        pending = self.pending
        while pending and pending[-1][1] <= row_index:
            self.active.append(pending.pop())
        if self.active:
            self.active = [m for m in self.active if m[3] >= row_index]

    def width_at(self, row_index: int) -> int:
        """The last column a range covering this row reaches (0 for none)."""
        self.advance(row_index)
        return max((m[2] for m in self.active), default=0)

    def fill(self, row_index: int, cells: list[CellValue | None]) -> list[CellValue | None]:
        """The row's cells, merged ranges filled from their top-left cell (the list itself when no
        range covers the row)."""
        self.advance(row_index)
        width = len(cells)
        self.width = width
        if not self.active:  # no range covers the row (most rows): each cell as it is
            return cells
        if self.budget is not None:
            self.budget(sum(min(m[2], width) - m[0] + 1 for m in self.active if m[0] <= width))
        origins: dict[int, tuple[int, int]] = {}
        for min_col, min_row, max_col, _ in self.active:
            origin = (min_row, min_col)
            for c in range(min_col, min(max_col, width) + 1):
                origins[c] = origin
        filled: list[CellValue | None] = []
        for position, value in enumerate(cells, start=1):
            origin = origins.get(position)
            if origin is not None and origin != (row_index, position):
                source = self.top_left_values.get(origin)
                filled.append(dataclasses.replace(source, column=column_letter(position)) if source else None)
                continue
            if origin is not None:
                self.top_left_values[origin] = value
            filled.append(value)
        return filled

    def covering(self, row_index: int) -> list[Range]:
        """The ranges of more than one cell that include a cell of this row (the row last filled),
        their last column clipped to the row's width."""
        self.advance(row_index)
        width = max(self.width, 1)
        return [(m[0], m[1], min(m[2], width), m[3]) for m in self.active if m[0] <= width]

    def starting_on(self, row_index: int) -> list[Range]:
        """The ranges whose first row is this one, their last column clipped as in :meth:`covering`."""
        ranges = self.by_row.get(row_index, [])
        if not ranges:
            return ranges
        width = max(self.width, 1) if row_index == self.row else None
        if width is None:
            return ranges
        return [(m[0], m[1], min(m[2], width), m[3]) for m in ranges if m[0] <= width]

    def ref(self, row: int, column: int) -> str:
        """The range whose top-left cell this is, as Excel writes it ("B3:B7")."""
        for merge in self.by_row.get(row, []):
            if merge[0] == column:
                return _ref(merge)
        return f"{get_column_letter(column)}{row}"
