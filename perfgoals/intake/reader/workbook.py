"""Reading a workbook: every sheet in turn (the instructions sheet skipped), into one
:class:`~.results.ReadResult`; what the workbook as a whole lacks (no sheet, no table, no row) is an
error. :func:`read_workbook` is the reader's entry point.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import IO

from openpyxl import load_workbook

from .cells import split_tabbed
from .limits import TooManyRows, check_file, max_rows
from .merges import merged_ranges
from .problems import Problem, WorkbookRejected
from .results import ProjectFragment, ReadResult
from .sheet import SheetReader

SKIPPED_SHEETS = re.compile(r"^(填写说明|填表说明|说明|使用说明|readme|instructions?)$", re.IGNORECASE)


class WorkbookReader:
    """Reads the sheets of one workbook in turn into one result."""

    def __init__(self, default_year: int | None, progress: Callable[[int, int], None] | None):
        self.result = ReadResult()
        self.default_year = default_year
        self.progress = progress
        self.fragments_by_key: dict[tuple, ProjectFragment] = {}
        self.row_limit = max_rows()

    def read(self, source) -> ReadResult:
        """Every sheet but the instructions; then what the workbook as a whole lacks is an error."""
        try:
            workbook = load_workbook(source, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise WorkbookRejected(
                [Problem(f"无法打开工作簿：文件已损坏或不是标准的 .xlsx 格式（{type(exc).__name__}）。")]
            ) from exc
        try:
            sheets = [ws for ws in workbook.worksheets if not SKIPPED_SHEETS.match(ws.title.strip())]
            total = sum((ws.max_row or 0) for ws in sheets) or 1
            done = 0
            empty_sheets: list[str] = []
            tableless: list[str] = []
            for ws in sheets:
                seen, found = self.read_sheet(workbook, ws, done, total)
                done += seen
                if seen == 0:
                    empty_sheets.append(ws.title)
                elif not found:
                    tableless.append(ws.title)
                self.result.sheets.append(ws.title)
        except TooManyRows:
            self.result.error(Problem(f"数据超过 {self.row_limit} 行的上限，请拆成几个文件导入。"))
        finally:
            workbook.close()
        nothing = not any(
            fragment.rows or fragment.fields or fragment.empty_level2 for fragment in self.result.fragments
        )
        if nothing and not self.result.errors:
            if not sheets:
                self.result.error(Problem("工作簿中只有说明页，没有数据表。"))
            elif len(empty_sheets) == len(sheets):
                names = "」「".join(empty_sheets)
                self.result.error(Problem(f"工作簿没有可导入的数据：工作表「{names}」是空的。"))
            elif tableless:
                for title in tableless:
                    self.result.error(
                        Problem(
                            "找不到表头：需要一行列名，至少包含「三级指标」和「指标值」（或「实际完成值」），"
                            "以及「项目名称」「一级指标」「二级指标」（可下载模板对照）。",
                            title,
                        )
                    )
            else:
                self.result.error(Problem("工作簿中没有找到任何绩效指标行。"))
        elif tableless:
            for title in tableless:
                self.result.warn(
                    Problem("工作表中没有找到表头（「三级指标」「指标值」等），整张表已跳过。", title)
                )
        if not nothing or self.result.errors:
            for title in empty_sheets:
                self.result.warn(Problem("工作表是空的，已跳过。", title))
        return self.result

    def read_sheet(self, workbook, ws, done: int, total: int) -> tuple[int, bool]:
        """Feed a sheet's rows to a :class:`~.sheet.SheetReader`: the count of rows not empty, and
        whether a table (or form) was found."""
        merges = merged_ranges(workbook, ws)
        sheet = SheetReader(
            self.result,
            ws.title,
            merges,
            default_year=self.default_year,
            fragments_by_key=self.fragments_by_key,
            row_limit=self.row_limit,
        )
        seen = 0
        tab_rows = 0
        for row_index, raw in enumerate(ws.iter_rows(), start=1):
            cells = sheet.cells_of(row_index, raw)
            if any(c is not None for c in cells):
                seen += 1
                if any(c is not None and "\t" in c.text for c in cells):
                    split = split_tabbed(cells)
                    if split is not cells:
                        tab_rows += 1
                        sheet.split_text = True
                        cells = split
                sheet.handle_row(row_index, cells)
            if self.progress is not None and row_index % 500 == 0:
                self.progress(done + row_index, total)
        if tab_rows:
            self.result.warn(
                Problem(
                    f"有 {tab_rows} 行是粘贴在一个单元格里、以制表符分隔的文字，已按制表符拆成各列读取。",
                    ws.title,
                )
            )
        return seen, sheet.found_table


def read_workbook(
    source: str | Path | IO[bytes],
    *,
    default_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    size: int | None = None,
) -> ReadResult:
    """Read an .xlsx file (path or binary file object). File-level refusals raise WorkbookRejected;
    everything else is in the result's ``errors`` / ``warnings``.

    ``progress(done, total)`` is called every 500 rows (total is the sheets' declared row count).
    """
    check_file(source, size=size)
    return WorkbookReader(default_year, progress).read(source)
