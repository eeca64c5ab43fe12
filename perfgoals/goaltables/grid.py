"""A layout and projects → the printed page: every cell with its place, spans and style.

Both renderers draw a :class:`Page` and nothing else, so the Excel file and the print page always
merge the same cells. Cells are placed as an HTML table places them: left to right in each row,
skipping the places an earlier cell's row span covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..engine import vocabulary
from .content import GoalIndicator, GoalProject, field_value, is_empty, money_text
from .layouts import Cell, Layout

#: the 101号 indicator columns (财预〔2021〕101号), printed as text from the indicator
STANDARD_101_COLUMNS = frozenset({"explanation", "scoring_standard", "data_source", "basis"})


@dataclass(frozen=True)
class Placed:
    row: int
    col: int
    last_row: int
    last_col: int
    value: str | Decimal | None
    style: str
    #: the text as printed (money in the layout's format), for the print page and the tests
    text: str

    @property
    def rowspan(self) -> int:
        return self.last_row - self.row + 1

    @property
    def colspan(self) -> int:
        return self.last_col - self.col + 1

    @property
    def merged(self) -> bool:
        return self.rowspan > 1 or self.colspan > 1


@dataclass
class Page:
    """One printed table: a sheet of the workbook, a page (or pages) of the print page."""

    layout: Layout
    title: str
    subtitle_left: str
    subtitle_right: str
    sheet_name: str
    cells: list[Placed] = field(default_factory=list)
    rows: int = 0
    #: the row of the indicator headings (repeated on every printed page)
    heading_row: int = 0
    project_ids: tuple[int, ...] = ()

    @property
    def columns(self) -> int:
        return len(self.layout.columns)

    @property
    def widths_percent(self) -> list[str]:
        total = sum(self.layout.widths)
        return [f"{width * 100 / total:.2f}" for width in self.layout.widths]

    def html_rows(self) -> list[list[Placed]]:
        """The cells starting in each row, left to right (a <tr> each)."""
        out: list[list[Placed]] = [[] for _ in range(self.rows)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[cell.row].append(cell)
        return out

    @property
    def heading_is_clean(self) -> bool:
        """Whether the rows up to the headings can repeat on each printed page (no span crosses into
        the indicator rows)."""
        return all(c.last_row <= self.heading_row or c.row > self.heading_row for c in self.cells)


class _Builder:
    def __init__(self, page: Page, layout: Layout, year: int):
        self.page = page
        self.layout = layout
        self.year = year
        self.taken: set[tuple[int, int]] = set()

    def text(self, template: str) -> str:
        return template.format(year=self.year, next_year=self.year + 1)

    def place(self, row: int, col: int, value, style: str, colspan: int = 1, rowspan: int = 1) -> None:
        last_row, last_col = row + rowspan - 1, col + colspan - 1
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                if (r, c) in self.taken:
                    raise ValueError(f"{self.layout.key}: 单元格 ({r}, {c}) 重叠")
                self.taken.add((r, c))
        if isinstance(value, Decimal):
            text = money_text(value, self.layout)
        else:
            text = "" if value is None else str(value)
        self.page.cells.append(Placed(row, col, last_row, last_col, value, style, text))
        self.page.rows = max(self.page.rows, last_row + 1)

    def flow(self, row: int, cells: list[tuple[object, str, int, int]]) -> None:
        """Place cells left to right in ``row``, skipping the places taken by earlier row spans."""
        col = 0
        for value, style, colspan, rowspan in cells:
            while (row, col) in self.taken:
                col += 1
            self.place(row, col, value, style, colspan, rowspan)
            col += colspan

    # --- the rows above the indicators ---------------------------------------------------------

    def head(self, project: GoalProject, row: int) -> int:
        for head_row in self.layout.head:
            if head_row.unless_empty and is_empty(field_value(project, head_row.unless_empty, self.layout)):
                continue
            self.flow(row, [self.head_cell(project, cell) for cell in head_row.cells])
            row += 1
        return row

    def head_cell(self, project: GoalProject, cell: Cell) -> tuple[object, str, int, int]:
        if not cell.field:
            return self.text(cell.label), cell.style or "label", cell.colspan, cell.rowspan
        value = field_value(project, cell.field, self.layout)
        if cell.template:
            shown = money_text(value, self.layout) if isinstance(value, Decimal) else (value or "")
            value = cell.template.format(shown) if shown != "" else ""
        style = cell.style or ("money" if isinstance(value, Decimal) else "text")
        if style == "long" and isinstance(value, str):
            for phrase in self.layout.break_before:
                value = re.sub(rf"(?<=[^\n]){re.escape(phrase)}", f"\n{phrase}", value)
        return value, style, cell.colspan, cell.rowspan

    # --- the indicators --------------------------------------------------------------------------

    def headings(self, row: int, label_rows: int) -> None:
        cells = []
        for kind, heading in zip(self.layout.columns, self.layout.headings, strict=True):
            if kind == "label" and self.layout.label_covers_headings:
                style = "vlabel" if self.layout.vertical_label else "label"
                cells.append((self.text(self.layout.indicator_label), style, 1, label_rows + 1))
            else:
                cells.append((heading, "head", 1, 1))
        self.flow(row, cells)

    def groups(self, project: GoalProject) -> list[tuple[str, str, list[tuple[str, list[GoalIndicator]]]]]:
        """(level-1 code, printed name, [(printed level-2 name, indicators)]) in print order, empty
        categories included (an empty list) unless the layout omits them."""
        level1_order = list(vocabulary.GENERATION_LEVEL1[self.layout.generation])
        level1_order += [code for code in vocabulary.LEVEL1 if code not in level1_order]
        level2_order = list(vocabulary.GENERATIONS[self.layout.generation])
        level2_order += [code for code in vocabulary.LEVEL2 if code not in level2_order]
        tree: dict[str, dict[str, list[GoalIndicator]]] = {}
        for indicator in project.indicators:
            tree.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(indicator)
        if self.layout.empty_category != "omit":
            for level1, level2 in project.empty_level2:
                tree.setdefault(level1, {}).setdefault(level2, [])
        out = []
        for level1 in sorted(tree, key=lambda c: level1_order.index(c) if c in level1_order else 99):
            blocks = []
            level1_name = ""
            for level2 in sorted(
                tree[level1], key=lambda c: level2_order.index(c) if c in level2_order else 99
            ):
                indicators = tree[level1][level2]
                printed = next((i.level2_printed for i in indicators if i.level2_printed), "")
                name = printed or self.layout.level2_names.get(level2) or vocabulary.level2_name(level2)
                blocks.append((name, indicators))
                level1_name = level1_name or next(
                    (i.level1_printed for i in indicators if i.level1_printed), ""
                )
            out.append((level1, level1_name or vocabulary.level1_name(level1), blocks))
        return out

    def indicator_rows(self, project: GoalProject, row: int, label_done: bool) -> int:
        """The project's indicator rows from ``row``; returns the next free row."""
        layout = self.layout
        groups = self.groups(project)
        heights = {
            level1: sum(max(1, len(indicators)) for _n, indicators in blocks) for level1, _n, blocks in groups
        }
        total = sum(heights.values())
        if total == 0:
            span = len(layout.columns) - (1 if label_done and "label" in layout.columns else 0)
            self.flow(row, [("（未设置绩效指标）", "text", span, 1)])
            return row + 1
        first = row
        for level1, level1_name, blocks in groups:
            level1_first = row
            for level2_name, indicators in blocks:
                lines = indicators or [None]
                for index, indicator in enumerate(lines):
                    cells = []
                    for kind in layout.columns:
                        if kind == "label":
                            if row == first and not label_done:
                                style = "vlabel" if layout.vertical_label else "label"
                                cells.append((self.text(layout.indicator_label), style, 1, total))
                        elif kind == "project":
                            if row == first:
                                cells.append((project.name, "label", 1, total))
                        elif kind == "budget":
                            if row == first:
                                cells.append((project.annual, "money", 1, total))
                        elif kind == "level1":
                            if row == level1_first:
                                span = 2 if level1 in layout.level2_hidden else 1
                                cells.append((level1_name, "label", span, heights[level1]))
                        elif kind == "level2":
                            if level1 in layout.level2_hidden:
                                continue
                            if index == 0:
                                cells.append((level2_name, "label", 1, len(lines)))
                        elif indicator is None:
                            empty = layout.empty_category if kind == "level3" else ""
                            cells.append(("" if empty == "blank" else empty, "text", 1, 1))
                        elif kind == "level3":
                            cells.append((indicator.name, "text", 1, 1))
                        elif kind == "nature":
                            cells.append((indicator.nature, "center", 1, 1))
                        elif kind == "value":
                            cells.append((indicator.value, "center", 1, 1))
                        elif kind == "unit":
                            cells.append((indicator.unit, "center", 1, 1))
                        elif kind == "target":
                            cells.append((indicator.target, "text", 1, 1))
                        elif kind in STANDARD_101_COLUMNS:
                            cells.append(
                                (getattr(indicator, kind), "center" if kind == "basis" else "text", 1, 1)
                            )
                    self.flow(row, cells)
                    row += 1
        return row


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "绩效目标表"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean[:26]}{n}", n + 1
    used.add(candidate)
    return candidate


