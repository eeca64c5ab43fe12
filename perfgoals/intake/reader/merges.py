"""Merged cells: where a sheet has them, and a row's cells with each range filled from its top-left.

Read-only worksheets have no ``merged_cells``: :func:`merged_ranges` reads the ranges from the sheet's
XML. :class:`MergedCells` then reads every covered cell as if it held the top-left value, so that level
columns merged down (or left blank under a printed group) carry forward; which merges make the data
ambiguous is decided by ``tables`` (a range across the header and the data, across two fields' columns,
or down the 分值 / 得分 column).
"""

from __future__ import annotations

import dataclasses
import re

from openpyxl.utils import get_column_letter, range_boundaries

from .cells import CellValue, cell_value, column_letter

Range = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based, as range_boundaries)


class MergedCells:
    """The merged ranges of one sheet, and the values of their top-left cells as the rows are read."""

    def __init__(self, merges: list[Range]):
        # every covered cell → the top-left cell; merges by their first row
        self.merged_from: dict[tuple[int, int], tuple[int, int]] = {}
        self.merge_ref: dict[tuple[int, int], str] = {}
        self.by_row: dict[int, list[Range]] = {}
        self.top_left_values: dict[tuple[int, int], CellValue | None] = {}
        for min_col, min_row, max_col, max_row in merges:
            ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
            self.by_row.setdefault(min_row, []).append((min_col, min_row, max_col, max_row))
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    self.merged_from[(r, c)] = (min_row, min_col)
                    self.merge_ref[(r, c)] = ref

    def fill(self, row_index: int, raw_row) -> list[CellValue | None]:
        """The row's cells as values, merged ranges filled from their top-left cell."""
        cells: list[CellValue | None] = []
        merged_from = self.merged_from
        for position, cell in enumerate(raw_row, start=1):
            key = (row_index, position)
            origin = merged_from.get(key) if merged_from else None
            if origin is not None and origin != key:
                source = self.top_left_values.get(origin)
                if source is not None:
                    cells.append(dataclasses.replace(source, column=column_letter(position)))
                else:
                    cells.append(None)
                continue
            if cell.value is None:
                value = None
            else:
                value = cell_value(cell, column_letter(position))
            if origin is not None:
                self.top_left_values[key] = value
            cells.append(value)
        return cells

    def covering(self, row_index: int) -> list[Range]:
        """The ranges of more than one cell that include a cell of this row."""
        found = []
        seen = set()
        for (r, c), origin in self.merged_from.items():
            if r != row_index or origin in seen:
                continue
            seen.add(origin)
            ref = self.merge_ref[(r, c)]
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            if max_col > min_col or max_row > min_row:
                found.append((min_col, min_row, max_col, max_row))
        return found

    def starting_on(self, row_index: int) -> list[Range]:
        """The ranges whose first row is this one."""
        return self.by_row.get(row_index, [])

    def ref(self, row: int, column: int) -> str:
        """The range covering a cell, as Excel writes it ("B3:B7")."""
        return self.merge_ref[(row, column)]


def merged_ranges(workbook, ws) -> list[Range]:
    """Merged ranges of a read-only worksheet, read from the sheet's XML (read-only mode has no
    merged_cells). Uses openpyxl's archive and worksheet path (openpyxl 3.1)."""
    archive = getattr(workbook, "_archive", None)
    path = getattr(ws, "_worksheet_path", None)
    if archive is None or path is None:
        return []
    data = archive.read(path)
    # mergeCells follows sheetData: search only the tail, not the cell text
    start = data.rfind(b"sheetData>")
    start = data.find(b"mergeCells", max(start, 0))
    if start == -1:
        return []
    refs = re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"', data[start:])
    ranges = []
    for ref in refs:
        text = ref.decode("ascii")
        if ":" not in text:
            continue
        ranges.append(range_boundaries(text))
    return ranges  # type: ignore[return-value]
