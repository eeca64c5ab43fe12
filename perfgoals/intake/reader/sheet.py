"""Reading one sheet: the state kept from row to row, and which piece reads what a row is.

A :class:`SheetReader` sees the rows in order. It keeps the year a title gave, the form block open
(``forms``), the table whose header was last found (``tables``), the labels waiting for their values on
the next row, and the project identity carried down a table's rows; the values are read by
``values.ValueReader`` and the indicator rows built by ``indicator_rows.IndicatorRowReader``.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.utils import get_column_letter

from .cells import CellValue
from .forms import LEADING_LABEL, TITLE_YEAR, Block, is_title, label_pairs, leading_label_field
from .headers import FIELD_TITLES, IDENTITY, PROJECT_LEVEL, field_of_header, is_noise_label
from .indicator_rows import IndicatorRowReader, misaligned
from .limits import TooManyRows
from .merges import MergedCells, Range
from .problems import Problem
from .results import ProjectFragment, ReadResult, SheetProblems
from .tables import Table, check_merges, looks_like_header, match_header
from .values import ValueReader


class SheetReader:
    """Reads one sheet; keeps the state of titles, form blocks, tables and carried-forward values."""

    def __init__(
        self,
        result: ReadResult,
        title: str,
        merges: list[Range],
        *,
        default_year: int | None,
        fragments_by_key: dict[tuple, ProjectFragment],
        row_limit: int,
        budget: Callable[[int], None] | None = None,
    ):
        self.result = result
        self.title = title
        self.year = default_year
        #: the workbook's projects by (year, unit, name): a project named again on a later sheet or
        #: further down is the same fragment
        self.fragments_by_key = fragments_by_key
        self.row_limit = row_limit
        self.block: Block | None = None
        self.table: Table | None = None
        self.pending_labels: dict[int, str] | None = None
        self.carry: dict[str, str] = {}
        #: what `fragment_for` last found: in which table, from which identity cells, which project
        self.last_table: Table | None = None
        self.last_identity: tuple = ()
        self.last_fragment: ProjectFragment | None = None
        self.merges = MergedCells(merges, budget)
        self.cells_of = self.merges.fill
        self.split_text = False
        self.found_table = False
        self.problems = SheetProblems(result, title)
        self.error = self.problems.error
        self.warn = self.problems.warn
        self.values = ValueReader(self.problems)
        self.check_length = self.values.check_length
        self.convert = self.values.convert
        self.store_project_value = self.values.store_project_value
        self.indicators = IndicatorRowReader(title, self.problems, self.values)

    # -- rows -------------------------------------------------------------------------------------

    def handle_row(self, row_index: int, cells: list[CellValue | None]) -> None:
        """One row, by what it is: a title, a header, a form's labels or their values, or table data."""
        nonempty = [(i, c) for i, c in enumerate(cells) if c is not None]
        if not nonempty:
            return
        for position, cell in nonempty:
            if cell.formula is not None:
                self.error(
                    f"单元格是公式「{cell.formula[:60]}」，不是数值：请复制后“选择性粘贴 → 数值”再导入。",
                    row_index,
                    cell.column,
                    self.field_at(position),
                )
                return
            if cell.error is not None:
                self.error(
                    f"单元格是错误值或无法识别的值「{cell.error}」。",
                    row_index,
                    cell.column,
                    self.field_at(position),
                )
                return
        header_like = looks_like_header(cells)
        if self.pending_labels is not None:
            if not header_like:
                self.take_pending_values(row_index, cells)
                return
            self.pending_labels = None
        if is_title(nonempty):
            self.take_title(nonempty)
            return
        if header_like:
            header = match_header(
                row_index, cells, merges=self.merges, block=self.block, problems=self.problems
            )
            if header is not None:
                self.table = header
                self.found_table = True
                self.indicators.reset()
                self.carry = {}
                return
        first = nonempty[0][1].text
        first_field = field_of_header(first) or leading_label_field(first)
        table = self.table
        if table is not None:
            # inside a table every row is data, except a "项目名称 | …" row that starts a new form
            if first_field == "project" and "project" not in table.spans:
                self.start_block(row_index, cells, nonempty)
                return
            check_merges(table, row_index, merges=self.merges, problems=self.problems)
            if table.is_indicator:
                self.read_indicator_row(row_index, cells)
            else:
                self.read_project_row(row_index, cells)
            return
        if first_field == "project":
            self.start_block(row_index, cells, nonempty)
            return
        if first_field is not None or is_noise_label(first):
            self.take_labels(row_index, cells, nonempty)
            return
        if self.block is None and len(nonempty) == 1:
            return  # a heading or a note above the table
        self.warn("这一行不在任何表格内（找不到表头），已忽略。", row_index, nonempty[0][1].column)

    # -- titles and form blocks -------------------------------------------------------------------

    def take_title(self, nonempty) -> None:
        """A form's title: its year holds for what follows; a new form closes the open block."""
        text = "".join(c.text for _, c in nonempty)
        match = TITLE_YEAR.search(text)
        if match:
            self.year = int(match.group(1))
        if "表" in text:
            # a new form starts: the previous block and its table end here
            self.block = None
            if self.table is not None and self.table.block is not None:
                self.table = None

    def start_block(self, row_index: int, cells, nonempty) -> None:
        """A "项目名称 | …" row: a new form block, for a new project."""
        label_cell = nonempty[0][1]
        match = LEADING_LABEL.match(label_cell.text)
        if match and field_of_header(match.group(1)) == "project":
            name = match.group(2).strip()
        else:
            name = nonempty[1][1].text if len(nonempty) > 1 else ""
        if not name:
            self.error("「项目名称」后面没有填写项目名称。", row_index, label_cell.column, "project")
            return
        fragment = ProjectFragment(
            name=name, year=self.year, unit_name="", department_name="", sheet=self.title, row=row_index
        )
        value_column = nonempty[1][1].column if len(nonempty) > 1 and not match else label_cell.column
        fragment.field_places["project"] = Problem("", self.title, row_index, value_column)
        self.check_length(name, "project", row_index, label_cell.column)
        self.block = Block(fragment)
        self.found_table = True
        self.result.fragments.append(fragment)
        self.table = None
        self.pending_labels = None
        self.indicators.reset()
        # further pairs on the same row ("项目名称 | X | 主管部门 | Y")
        if len(nonempty) > 2:
            self.take_labels(row_index, cells, nonempty[2:])

    def take_labels(self, row_index: int, cells, nonempty) -> None:
        """A row of "label | value | label | value" pairs, or of labels whose values come next row."""
        pairs, label_columns = label_pairs(nonempty)
        if self.block is None:
            if pairs or label_columns:
                self.warn(
                    "这一行像是项目信息栏，但前面没有「项目名称」栏，已忽略。",
                    row_index,
                    nonempty[0][1].column,
                )
            return
        for label, cell in pairs:
            self.set_block_value(label, cell, row_index)
        if label_columns:
            self.pending_labels = label_columns

    def take_pending_values(self, row_index: int, cells) -> None:
        """The row under "实施期总体绩效目标 | 年度绩效目标": values aligned by column, else in order."""
        labels = self.pending_labels or {}
        self.pending_labels = None
        if self.block is None:
            return
        nonempty = [(i, c) for i, c in enumerate(cells) if c is not None]
        aligned = {i: c for i, c in nonempty if i in labels}
        if len(aligned) == len(nonempty):
            for position, cell in aligned.items():
                self.set_block_value(labels[position], cell, row_index)
            return
        ordered = [labels[i] for i in sorted(labels)]
        if len(nonempty) > len(ordered):
            self.warn("目标说明行的内容多于上面的栏目，多出的内容已忽略。", row_index, nonempty[-1][1].column)
        for label, (_, cell) in zip(ordered, nonempty, strict=False):
            self.set_block_value(label, cell, row_index)

    def set_block_value(self, label: str, cell: CellValue, row_index: int) -> None:
        self.block.set_value(label, cell, row_index, values=self.values, title=self.title)  # type: ignore[union-attr]

    # -- data rows --------------------------------------------------------------------------------

    def field_at(self, position: int) -> str | None:
        if self.table is None:
            return None
        return self.table.columns.get(position)

    def values_of(self, row_index: int, cells) -> tuple[dict[str, CellValue], list[CellValue]]:
        """The row's cells by field (first filled cell of a spanned header), and cells without a header."""
        table = self.table
        assert table is not None
        values: dict[str, CellValue] = {}
        orphans: list[CellValue] = []
        for position, cell in enumerate(cells):
            if cell is None:
                continue
            code = table.columns.get(position)
            if code is None:
                orphans.append(cell)
                continue
            if code in ("label", "seq"):
                if code == "label" and not is_noise_label(cell.text):
                    orphans.append(cell)
                continue
            if code in values:
                if values[code].text != cell.text:
                    self.error(
                        f"「{FIELD_TITLES[code]}」占了几列，这一行有两个不同的内容（{values[code].column}、{cell.column}）。",
                        row_index,
                        cell.column,
                        code,
                    )
                continue
            values[code] = cell
        return values, orphans

    def fragment_for(self, row_index: int, values: dict[str, CellValue]) -> ProjectFragment | None:
        """The project a data row belongs to: its own 项目名称 (carried down when blank), or the block's."""
        table = self.table
        assert table is not None
        if "project" not in table.spans:
            if table.block is None:
                return None
            return table.block.fragment
        identity = {}
        for code in IDENTITY:
            cell = values.get(code)
            if cell is not None:
                identity[code] = cell
        # the same identity cells as the last row read, which found its project, in the same table
        # under the same title: the same project, found the same way (what is carried is then already
        # what this row would carry); any other outcome forgets it, since it may change what is carried
        seen = (self.year, tuple((code, cell.text, cell.number) for code, cell in identity.items()))
        if self.last_table is table and self.last_identity == seen:
            return self.last_fragment
        self.last_table = None
        if "project" in identity:
            # a new project name resets what was carried for the previous project
            self.carry = {code: cell.text for code, cell in identity.items()} | {
                code: text for code, text in self.carry.items() if code not in identity and code != "project"
            }
        elif "project" not in self.carry:
            self.error("缺少项目名称。", row_index, self.column_of("project"), "project")
            return None
        else:
            for code, cell in identity.items():
                self.carry[code] = cell.text
        name = self.carry["project"]
        if not self.check_length(name, "project", row_index, self.column_of("project")):
            return None
        year = self.year
        if self.carry.get("year"):
            year_cell = identity.get("year") or CellValue(
                text=self.carry["year"], column=self.column_of("year") or ""
            )
            year = self.convert("year", year_cell, row_index)
            if year is None:
                return None
        key = (year, self.carry.get("unit", ""), name)
        fragment = self.fragments_by_key.get(key)
        if fragment is None:
            fragment = ProjectFragment(
                name=name,
                year=year,
                unit_name=self.carry.get("unit", ""),
                department_name=self.carry.get("department", ""),
                sheet=self.title,
                row=row_index,
            )
            for code in ("project", "unit"):
                if code in self.table.spans:  # type: ignore[union-attr]
                    fragment.field_places[code] = Problem("", self.title, row_index, self.column_of(code))
            self.fragments_by_key[key] = fragment
            self.result.fragments.append(fragment)
        elif self.carry.get("department") and not fragment.department_name:
            fragment.department_name = self.carry["department"]
        self.last_table, self.last_identity, self.last_fragment = table, seen, fragment
        return fragment

    def column_of(self, field_code: str) -> str | None:
        table = self.table
        if table is None or field_code not in table.spans:
            return None
        position = table.spans[field_code][0]
        return get_column_letter(position + 1) if not self.split_text else f"A 列第 {position + 1} 段"

    def read_project_row(self, row_index: int, cells) -> None:
        values, orphans = self.values_of(row_index, cells)
        for cell in orphans:
            self.warn(f"「{cell.text[:20]}」所在的列没有表头，已忽略。", row_index, cell.column)
        if not values:
            return
        fragment = self.fragment_for(row_index, values)
        if fragment is None:
            return
        self.result.rows_read += 1
        for code, cell in values.items():
            if code in PROJECT_LEVEL:
                self.store_project_value(
                    fragment,
                    code,
                    self.convert(code, cell, row_index),
                    Problem("", self.title, row_index, cell.column),
                )

    def read_indicator_row(self, row_index: int, cells) -> None:
        table = self.table
        assert table is not None
        values, orphans = self.values_of(row_index, cells)
        notes: list[str] = []
        if table.simple and misaligned(values, orphans):
            realigned = self.indicators.realign(row_index, cells, table)
            if realigned is None:
                return
            values, note = realigned
            orphans = []
            notes.append(note)
        for cell in orphans:
            self.warn(f"「{cell.text[:20]}」所在的列没有表头，已忽略。", row_index, cell.column)
        if not values:
            return
        fragment = self.fragment_for(row_index, values)
        if fragment is None:
            return
        self.result.rows_read += 1
        if self.result.rows_read > self.row_limit:
            raise TooManyRows
        for code, cell in values.items():
            if code in PROJECT_LEVEL:
                self.store_project_value(
                    fragment,
                    code,
                    self.convert(code, cell, row_index),
                    Problem("", self.title, row_index, cell.column),
                )
        self.indicators.take(fragment, row_index, values, notes, table)