def pages(layout: Layout, projects: list[GoalProject]) -> list[Page]:
    """The printed tables of ``projects`` (one year) in ``layout``: one a project, or one for them all."""
    used: set[str] = set()
    out: list[Page] = []
    if not projects:
        return out
    year = projects[0].year

    def new_page(name: str, ids: tuple[int, ...]) -> tuple[Page, _Builder]:
        fill = {"year": year, "next_year": year + 1}
        page = Page(
            layout=layout,
            title=layout.title.format(**fill),
            subtitle_left=layout.subtitle_left.format(**fill),
            subtitle_right=layout.subtitle_right.format(**fill),
            sheet_name=_sheet_name(name, used),
            project_ids=ids,
        )
        return page, _Builder(page, layout, year)

    if layout.per_department:
        page, builder = new_page("绩效目标公开表", tuple(p.id for p in projects))
        builder.headings(0, 0)
        row = 1
        for project in projects:
            row = builder.indicator_rows(project, row, label_done=False)
        out.append(page)
        return out
    for project in projects:
        page, builder = new_page(project.name, (project.id,))
        row = builder.head(project, 0)
        page.heading_row = row
        label_rows = (
            sum(
                max(1, len(indicators))
                for _c, _n, blocks in builder.groups(project)
                for _m, indicators in blocks
            )
            or 1
        )
        builder.headings(row, label_rows)
        builder.indicator_rows(project, row + 1, label_done=layout.label_covers_headings)
        out.append(page)
    return out
