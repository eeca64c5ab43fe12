"""Reading a workbook: every sheet in turn (the instructions sheet skipped), into one
:class:`~.results.ReadResult`; what the workbook as a whole lacks (no sheet, no table, no row) is an
error. :func:`read_workbook_here` is the reading itself; the reader's entry point,
``isolation.read_workbook``, checks the file and runs this in a subprocess.

Before any part is parsed, ``scan`` has measured the XML (bytes, rows, cells, merged ranges, the
longest text). The rows are then streamed from the sheet's XML (``rows``: each cell read once), each
row as wide as its own last cell (or the merged range covering it) — never padded to the sheet's
declared size, which the file may lie about — and every cell read counts towards
:attr:`Limits.max_cells`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import IO

from openpyxl.utils import get_column_letter

from .cells import CellValue, split_tabbed
from .limits import Limits, TooManyRows, refuse
from .problems import Problem, WorkbookRejected
from .results import ProjectFragment, ReadResult
from .rows import CellStyles, SheetRows, cell_texts
from .scan import WorkbookScan, scan_workbook
from .sheet import SheetReader
from .strings import BadStringIndex, open_workbook

SKIPPED_SHEETS = re.compile(r"^(填写说明|填表说明|说明|使用说明|readme|instructions?)$", re.IGNORECASE)


class WorkbookReader:
    """Reads the sheets of one workbook in turn into one result."""

    def __init__(
        self,
        default_year: int | None,
        progress: Callable[[int, int], None] | None,
        limits: Limits | None = None,
    ):
        self.result = ReadResult()
        self.default_year = default_year
        self.progress = progress
        self.fragments_by_key: dict[tuple, ProjectFragment] = {}
        self.limits = limits or Limits.from_settings()
        self.row_limit = self.limits.max_rows
        self.scan = WorkbookScan()
        self.cells_read = 0
        self.rows_streamed = 0
        self.sheet_title = ""
        self.row_index = 0
        self.styles = CellStyles()
        #: the shared-string table and its texts as cells read them (``rows.cell_texts``), once
        self.texts: tuple[list[str], list[str]] | None = None

    def read(self, source) -> ReadResult:
        """Every sheet but the instructions; then what the workbook as a whole lacks is an error."""
        self.scan = scan_workbook(source, self.limits)
        try:
            workbook = open_workbook(source, self.limits)
        except (MemoryError, WorkbookRejected):
            raise
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise WorkbookRejected(
                [Problem(f"无法打开工作簿：文件已损坏或不是标准的 .xlsx 格式（{type(exc).__name__}）。")]
            ) from exc
        try:
            self.styles = CellStyles.of(workbook)
            sheets = [ws for ws in workbook.worksheets if not SKIPPED_SHEETS.match(ws.title.strip())]
            total = sum(self.scan.rows_by_part.get(ws._worksheet_path, 0) for ws in sheets) or 1
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
        sheet = SheetReader(
            self.result,
            ws.title,
            self.scan.merges.get(ws._worksheet_path, []),
            default_year=self.default_year,
            fragments_by_key=self.fragments_by_key,
            row_limit=self.row_limit,
            budget=self.spend,
        )
        self.sheet_title = ws.title
        seen = 0
        tab_rows = 0
        count = 0
        for row_index, raw in self.rows_of(workbook, ws, sheet.merges.width_at):
            count += 1
            cells = sheet.cells_of(row_index, raw)
            filled = [c.text for c in cells if c is not None]
            if filled:
                seen += 1
                if any("\t" in text for text in filled):
                    split = split_tabbed(cells)
                    if split is not cells:
                        tab_rows += 1
                        sheet.split_text = True
                        cells = split
                sheet.handle_row(row_index, cells)
            if self.progress is not None and count % 500 == 0:
                self.progress(done + count, total)
        if tab_rows:
            self.result.warn(
                Problem(
                    f"有 {tab_rows} 行是粘贴在一个单元格里、以制表符分隔的文字，已按制表符拆成各列读取。",
                    ws.title,
                )
            )
        return seen, sheet.found_table

    def spend(self, cells: int) -> None:
        """Count cells about to be read against the budget; refuse the file past it."""
        self.cells_read += cells
        if self.cells_read > self.limits.max_cells:
            refuse(
                f"读取的单元格超过 {self.limits.max_cells:,} 个的上限（空单元格也计算在内），无法导入："
                "数据区域过大，例如某一行一直写到了很靠右的列，或合并了整张表。"
                "请删去表格以外的内容后再导入。",
                self.sheet_title,
                self.row_index,
            )

    def too_wide(self, row_index: int, found: list[tuple[int, CellValue | None]]) -> None:
        """A cell with content right of the last column read: refused, naming the cell."""
        limit = self.limits.max_columns
        beyond = [column for column, value in found if column > limit and value is not None]
        if not beyond:  # only empty cells out there (formatting): they are not read
            found[:] = [(column, value) for column, value in found if column <= limit]
            return
        column = get_column_letter(beyond[0])
        refuse(
            f"这个单元格有内容，但超出了可读取的范围（最右到第 {limit:,} 列，即 "
            f"{get_column_letter(limit)} 列），无法导入：请删去表格右侧的内容后再导入。",
            self.sheet_title,
            row_index,
            column,
        )

    def rows_of(self, workbook, ws, merged_width: Callable[[int], int]):
        """(row number, cells) for each row of the sheet's XML, in order; each row as wide as its last
        cell or the merged ranges covering it. Rows out of order are skipped, as openpyxl does."""
        strings = ws._shared_strings  # the read-only sheet holds them; the workbook's list stays empty
        if self.texts is None or self.texts[0] is not strings:
            self.texts = (strings, cell_texts(strings))
        rows = SheetRows(self.texts[1], self.styles)
        with workbook._archive.open(ws._worksheet_path) as source:
            last = 0
            for row_index, found in self.parsed(rows, source, ws.title):
                if row_index <= last:
                    continue
                last = row_index
                self.row_index = row_index
                self.rows_streamed += 1
                if self.rows_streamed > self.limits.max_sheet_rows:  # the scan counted too little
                    refuse(
                        f"工作簿的行数（含空行）超过 {self.limits.max_sheet_rows:,} 行的上限，无法导入："
                        "请删去多余的空行或无关的工作表，或拆成几个文件后再导入。"
                    )
                last_cell = found[-1][0] if found else 0
                if last_cell > self.limits.max_columns:
                    self.too_wide(row_index, found)
                    last_cell = found[-1][0] if found else 0
                width = max(last_cell, min(merged_width(row_index), self.limits.max_columns))
                self.spend(width)
                cells: list[CellValue | None] = [None] * width
                for column, value in found:
                    if 1 <= column <= width:
                        cells[column - 1] = value
                yield row_index, cells

    def parsed(self, rows: SheetRows, source, title: str):
        """The sheet's rows; a value that cannot be read (a shared-string index the table does not
        have, a number that is not one) refused at its cell."""
        parsed = rows.rows(source)
        while True:
            try:
                yield next(parsed)
            except StopIteration:
                return
            except BadStringIndex as exc:
                refuse(
                    f"单元格引用了共享字符串表的第「{str(exc.value)[:20]}」条，但表中只有 {exc.size:,} 条"
                    "（编号从 0 开始）：文件已损坏或不是 Excel 正常保存的，无法导入。"
                    "请在 Excel 中打开后“另存为” .xlsx 再导入。",
                    title,
                    rows.row,
                    get_column_letter(rows.column) if rows.column else None,
                )
            except (ValueError, TypeError, KeyError) as exc:  # a value the parser's rules cannot cast
                found = re.search(r"'([^']{0,20})'", str(exc))
                refuse(
                    f"这个单元格无法读取（值「{found.group(1) if found else ''}」不合格式）："
                    "文件已损坏或不是 Excel 正常保存的，无法导入。请在 Excel 中打开后“另存为” .xlsx 再导入。",
                    title,
                    rows.row,
                    get_column_letter(rows.column) if 0 < rows.column <= 18_278 else None,
                )


def read_workbook_here(
    source: str | Path | IO[bytes],
    *,
    default_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read a workbook in this process (the file already checked by :func:`~.limits.check_file`)."""
    return WorkbookReader(default_year, progress, limits).read(source)
