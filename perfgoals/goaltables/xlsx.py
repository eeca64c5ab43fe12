"""The goal tables as an Excel workbook for A4: one sheet a :class:`.grid.Page`.

Every cell and merge comes from the page (the print page draws the same); the title above, the
column widths of the layout, thin borders, wrapped text, row heights from the text (Excel does not grow
merged rows), A4 fitted to the width, the indicator headings repeated on every printed page. Money is
a number in the layout's format ("#,##0.00" prints 3,792.00); every text is written as a string,
never read as a formula or a link (``XLSX_TEXT_OPTIONS``, ``write_string``).
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from decimal import Decimal

import xlsxwriter

from projects.exports import XLSX_MAX_TEXT, XLSX_TEXT_OPTIONS

from ..reports import formatting as fmt
from .grid import Page

FONT = "宋体"
_LINE_PT = 14.0
_MIN_ROW_PT = 20.0
#: rows above the table: the title, then the subtitle line
TITLE_ROWS = 2


def _text_width(text: str) -> float:
    return sum(1.0 if ord(ch) < 0x2E80 else 1.9 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(_text_width(part) / usable)) for part in (text or "").split("\n"))


def _formats(workbook: xlsxwriter.Workbook, money_format: str) -> dict:
    base = {"font_name": FONT, "font_size": 10, "text_wrap": True, "valign": "vcenter"}
    cell = {**base, "border": 1}
    return {
        "title": workbook.add_format({**base, "font_size": 16, "bold": True, "align": "center"}),
        "sub_left": workbook.add_format({**base, "align": "left"}),
        "sub_right": workbook.add_format({**base, "align": "right"}),
        "label": workbook.add_format({**cell, "align": "center"}),
        "vlabel": workbook.add_format({**cell, "align": "center", "rotation": 270}),
        "head": workbook.add_format({**cell, "bold": True, "align": "center"}),
        "text": workbook.add_format({**cell, "align": "left"}),
        "long": workbook.add_format({**cell, "align": "left", "valign": "top"}),
        "center": workbook.add_format({**cell, "align": "center"}),
        "money": workbook.add_format({**cell, "align": "center", "num_format": money_format}),
    }


def _write_page(workbook: xlsxwriter.Workbook, page: Page) -> None:
    layout = page.layout
    ws = workbook.add_worksheet(page.sheet_name)
    f = _formats(workbook, layout.money_format)
    widths = list(layout.widths)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = page.columns - 1
    ws.merge_range(0, 0, 0, last, "", f["title"])
    ws.write_string(0, 0, page.title, f["title"])
    ws.set_row(0, 32)
    if page.subtitle_left or page.subtitle_right:
        half = max(0, page.columns // 2 - 1)
        ws.merge_range(1, 0, 1, half, "", f["sub_left"])
        ws.write_string(1, 0, page.subtitle_left, f["sub_left"])
        ws.merge_range(1, half + 1, 1, last, "", f["sub_right"])
        ws.write_string(1, half + 1, page.subtitle_right, f["sub_right"])
        ws.set_row(1, 20)
    else:
        ws.set_row(1, 8)

    heights: dict[int, float] = {}
    spanned: list[tuple[int, int, float]] = []
    for cell in page.cells:
        row, last_row = cell.row + TITLE_ROWS, cell.last_row + TITLE_ROWS
        style = f[cell.style] if cell.style in f else f["text"]
        if cell.merged:
            # merged empty, then the first cell written by type: merge_range's write() would read "=…"
            ws.merge_range(row, cell.col, last_row, cell.last_col, "", style)
        value = cell.value
        if isinstance(value, Decimal):
            ws.write_number(row, cell.col, fmt.number_value(value), style)
        else:
            ws.write_string(row, cell.col, (value or "")[:XLSX_MAX_TEXT], style)
        if cell.style == "vlabel":
            points = max(_MIN_ROW_PT, len(cell.text) * 13.0 + 8)
        else:
            points = max(
                _MIN_ROW_PT, _lines(cell.text, sum(widths[cell.col : cell.last_col + 1])) * _LINE_PT + 6
            )
        if cell.rowspan == 1:
            heights[row] = max(heights.get(row, _MIN_ROW_PT), points)
        else:
            spanned.append((row, last_row, points))
    for first, last_row, points in spanned:
        current = sum(heights.get(r, _MIN_ROW_PT) for r in range(first, last_row + 1))
        if current < points:
            heights[last_row] = heights.get(last_row, _MIN_ROW_PT) + points - current
    for row, points in heights.items():
        ws.set_row(row, points)

    ws.set_paper(9)  # A4
    if layout.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.6, right=0.5, top=0.7, bottom=0.7)
    ws.center_horizontally()
    if page.heading_is_clean:
        ws.repeat_rows(page.heading_row + TITLE_ROWS)
    ws.print_area(0, 0, page.rows + TITLE_ROWS - 1, last)
    ws.set_footer('&C&"宋体"&9第 &P 页，共 &N 页')
    ws.hide_gridlines(2)


def workbook(pages: list[Page], title: str, stamp: datetime | None = None) -> bytes:
    """The pages as .xlsx bytes (a sheet each)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_TEXT_OPTIONS})
    properties = {"title": title, "author": "绩效目标与绩效自评系统"}
    if stamp is not None:
        properties["created"] = stamp.replace(tzinfo=None)
    book.set_properties(properties)
    for page in pages:
        _write_page(book, page)
    if not pages:
        sheet = book.add_worksheet("绩效目标表")
        sheet.write_string(0, 0, "没有项目。")
    book.close()
    return buffer.getvalue()
