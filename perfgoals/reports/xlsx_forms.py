"""Excel workbooks: the 项目支出绩效自评表 of one project and the department's summary table.

Laid out as the printed forms of seed 001 (附件1-3 and the 汇总表): merged cells for the level-1 and
level-2 groups, thin borders, wrapped text, row heights computed from the text (Excel does not grow
merged rows by itself), A4 with fit-to-width, and the indicator header repeated on every page.
Figures are written as numbers (so officials can add them up) from Decimals, never via floats; text is
always written as a string (a goal like "=HYPERLINK(…)" never becomes a formula: projects.exports).

A reported score above the computed one (#12) is shown without touching the printed layout: a cell
comment on the 得分 cell ("自报 10.00，高于计算 1.80（高出 8.20）"; comments are not printed, and every
cell, merge and the print area stay as the seed prints them), and a 核对 sheet after the forms that lists
every such row and total, for a supervisor to filter — only in a workbook that has one.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from decimal import Decimal

import xlsxwriter

from projects.exports import XLSX_TEXT_OPTIONS

from . import formatting as fmt
from .data import DepartmentYear, ProjectForm, reported_above_text
from .style import SCORES_AS_PRINTED

__all__ = ["CHECK_COLUMNS", "CHECK_SHEET", "FORM_COLUMNS", "form_workbook", "summary_workbook"]

FONT = "宋体"
#: the form's nine columns: (heading in the indicator block, width in Excel character units)
FORM_COLUMNS: tuple[tuple[str, float], ...] = (
    ("年度绩效指标", 4.5),
    ("一级指标", 7.5),
    ("二级指标", 10.5),
    ("三级指标", 15.0),
    ("年度指标值（A）", 16.5),
    ("实际完成指标值（B）", 16.5),
    ("分值", 6.0),
    ("得分", 6.5),
    ("偏差原因分析及改进措施", 13.0),
)
SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6.0),
    ("项目名称", 38.0),
    ("资金使用单位", 28.0),
    ("自评得分", 10.0),
    ("自评等级", 10.0),
)
#: the sheet after the forms listing reported scores above the computed ones, and its columns
CHECK_SHEET = "核对"
CHECK_COLUMNS: tuple[tuple[str, float], ...] = (
    ("项目名称", 30.0),
    ("指标", 24.0),
    ("自报得分", 10.0),
    ("计算得分", 10.0),
    ("高出", 10.0),
    ("说明", 40.0),
)
_LINE_PT = 14.0  # one line of 10-point 宋体 with leading
_MIN_ROW_PT = 20.0


def _text_width(text: str) -> float:
    """Display width in Excel character units: a CJK glyph is about two digits wide."""
    return sum(1.0 if ord(ch) < 0x2E80 else 1.9 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(_text_width(part) / usable)) for part in (text or "").split("\n"))


def _height(lines: int, line_pt: float = _LINE_PT) -> float:
    return max(_MIN_ROW_PT, lines * line_pt + 6)


def _stamp_properties(workbook: xlsxwriter.Workbook, title: str, stamp: datetime | None) -> None:
    properties = {"title": title, "author": "绩效目标与绩效自评系统"}
    if stamp is not None:
        # a fixed creation time makes the file byte-for-byte reproducible (see packages.write_package)
        properties["created"] = stamp.replace(tzinfo=None)
    workbook.set_properties(properties)


class _Sheet:
    """A worksheet with the form's cell formats and a row-height ledger for merged cells."""

    def __init__(self, workbook: xlsxwriter.Workbook, name: str, widths: list[float], size: int = 10):
        self.ws = workbook.add_worksheet(name)
        self.widths = widths
        self.heights: dict[int, float] = {}
        # vertical merges (first row, last row, points needed), settled in finish()
        self._spanned: list[tuple[int, int, float]] = []
        self.size = size
        base = {"font_name": FONT, "font_size": size, "text_wrap": True, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.f = {
            "title": workbook.add_format({**base, "font_size": 16, "bold": True, "align": "center"}),
            # a title kept on one line (the 汇总表's): no wrapping, shrunk to the width when too long
            "title_line": workbook.add_format(
                {**base, "text_wrap": False, "shrink": True, "font_size": 16, "bold": True, "align": "center"}
            ),
            "attachment": workbook.add_format(
                {**base, "font_name": "黑体", "font_size": 12, "align": "left"}
            ),
            "subtitle": workbook.add_format({**base, "font_size": 11, "align": "center"}),
            "unit": workbook.add_format({**base, "align": "right"}),
            "head": workbook.add_format({**cell, "bold": True, "align": "center"}),
            "label": workbook.add_format({**cell, "align": "center"}),
            "text": workbook.add_format({**cell, "align": "left"}),
            "center": workbook.add_format({**cell, "align": "center"}),
            "int": workbook.add_format({**cell, "align": "center", "num_format": "0"}),
            "dec": workbook.add_format({**cell, "align": "center", "num_format": "0.00"}),
            "money": workbook.add_format({**cell, "align": "center", "num_format": "General"}),
            "pct": workbook.add_format({**cell, "align": "center", "num_format": "0%"}),
            "pct2": workbook.add_format({**cell, "align": "center", "num_format": "0.00%"}),
            "note": workbook.add_format({**base, "font_size": size - 1, "align": "left", "valign": "top"}),
            "long": workbook.add_format({**cell, "align": "left", "valign": "top"}),
            "total": workbook.add_format({**cell, "bold": True, "align": "center"}),
            "total_dec": workbook.add_format({**cell, "bold": True, "align": "center", "num_format": "0.00"}),
            "total_gen": workbook.add_format(
                {**cell, "bold": True, "align": "center", "num_format": "General"}
            ),
        }
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def span_width(self, first_col: int, last_col: int) -> float:
        return sum(self.widths[first_col : last_col + 1])

    def need(self, row: int, points: float) -> None:
        self.heights[row] = max(self.heights.get(row, _MIN_ROW_PT), points)

    def put(
        self,
        row: int,
        col: int,
        value,
        style: str = "text",
        last_col: int | None = None,
        last_row: int | None = None,
    ) -> None:
        """Write one value (text, or a Decimal written as a number), merging when a range is given,
        and record the height the text needs."""
        last_col = col if last_col is None else last_col
        last_row = row if last_row is None else last_row
        fmt_ = self.f[style]
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            value = fmt.number_value(value)
        elif value is None:
            value = ""
        if (last_col, last_row) != (col, row):
            # merge_range writes its value with write(), which would read "=…" as a formula: the
            # range is merged empty and its first cell written by type below (XlsxWriter's advice)
            self.ws.merge_range(row, col, last_row, last_col, "", fmt_)
        if isinstance(value, Decimal | int):
            self.ws.write_number(row, col, value, fmt_)
        else:
            self.ws.write_string(row, col, value, fmt_)
        if isinstance(value, str) and value and style != "title_line":
            size = self.size - 1 if style == "note" else self.size
            line_pt = _LINE_PT * size / 10
            points = _height(_lines(value, self.span_width(col, last_col)), line_pt)
            if last_row == row:
                self.need(row, points)
            else:
                self._spanned.append((row, last_row, points))

    def finish(self) -> None:
        """Set every row height, growing the last row of a vertical merge that needs more room."""
        for first, last, points in self._spanned:
            rows = range(first, last + 1)
            current = sum(self.heights.get(r, _MIN_ROW_PT) for r in rows)
            if current < points:
                self.heights[last] = self.heights.get(last, _MIN_ROW_PT) + points - current
        for row, points in self.heights.items():
            self.ws.set_row(row, points)


def _score_style(value: Decimal | None, total: bool = False, as_printed: bool = False) -> str:
    """A score: always two places (100.00, 9.50), every cell of the column alike; or, where the
    region prints scores as the unit wrote them (seed 001: 5, 100), as the number is (General)."""
    if as_printed:
        return "total_gen" if total else "money"
    return "total_dec" if total else "dec"


def _weight_style(value: Decimal | None) -> str:
    """A weight (分值): 10, 2.50."""
    return "int" if value is None or value == value.to_integral_value() else "dec"


def _rate_style(rate: Decimal | None) -> str:
    percent = fmt.rate_percent(rate)
    return "pct" if percent is None or percent == percent.to_integral_value() else "pct2"


def _write_form(sheet: _Sheet, form: ProjectForm) -> None:
    ws, put = sheet.ws, sheet.put
    last = len(FORM_COLUMNS) - 1
    as_printed = form.style.scores == SCORES_AS_PRINTED

    top = 0
    if form.attachment:
        put(0, 0, form.attachment, "attachment", last_col=last)
        top = 1
    put(top, 0, form.title, "title", last_col=last)
    sheet.need(top, 30)
    put(top + 1, 0, f"（{form.year} 年度）", "subtitle", last_col=last)
    put(top + 2, 0, "单位：万元", "unit", last_col=last)

    row = top + 3
    put(row, 0, "项目名称", "label", last_col=2)
    put(row, 3, form.name, "text", last_col=4)
    put(row, 5, "主管部门", "label")
    put(row, 6, form.department, "text", last_col=last)
    put(row + 1, 0, "项目实施单位", "label", last_col=2)
    put(row + 1, 3, form.unit, "text", last_col=4)
    put(row + 1, 5, "联系电话", "label")
    put(row + 1, 6, form.contact_phone, "text", last_col=last)

    # 项目预算执行情况: a header row and one row per budget line
    row += 2
    budget_rows = form.budget_rows
    put(
        row,
        0,
        f"项目预算\n执行情况\n（{fmt.score(form.execution_weight)}分）",
        "label",
        last_col=1,
        last_row=row + len(budget_rows),
    )
    for col, heading in enumerate(
        ("", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"), start=2
    ):
        put(row, col, heading, "head")
    for offset, line in enumerate(budget_rows, start=1):
        r = row + offset
        put(r, 2, line.label, "label")
        put(r, 3, line.initial, "money")
        put(r, 4, line.annual, "money")
        put(r, 5, line.executed, "money")
        if line.is_total:
            put(r, 6, line.weight, _weight_style(line.weight))
            if line.rate is None:
                put(r, 7, fmt.DASH, "center")
            else:
                put(r, 7, fmt.rate_percent(line.rate) / 100, _rate_style(line.rate))
            put(r, 8, line.score, _score_style(line.score, as_printed=as_printed))
        else:
            put(r, 6, "-", "center")
            if line.rate is None:
                put(r, 7, "-", "center")
            else:
                put(r, 7, fmt.rate_percent(line.rate) / 100, _rate_style(line.rate))
            put(r, 8, "-", "center")
    row += len(budget_rows) + 1

    # 年度总体目标
    put(row, 0, "年度总体目标", "label", last_col=1, last_row=row + 1)
    put(row, 2, "年初预期目标", "head", last_col=4)
    put(row, 5, "目标实际完成情况", "head", last_col=last)
    put(row + 1, 2, form.goal_text, "long", last_col=4)
    put(row + 1, 5, form.goal_result_text, "long", last_col=last)
    row += 2

    # 年度绩效指标
    header_row = row
    rows_total = sum(block.row_count for block in form.level1_blocks)
    put(row, 0, FORM_COLUMNS[0][0], "label", last_row=row + max(rows_total, 1))
    for col, (heading, _width) in enumerate(FORM_COLUMNS[1:], start=1):
        put(row, col, heading, "head")
    row += 1
    for level1 in form.level1_blocks:
        count = level1.row_count
        put(row, 1, level1.label_lines, "label", last_row=row + count - 1)
        for level2 in level1.blocks:
            put(row, 2, level2.name, "label", last_row=row + len(level2.rows) - 1)
            for item in level2.rows:
                put(row, 3, item.name, "text")
                put(row, 4, item.target, "text")
                put(row, 5, item.actual, "text")
                put(row, 6, item.weight, _weight_style(item.weight))
                put(row, 7, item.score, _score_style(item.score, as_printed=as_printed))
                if item.reported_above is not None:
                    ws.write_comment(row, 7, reported_above_text(item.reported, item.score), _COMMENT)
                put(row, 8, item.deviation_note, "text")
                row += 1
    if rows_total == 0:
        put(row, 1, "（未设置绩效指标）", "text", last_col=last)
        row += 1

    put(row, 0, "总分", "total", last_col=6)
    put(
        row,
        7,
        form.total if form.complete else None,
        _score_style(form.total, total=True, as_printed=as_printed),
    )
    if form.reported_total_above is not None:
        ws.write_comment(row, 7, reported_above_text(form.reported_total, form.total, "总分"), _COMMENT)
    put(row, 8, form.grade_in_total_row, "total")
    row += 1

    threshold = fmt.format_decimal(form.low_score_threshold)
    label = f"总分在 {threshold} 分以下的项目未实现绩效目标的原因分析及拟采取的措施说明："
    explanation = form.low_score_explanation.strip()
    put(row, 0, f"{label}\n{explanation}" if explanation else label, "long", last_col=last)
    sheet.need(row, max(sheet.heights.get(row, 0), 48))
    row += 1

    for index, note in enumerate(form.notes, start=1):
        prefix = "注：" if index == 1 else "　　"
        put(row, 0, f"{prefix}{index}.{note}", "note", last_col=last)
        row += 1

    sheet.finish()
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.6, right=0.5, top=0.7, bottom=0.7)
    ws.center_horizontally()
    ws.repeat_rows(header_row)
    ws.print_area(0, 0, row - 1, last)
    ws.set_footer('&C&"宋体"&9第 &P 页，共 &N 页')
    ws.hide_gridlines(2)


#: a comment box wide enough for one line of the gap
_COMMENT = {"author": "绩效目标与绩效自评系统", "x_scale": 2.2, "y_scale": 0.8}


def _write_check_sheet(sheet: _Sheet, forms: list[ProjectForm]) -> None:
    """Every row and total reported above its computed score, one line each."""
    put = sheet.put
    last = len(CHECK_COLUMNS) - 1
    put(0, 0, "自报得分高于计算得分的指标和总分", "title", last_col=last)
    sheet.need(0, 30)
    put(
        1,
        0,
        "自报得分：填报单位提交审核时（或原表中）的得分；计算得分：系统按评分方案由填报数值算出的得分。",
        "note",
        last_col=last,
    )
    for col, (heading, _width) in enumerate(CHECK_COLUMNS):
        put(2, col, heading, "head")
    row = 3
    for form in forms:
        lines = [(item.name, item.reported, item.score) for item in form.reported_above_rows]
        if form.reported_total_above is not None:
            lines.append(("总分", form.reported_total, form.total))
        for name, reported, computed in lines:
            put(row, 0, form.name, "text")
            put(row, 1, name, "text")
            put(row, 2, reported, "dec")
            put(row, 3, computed, "dec")
            put(row, 4, reported - computed, "dec")  # type: ignore[operator]
            put(row, 5, reported_above_text(reported, computed), "text")
            row += 1
    sheet.finish()
    sheet.ws.repeat_rows(2)
    sheet.ws.autofilter(2, 0, row - 1, last)


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "自评表"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean[:26]}{n}", n + 1
    used.add(candidate)
    return candidate


