"""Tables in a sheet: which row is a header, which column holds which field, and which merged cells
make a table's data ambiguous.

A header is a row most of whose cells are column titles (``headers``); a two-row header works when
the upper cells are merged down, and a title merged across columns gives its field to each of them.
Unknown columns are ignored with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .cells import CellValue
from .forms import Block
from .headers import BARE_DIRECTION_KEY, FIELD_TITLES, INDICATOR_LEVEL, field_of_header, header_key
from .merges import MergedCells
from .results import SheetProblems


@dataclass
class Table:
    """A header found in a sheet: which column holds which field."""

    header_row: int
    columns: dict[int, str]  # column index → field
    spans: dict[str, list[int]]  # field → column indexes (a header merged over several columns)
    simple: bool  # levels / name / target only: content realignment allowed
    is_indicator: bool
    block: Block | None


def looks_like_header(cells) -> bool:
    """Three or more column titles, and most of the row's cells are titles."""
    fields = [field_of_header(c.text) for c in cells if c is not None]
    known = {f for f in fields if f is not None and f != "label"}
    if len(known) < 2:
        return False
    if "name" in known and ("target" in known or "actual" in known):
        return True
    return len(known) >= 3 and len([f for f in fields if f is not None]) >= 0.6 * len(fields)


def match_header(
    row_index: int, cells, *, merges: MergedCells, block: Block | None, problems: SheetProblems
) -> Table | None:
    """The table a header row starts, or None (not a header, or one missing a column it needs: an
    error). A column the template does not know is a warning; ``block`` is the form block open above
    (the table's project when the table has no 项目名称 column)."""
    if not looks_like_header(cells):
        return None
    columns: dict[int, str] = {}
    spans: dict[str, list[int]] = {}
    unknown: list[CellValue] = []
    # "指标方向" beside a column of 指标性质 of its own is the user's direction, not a second 指标性质
    bare_direction = [c for c in cells if c is not None and header_key(c.text) == BARE_DIRECTION_KEY]
    other_nature = any(
        c is not None and field_of_header(c.text) == "nature" and header_key(c.text) != BARE_DIRECTION_KEY
        for c in cells
    )
    # "资金使用单位" beside a 实施单位 column is the project's fund user; alone it names the unit, as
    # files written before the fund user existed meant it
    has_unit = any(c is not None and field_of_header(c.text) == "unit" for c in cells)
    for position, cell in enumerate(cells):
        if cell is None:
            continue
        field_code = field_of_header(cell.text)
        if field_code == "nature" and other_nature and cell in bare_direction:
            field_code = "direction_override"
        if field_code == "fund_user" and not has_unit:
            field_code = "unit"
        if field_code is None:
            unknown.append(cell)
            continue
        if field_code in spans and spans[field_code][-1] != position - 1:
            problems.warn(f"表头「{cell.text}」重复出现，只读取第一列。", row_index, cell.column)
            continue
        columns[position] = field_code
        spans.setdefault(field_code, []).append(position)
    for cell in unknown:
        problems.warn(f"列「{cell.text}」不是模板中的列，已忽略。", row_index, cell.column)
    is_indicator = any(code in spans for code in INDICATOR_LEVEL)
    if not is_indicator and "project" not in spans:
        return None
    simple = is_indicator and set(spans) <= {
        "label",
        "seq",
        "level1",
        "level2",
        "name",
        "target",
        "project",
        "year",
        "unit",
        "department",
    }
    # a header merged across columns: its field covers them all
    for min_col, min_row, max_col, max_row in merges.covering(row_index):
        field_code = columns.get(min_col - 1)
        if field_code is None:
            continue
        for c in range(min_col, max_col + 1):
            if c - 1 not in columns:
                columns[c - 1] = field_code
                spans[field_code].append(c - 1)
        if max_row > row_index:
            problems.error(
                f"合并单元格 {merges.ref(min_row, min_col)} 从表头延伸到了数据行，"
                "无法区分表头和数据：请取消合并。",
                row_index,
                get_column_letter(min_col),
            )
    missing = []
    if is_indicator and "name" not in spans:
        missing.append("三级指标")
    if is_indicator and "target" not in spans and "actual" not in spans:
        missing.append("指标值")
    if missing:
        problems.error(f"表头缺少「{'」「'.join(missing)}」列（可下载模板对照列名）。", row_index)
        return None
    block = block if "project" not in spans else None
    if block is None and "project" not in spans:
        problems.error(
            "表格没有「项目名称」列，上方也没有「项目名称」栏：无法知道这些指标属于哪个项目。", row_index
        )
    return Table(row_index, columns, spans, simple, is_indicator, block)


def check_merges(table: Table, row_index: int, *, merges: MergedCells, problems: SheetProblems) -> None:
    """Merges starting on this data row that make the data ambiguous are errors."""
    for min_col, min_row, max_col, max_row in merges.starting_on(row_index):
        ref = merges.ref(min_row, min_col)
        fields = []
        for c in range(min_col, max_col + 1):
            code = table.columns.get(c - 1)
            if code is not None and code not in fields:
                fields.append(code)
        if len(fields) > 1:
            names = "」和「".join(FIELD_TITLES[f] for f in fields)
            problems.error(
                f"合并单元格 {ref} 横跨「{names}」几列，无法判断内容属于哪一列：请取消合并后分别填写。",
                row_index,
                get_column_letter(min_col),
            )
        if max_row > min_row and any(f in ("weight", "score") for f in fields):
            problems.error(
                f"「{FIELD_TITLES[fields[0]]}」单元格 {ref} 合并了 {max_row - min_row + 1} 行："
                "每个指标的分值须分别填写。",
                row_index,
                get_column_letter(min_col),
                fields[0],
            )