def form_workbook(forms: list[ProjectForm] | ProjectForm, stamp: datetime | None = None) -> bytes:
    """The 自评表 of one project (or several, one sheet each) as .xlsx bytes."""
    forms = [forms] if isinstance(forms, ProjectForm) else list(forms)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_TEXT_OPTIONS})
    _stamp_properties(workbook, forms[0].name if len(forms) == 1 else "项目支出绩效自评表", stamp)
    used: set[str] = set()
    for form in forms:
        sheet = _Sheet(workbook, _sheet_name(form.name, used), [width for _h, width in FORM_COLUMNS])
        _write_form(sheet, form)
    if any(form.reported_above_rows or form.reported_total_above is not None for form in forms):
        check = _Sheet(workbook, _sheet_name(CHECK_SHEET, used), [width for _h, width in CHECK_COLUMNS])
        _write_check_sheet(check, forms)
    workbook.close()
    return buffer.getvalue()


def summary_workbook(dy: DepartmentYear, stamp: datetime | None = None) -> bytes:
    """The 部门预算项目绩效自评情况汇总表 of a department-year as .xlsx bytes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_TEXT_OPTIONS})
    _stamp_properties(workbook, dy.summary_title, stamp)
    sheet = _Sheet(workbook, "自评情况汇总表", [width for _h, width in SUMMARY_COLUMNS], size=11)
    put, last = sheet.put, len(SUMMARY_COLUMNS) - 1
    # the title on one line, as the seed prints it (shrunk to the table's width rather than wrapped)
    put(0, 0, dy.summary_title, "title_line", last_col=last)
    sheet.need(0, 36)
    put(1, 0, "单位：万元", "unit", last_col=last)
    as_printed = dy.style.scores == SCORES_AS_PRINTED
    for col, (heading, _w) in enumerate(SUMMARY_COLUMNS):
        put(2, col, heading, "head")
    sheet.need(2, 26)
    row = 3
    for item in dy.summary_rows:
        put(row, 0, item.seq, "int")
        put(row, 1, item.name, "text")
        put(row, 2, item.fund_user, "text")
        if item.complete:
            put(row, 3, item.score, _score_style(item.score, as_printed=as_printed))
            put(row, 4, item.grade, "center")
        else:
            put(row, 3, fmt.DASH, "center")
            put(row, 4, "未完成评分", "center")
        sheet.need(row, 26)
        row += 1
    if not dy.summary_rows:
        put(row, 0, "本年度无自评项目。", "text", last_col=last)
        row += 1
    if dy.incomplete:
        put(row, 0, "注：自评得分为“—”的项目尚未完成评分，不计等级。", "note", last_col=last)
        row += 1
    sheet.finish()
    ws = sheet.ws
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.7, right=0.7, top=0.8, bottom=0.8)
    ws.center_horizontally()
    ws.repeat_rows(2)
    ws.print_area(0, 0, row - 1, last)
    ws.set_footer('&C&"宋体"&9第 &P 页，共 &N 页')
    ws.hide_gridlines(2)
    workbook.close()
    return buffer.getvalue()
