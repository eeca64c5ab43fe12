"""The tolerant workbook reader: what a unit's Excel file says, with where it says it.

No database here: :func:`read_workbook` turns an .xlsx file into :class:`ProjectFragment` objects
(a project as named somewhere in the file, with its project-level values and its indicator rows),
each value carrying its sheet, row and column, plus a list of :class:`Problem` (errors, in Chinese)
and warnings. The services resolve fragments against the database.

Layouts read
============

* **The template** (``template.py``): one indicator a row, 项目名称 / 一级 / 二级 / 三级指标 / 指标性质 /
  指标值 / 度量单位 / 分值 (/ 实际完成值 / 偏差原因分析及改进措施 …), plus an optional 项目信息 sheet.
* **What the user decides** beyond the printed form, in optional columns (a file without them reads
  as before): 档次内得分 (a number, "8.5分" too), 指标方向（人工确认） (正向 / 反向 / 等于 / 约等于, ≥ ≤ ＝ ≈
  and the like; 空 or blank = read from the target) and 不适用 (是 √ ✓ Y 1 / 否 N 0 or blank). A bare
  "指标方向" header stays a 指标性质 header unless the table also has a 指标性质 column. Whether a
  档次内得分 fits its band and 分值 is checked by the services, which know the scheme.
* **资金使用单位** (optional, 项目信息 sheet of the template): the fund user the department's summary
  prints when it is not the implementing unit. Files written before it existed used the header for the
  unit itself, so a 资金使用单位 column (or form label) is the fund user only beside a 实施单位 column (or
  label); alone it still names the unit.
* **Header variants**: headers are compared after NFKC, whitespace, "*", bracketed notes
  ("（A）", "(万元)", "（2021年）") and trailing colons are removed, against the aliases of
  :data:`HEADER_ALIASES` (本年绩效指标值, 目标值, 年度指标值（A） … all mean 指标值). A two-row header
  works when the upper cells are merged down. Unknown columns are ignored with a warning.
* **Merged cells** are read as if every cell of the range held the top-left value, so level columns
  merged down (or left blank under a printed group, as the seeds print them) carry forward. Merges that
  make the data ambiguous are errors: a range across the header and the data, across two different
  columns' fields, or down the 分值 / 得分 column.
* **Qinghai style** (seed 002): 指标性质 / 指标值 / 度量单位 in three columns, 项目名称 and 预算资金 merged
  down the project's rows; the engine reads the three together.
* **Form layout** (seeds 000, 004): a block per project — "项目名称 | …", "主管部门 | …", "资金情况 |
  财政拨款年度金额: | 3477 万元", "项目立项时间 | 2020.01.01 | 项目结束时间 | …", the 实施期 / 年度目标
  labels above their texts — then the indicator table without a 项目名称 column. A title such as
  "2020 年预算项目支出绩效目标表" gives the year.
* **Huancui free text** (seed 004 as published): tab-separated lines pasted into column A are split
  at the tabs; rows of a simple form table (levels, name, target only) whose cells do not sit under
  their headers are realigned by content — a level-1 name, a level-2 name, then the indicator name and
  its target — and the preview says so.

Values are never floats: numbers come from the cell's stored text (``repr`` of openpyxl's float is the
shortest text that reads back the same) into Decimal; a percentage-formatted cell 0.9 reads "90%";
a formula cell is an error, not a value.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from perfgoals.engine import vocabulary
from perfgoals.engine.values import format_decimal

__all__ = [
    "HEADER_ALIASES",
    "IndicatorRow",
    "Problem",
    "ProjectFragment",
    "ReadResult",
    "WorkbookRejected",
    "check_file",
    "max_bytes",
    "read_workbook",
]

# --- limits ---------------------------------------------------------------------------------------

#: default largest file accepted (override with settings.INTAKE_MAX_BYTES)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: largest total uncompressed size of the zip members (a zip bomb guard)
MAX_UNCOMPRESSED = 400 * 1024 * 1024
#: most data rows read from one workbook (override with settings.INTAKE_MAX_ROWS)
DEFAULT_MAX_ROWS = 100_000
#: at most this many problems are kept (the count of the rest is reported)
MAX_PROBLEMS = 300

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def max_bytes() -> int:
    return int(getattr(settings, "INTAKE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "INTAKE_MAX_ROWS", DEFAULT_MAX_ROWS))


def _megabytes(size: int) -> str:
    return f"{Decimal(size) / Decimal(1024 * 1024):.1f} MB"


# --- problems -------------------------------------------------------------------------------------


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


# --- fields and header aliases --------------------------------------------------------------------

#: field code → the template's column title (the canonical header)
FIELD_TITLES: dict[str, str] = {
    "year": "年度",
    "department": "主管部门",
    "unit": "实施单位",
    "project": "项目名称",
    "seq": "序号",
    "label": "绩效指标",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "nature": "指标性质",
    "target": "指标值",
    "measure": "度量单位",
    "weight": "分值",
    "actual": "实际完成值",
    "deviation": "偏差原因分析及改进措施",
    "score": "得分",
    "band": "评定档次",
    "band_score": "档次内得分",
    "direction_override": "指标方向（人工确认）",
    "not_applicable": "不适用",
    # project level
    "fund_user": "资金使用单位",
    "project_type": "项目类型",
    "contact_phone": "联系电话",
    "long_term_goal": "长期目标",
    "goal_text": "年度总体目标",
    "goal_result_text": "目标实际完成情况",
    "start_date": "项目立项时间",
    "end_date": "项目结束时间",
    "legal_basis": "立项依据及概况",
    "government_procurement": "是否包含政府采购",
    "procurement_amount": "政府采购金额（万元）",
    "total_budget": "项目总预算（万元）",
    "budget": "预算资金（万元）",
    "current_year_initial": "当年财政拨款-年初预算数",
    "current_year_annual": "当年财政拨款-全年预算数",
    "current_year_executed": "当年财政拨款-全年执行数",
    "carryover_initial": "上年结转资金-年初预算数",
    "carryover_annual": "上年结转资金-全年预算数",
    "carryover_executed": "上年结转资金-全年执行数",
    "other_initial": "其他资金-年初预算数",
    "other_annual": "其他资金-全年预算数",
    "other_executed": "其他资金-全年执行数",
    "level1_weights": "一级指标分值",
    "low_score_explanation": "80 分以下原因分析及拟采取措施",
    "printed_execution_rate": "预算执行率（表中）",
    "printed_execution_score": "预算执行得分（表中）",
    "printed_total": "自评得分（表中）",
    "printed_grade": "自评等级（表中）",
}

#: fields that belong to the project, not to one indicator
PROJECT_LEVEL = frozenset(
    {
        "fund_user",
        "project_type",
        "contact_phone",
        "long_term_goal",
        "goal_text",
        "goal_result_text",
        "start_date",
        "end_date",
        "legal_basis",
        "government_procurement",
        "procurement_amount",
        "total_budget",
        "budget",
        "current_year_initial",
        "current_year_annual",
        "current_year_executed",
        "carryover_initial",
        "carryover_annual",
        "carryover_executed",
        "other_initial",
        "other_annual",
        "other_executed",
        "level1_weights",
        "low_score_explanation",
        "printed_execution_rate",
        "printed_execution_score",
        "printed_total",
        "printed_grade",
    }
)
#: fields that identify the project a row belongs to
IDENTITY = ("year", "department", "unit", "project")
#: fields of one indicator row
INDICATOR_LEVEL = (
    "level1",
    "level2",
    "name",
    "nature",
    "target",
    "measure",
    "weight",
    "actual",
    "deviation",
    "score",
    "band",
    "band_score",
    "direction_override",
    "not_applicable",
)
#: decimal-valued fields
DECIMAL_FIELDS = frozenset(
    {
        "weight",
        "score",
        "band_score",
        "procurement_amount",
        "total_budget",
        "budget",
        "current_year_initial",
        "current_year_annual",
        "current_year_executed",
        "carryover_initial",
        "carryover_annual",
        "carryover_executed",
        "other_initial",
        "other_annual",
        "other_executed",
        "printed_execution_rate",
        "printed_execution_score",
        "printed_total",
    }
)
MONEY_FIELDS = DECIMAL_FIELDS - {
    "weight",
    "score",
    "band_score",
    "printed_execution_rate",
    "printed_execution_score",
    "printed_total",
}
DATE_FIELDS = frozenset({"start_date", "end_date"})
#: text fields and their database lengths (longer text is an error, not a truncation)
MAX_LENGTHS = {
    "project": 200,
    "unit": 100,
    "department": 100,
    "name": 300,
    "level1": 50,
    "level2": 50,
    "nature": 10,
    "measure": 30,
    "band": 30,
    "fund_user": 100,
    "project_type": 100,
    "contact_phone": 50,
    "printed_grade": 2,
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("年度", "预算年度", "年份", "项目年度"),
    "department": ("主管部门", "预算部门", "主管单位"),
    "unit": ("实施单位", "项目实施单位", "单位名称", "实施单位名称"),
    # 资金使用单位 alone (no 实施单位 column or label) still names the implementing unit: see match_header
    "fund_user": ("资金使用单位", "资金使用单位名称"),
    "project": ("项目名称", "项目专项名称", "专项资金名称", "专项名称", "项目"),
    "seq": ("序号", "编号"),
    "label": ("绩效指标", "年度绩效指标", "绩效目标"),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称", "指标名称", "绩效指标名称"),
    "nature": ("指标性质", "绩效指标性质", "性质", "指标方向"),
    "target": (
        "指标值",
        "年度指标值",
        "目标值",
        "本年绩效指标值",
        "绩效指标值",
        "年度目标值",
        "预期指标值",
        "计划值",
        "年度绩效指标值",
        "本年指标值",
        "指标值a",
        "年度指标值a",
    ),
    "measure": ("度量单位", "绩效度量单位", "计量单位", "单位"),
    "weight": ("分值", "权重", "指标分值", "权重分值", "分数"),
    "actual": (
        "实际完成值",
        "实际完成指标值",
        "实际值",
        "完成值",
        "全年实际完成值",
        "实际完成值b",
        "全年实际值",
    ),
    "deviation": (
        "偏差原因分析及改进措施",
        "偏差原因分析",
        "偏差原因",
        "偏差原因及改进措施",
        "未完成原因分析及改进措施",
        "偏差原因分析及改进措施说明",
    ),
    "score": ("得分", "指标得分"),
    "band": ("评定档次", "定性评定档次", "档次", "完成档次"),
    "band_score": ("档次内得分", "档次得分", "档内得分", "档次内评分", "定性评定得分", "档次评分"),
    # "指标方向" alone is a 指标性质 header (see match_header for a table that has both)
    "direction_override": (
        "指标方向人工确认",
        "人工确认方向",
        "人工确认指标方向",
        "人工指定方向",
        "指定方向",
        "方向人工确认",
        "指标方向人工指定",
        "指标方向确认",
        "人工方向",
    ),
    "not_applicable": ("不适用", "是否不适用", "不适用指标", "本年度不适用", "不适用不计分"),
    "project_type": ("项目类型",),
    "contact_phone": ("联系电话", "电话"),
    "long_term_goal": ("长期目标", "实施期总体绩效目标", "实施期总体目标", "实施期绩效目标", "长期绩效目标"),
    "goal_text": ("年度总体目标", "年度目标", "年度绩效目标", "年初预期目标", "年度总体绩效目标"),
    "goal_result_text": ("目标实际完成情况", "年度总体目标完成情况", "总体目标完成情况"),
    "start_date": ("项目立项时间", "立项时间", "项目开始时间", "开始时间"),
    "end_date": ("项目结束时间", "结束时间"),
    "legal_basis": ("项目立项依据及概况", "立项依据及概况", "立项依据"),
    "government_procurement": ("是否包含政府采购", "是否政府采购"),
    "procurement_amount": ("政府采购金额",),
    "total_budget": ("项目总预算",),
    "budget": ("预算资金", "预算金额", "项目当年预算", "财政拨款年度金额", "财政拨款年度额", "年度资金总额"),
    "current_year_initial": ("当年财政拨款年初预算数", "年初预算数"),
    "current_year_annual": ("当年财政拨款全年预算数", "全年预算数"),
    "current_year_executed": ("当年财政拨款全年执行数", "全年执行数"),
    "carryover_initial": ("上年结转资金年初预算数", "上年结转年初预算数"),
    "carryover_annual": ("上年结转资金全年预算数", "上年结转全年预算数"),
    "carryover_executed": ("上年结转资金全年执行数", "上年结转全年执行数"),
    "other_initial": ("其他资金年初预算数",),
    "other_annual": ("其他资金全年预算数",),
    "other_executed": ("其他资金全年执行数",),
    "level1_weights": ("一级指标分值", "表头一级指标分值"),
    "low_score_explanation": (
        "80分以下原因分析及拟采取措施",
        "总分在80分以下的原因分析及拟采取措施",
        "低分原因说明",
    ),
    "printed_execution_rate": ("预算执行率", "执行率"),
    "printed_execution_score": ("预算执行得分", "执行得分"),
    "printed_total": ("自评得分", "总分"),
    "printed_grade": ("自评等级", "等级"),
}

#: labels printed in forms that carry no value of their own
_NOISE_LABELS = frozenset({"资金情况", "总体目标", "绩效目标", "绩效指标", "年度绩效指标", "项目基本情况"})

_BRACKETS = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
_HEADER_NOISE = re.compile(r"[\s*＊:：·・\-—_/、.。]")


@lru_cache(maxsize=20000)
def _header_key(text: str) -> str:
    """A header or label as compared: NFKC, no whitespace, no bracketed note, no punctuation, lower case."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _BRACKETS.sub("", folded)
    folded = _HEADER_NOISE.sub("", folded)
    return folded.lower()


HEADER_ALIASES: dict[str, str] = {}
for _field, _names in _ALIASES.items():
    for _name in _names:
        HEADER_ALIASES.setdefault(_header_key(_name), _field)

#: headers told apart only by their bracketed note: "指标方向（人工确认）" is the user's direction,
#: while "指标方向" alone (as some units title their 指标性质 column) stays 指标性质
_QUALIFIED_ALIASES: dict[str, str] = {
    "指标方向（人工确认）": "direction_override",
    "指标方向（人工指定）": "direction_override",
    "指标方向（人工）": "direction_override",
    "指标方向（人工选择）": "direction_override",
    "指标方向（确认）": "direction_override",
    "方向（人工确认）": "direction_override",
    "方向（人工指定）": "direction_override",
}
_BRACKET_MARKS = re.compile(r"[(（)）\[\]【】]")


def _qualified_key(text: str) -> str:
    """A header compared with its bracketed note kept (the brackets themselves dropped)."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _BRACKET_MARKS.sub("", folded)
    return _HEADER_NOISE.sub("", folded).lower()


QUALIFIED_HEADER_ALIASES: dict[str, str] = {
    _qualified_key(name): code for name, code in _QUALIFIED_ALIASES.items()
}
#: the bare 指标方向 header: 指标性质, unless the table has a 指标性质 column of its own
_BARE_DIRECTION_KEY = _header_key("指标方向")


@lru_cache(maxsize=20000)
def field_of_header(text: str) -> str | None:
    """The field a header (or form label) names, or None."""
    if not text or len(text) > 40:
        return None
    qualified = QUALIFIED_HEADER_ALIASES.get(_qualified_key(text))
    if qualified is not None:
        return qualified
    key = _header_key(text)
    if key in HEADER_ALIASES:
        return HEADER_ALIASES[key]
    if re.fullmatch(r"(年度)?绩效指标(20\d\d年?)?", key):
        return "label"
    return None


def _is_noise_label(text: str) -> bool:
    return _header_key(text) in {_header_key(x) for x in _NOISE_LABELS} or field_of_header(text) == "label"


# --- cells ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class CellValue:
    """One cell as read: its text (how it should read as a printed value) and, where it had one, the
    typed value. ``formula`` / ``error`` are set for cells that are not values at all."""

    text: str
    column: str
    number: Decimal | None = None
    when: date | None = None
    flag: bool | None = None
    formula: str | None = None
    error: str | None = None


_EMPTY_TEXT = ""


_letter = lru_cache(maxsize=512)(get_column_letter)
# the level vocabulary is read once a distinct text, not once a row
_level1_header = lru_cache(maxsize=4096)(vocabulary.parse_level1_header)
_level1 = lru_cache(maxsize=4096)(vocabulary.normalise_level1)
_level2 = lru_cache(maxsize=4096)(vocabulary.normalise_level2)


def _decimal_of_number(value: int | float) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    # repr() of a float is the shortest text that reads back the same float: what Excel stored
    return Decimal(repr(value))


def _cell_value(cell, column: str) -> CellValue | None:
    """Convert an openpyxl cell; None for an empty cell."""
    value = cell.value
    if value is None:
        return None
    data_type = cell.data_type
    if data_type == "f" or (not isinstance(value, (str, int, float, bool, datetime, date, time, timedelta))):
        formula = value if isinstance(value, str) else getattr(value, "text", None) or str(value)
        return CellValue(text=str(formula), column=column, formula=str(formula))
    if data_type == "e":
        return CellValue(text=str(value), column=column, error=str(value))
    if isinstance(value, str):
        # pasted free text keeps its leading tabs: they say which column a segment belongs to
        text = value.strip() if "\t" not in value else value.rstrip().lstrip(" \u3000\r\n")
        return CellValue(text=text, column=column) if text else None
    if isinstance(value, bool):
        return CellValue(text="是" if value else "否", column=column, flag=value)
    if isinstance(value, (int, float)):
        number = _decimal_of_number(value)
        if not number.is_finite():
            return CellValue(text=str(value), column=column, error=str(value))
        fmt = cell.number_format or ""
        if "%" in fmt:
            shown = number * 100
            return CellValue(text=f"{format_decimal(shown)}%", column=column, number=number)
        return CellValue(text=format_decimal(number), column=column, number=number)
    if isinstance(value, datetime):
        day = value.date()
        return CellValue(text=f"{day.year}年{day.month}月{day.day}日", column=column, when=day)
    if isinstance(value, date):
        return CellValue(text=f"{value.year}年{value.month}月{value.day}日", column=column, when=value)
    return CellValue(text=str(value), column=column, error=f"时间值 {value}")


# --- results --------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    """One indicator row as read. Text fields are None when the table has no such column."""

    sheet: str
    row: int
    columns: dict[str, str]
    level1: str
    level2: str
    level1_printed: str
    level2_printed: str
    name: str
    nature: str = ""
    target: str = ""
    measure: str = ""
    weight: Decimal | None = None
    actual: str | None = None
    deviation: str | None = None
    score: Decimal | None = None
    band: str | None = None
    band_score: Decimal | None = None
    #: the user's direction (a Direction value, "" for none); None when the table has no such column
    direction_override: str | None = None
    #: 不适用 (a blank cell is False); None when the table has no such column
    not_applicable: bool | None = None
    notes: list[str] = field(default_factory=list)

    def problem(self, message: str, field_code: str | None = None) -> Problem:
        column = self.columns.get(field_code) if field_code else None
        return Problem(
            message, self.sheet, self.row, column, FIELD_TITLES.get(field_code) if field_code else None
        )


@dataclass
class ProjectFragment:
    """A project as named in one place of the file, with what the file says about it there."""

    name: str
    year: int | None
    unit_name: str
    department_name: str
    sheet: str
    row: int
    fields: dict[str, Any] = field(default_factory=dict)
    field_places: dict[str, Problem] = field(default_factory=dict)
    rows: list[IndicatorRow] = field(default_factory=list)
    empty_level2: list[list[str]] = field(default_factory=list)


@dataclass
class ReadResult:
    """What a workbook says: fragments in order of appearance, errors, warnings and counts."""

    fragments: list[ProjectFragment] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    errors_dropped: int = 0

    def error(self, problem: Problem) -> None:
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(problem)
        else:
            self.errors_dropped += 1

    def warn(self, problem: Problem) -> None:
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(problem)


# --- file checks ----------------------------------------------------------------------------------


def _read_head(source: str | Path | IO[bytes], count: int) -> bytes:
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return handle.read(count)
    position = source.tell()
    try:
        return source.read(count)
    finally:
        source.seek(position)


def _size_of(source: str | Path | IO[bytes]) -> int:
    if isinstance(source, (str, Path)):
        return Path(source).stat().st_size
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    position = source.tell()
    source.seek(0, 2)
    end = source.tell()
    source.seek(position)
    return end


def check_file(source: str | Path | IO[bytes], *, size: int | None = None) -> None:
    """Refuse what is not an .xlsx workbook this reader will open: too large, not a zip, an old .xls,
    a zip that is not a workbook, a zip bomb. Raises WorkbookRejected with the reason in Chinese."""
    size = _size_of(source) if size is None else size
    limit = max_bytes()
    if size > limit:
        raise WorkbookRejected(
            [
                Problem(
                    f"文件大小 {_megabytes(size)}，超过上限 {_megabytes(limit)}。请删去无关的工作表或拆成几个文件后再导入。"
                )
            ]
        )
    if size == 0:
        raise WorkbookRejected([Problem("文件是空的（0 字节）。")])
    head = _read_head(source, 8)
    if head.startswith(_OLE_SIGNATURE):
        raise WorkbookRejected(
            [
                Problem(
                    "这是旧版 Excel 97-2003（.xls）文件或加密的工作簿：请在 Excel 中“另存为” .xlsx 格式（并取消密码）后再导入。"
                )
            ]
        )
    if not head.startswith(_ZIP_SIGNATURES):
        raise WorkbookRejected(
            [
                Problem(
                    "文件不是 Excel 工作簿（.xlsx）：内容不是 xlsx 格式，仅改扩展名无效。请用 Excel 另存为 .xlsx。"
                )
            ]
        )
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise WorkbookRejected(
            [Problem(f"文件已损坏，无法作为 Excel 工作簿打开（{type(exc).__name__}）。")]
        ) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)  # type: ignore[union-attr]
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        kind = (
            "Word 文档"
            if "word/document.xml" in names
            else ("演示文稿" if "ppt/presentation.xml" in names else "压缩包")
        )
        raise WorkbookRejected([Problem(f"文件是{kind}，不是 Excel 工作簿（.xlsx）。")])
    if total > MAX_UNCOMPRESSED:
        raise WorkbookRejected(
            [Problem(f"工作簿解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，无法导入。")]
        )


# --- reading --------------------------------------------------------------------------------------

_TITLE_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年(?:度)?")
_TITLE_WORDS = (
    "绩效目标表",
    "绩效自评表",
    "绩效目标公开表",
    "绩效目标申报表",
    "目标表",
    "自评表",
    "预算年度",
    "预算算度",
)
_SKIPPED_SHEETS = re.compile(r"^(填写说明|填表说明|说明|使用说明|readme|instructions?)$", re.IGNORECASE)
_MONEY_TEXT = re.compile(
    r"^[(（]?\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(万元|万)?\s*[)）]?\s*(?:[(（]\s*万元\s*[)）])?$"
)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
_WEIGHT_PAIR = re.compile(r"([^\d\s;；,，、:：]+?)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*分?")
_LEADING_LABEL = re.compile(r"^([^:：]{2,20})[:：]\s*(.+)$", re.DOTALL)


@dataclass
class _Table:
    """A header found in a sheet: which column holds which field."""

    header_row: int
    columns: dict[int, str]  # column index → field
    spans: dict[str, list[int]]  # field → column indexes (a header merged over several columns)
    simple: bool  # levels / name / target only: content realignment allowed
    is_indicator: bool
    block: _Block | None


@dataclass
class _Block:
    """A project named by a form label ("项目名称 | …") and the values its labels give."""

    fragment: ProjectFragment
    #: the unit was named by a 资金使用单位 label (no 实施单位 label so far), and that label's cell
    unit_from_fund_user: bool = False
    fund_user_cell: tuple[CellValue, int] | None = None


@dataclass
class _Levels:
    project_key: int | None = None
    level1: str | None = None
    level1_printed: str = ""
    level2: str | None = None
    level2_printed: str = ""


class _SheetReader:
    """Reads one sheet; keeps the state of titles, form blocks, tables and carried-forward values."""

    def __init__(self, reader: _WorkbookReader, title: str, merges: list[tuple[int, int, int, int]]):
        self.reader = reader
        self.result = reader.result
        self.title = title
        self.year = reader.default_year
        self.title_year: int | None = None
        self.block: _Block | None = None
        self.table: _Table | None = None
        self.pending_labels: dict[int, str] | None = None
        self.levels = _Levels()
        self.carry: dict[str, str] = {}
        self.current_fragment: ProjectFragment | None = None
        # merges: every covered cell → the top-left cell; merges by their first row
        self.merged_from: dict[tuple[int, int], tuple[int, int]] = {}
        self.merge_ref: dict[tuple[int, int], str] = {}
        self.merges_by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        self.top_left_values: dict[tuple[int, int], CellValue | None] = {}
        for min_col, min_row, max_col, max_row in merges:
            ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
            self.merges_by_row.setdefault(min_row, []).append((min_col, min_row, max_col, max_row))
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    self.merged_from[(r, c)] = (min_row, min_col)
                    self.merge_ref[(r, c)] = ref
        self.split_text = False
        self.found_table = False

    # -- problems ---------------------------------------------------------------------------------

    def error(
        self, message: str, row: int | None = None, column: str | None = None, field_code: str | None = None
    ):
        self.result.error(Problem(message, self.title, row, column, FIELD_TITLES.get(field_code or "", None)))

    def warn(
        self, message: str, row: int | None = None, column: str | None = None, field_code: str | None = None
    ):
        self.result.warn(Problem(message, self.title, row, column, FIELD_TITLES.get(field_code or "", None)))

    # -- rows -------------------------------------------------------------------------------------

    def cells_of(self, row_index: int, raw_row) -> list[CellValue | None]:
        """The row's cells as values, merged ranges filled from their top-left cell."""
        cells: list[CellValue | None] = []
        merged_from = self.merged_from
        for position, cell in enumerate(raw_row, start=1):
            key = (row_index, position)
            origin = merged_from.get(key) if merged_from else None
            if origin is not None and origin != key:
                source = self.top_left_values.get(origin)
                if source is not None:
                    cells.append(dataclasses.replace(source, column=_letter(position)))
                else:
                    cells.append(None)
                continue
            if cell.value is None:
                value = None
            else:
                value = _cell_value(cell, _letter(position))
            if origin is not None:
                self.top_left_values[key] = value
            cells.append(value)
        return cells

    def split_cells(self, cells: list[CellValue | None]) -> list[CellValue | None]:
        """Huancui free text: one cell holding a tab-separated line becomes one cell a segment."""
        filled = [c for c in cells if c is not None]
        if len(filled) != 1 or "\t" not in filled[0].text:
            return cells
        source = filled[0]
        out: list[CellValue | None] = []
        for index, part in enumerate(source.text.split("\t"), start=1):
            text = part.strip()
            out.append(CellValue(text=text, column=f"{source.column} 列第 {index} 段") if text else None)
        return out

    def handle_row(self, row_index: int, cells: list[CellValue | None]) -> None:
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
        header_like = self.looks_like_header(cells)
        if self.pending_labels is not None:
            if not header_like:
                self.take_pending_values(row_index, cells)
                return
            self.pending_labels = None
        if self.is_title(nonempty):
            self.take_title(nonempty)
            return
        if header_like:
            header = self.match_header(row_index, cells)
            if header is not None:
                self.table = header
                self.found_table = True
                self.levels = _Levels()
                self.carry = {}
                return
        first = nonempty[0][1].text
        first_field = field_of_header(first) or self.leading_label_field(first)
        table = self.table
        if table is not None:
            # inside a table every row is data, except a "项目名称 | …" row that starts a new form
            if first_field == "project" and "project" not in table.spans:
                self.start_block(row_index, cells, nonempty)
                return
            self.check_merges(row_index)
            if table.is_indicator:
                self.read_indicator_row(row_index, cells)
            else:
                self.read_project_row(row_index, cells)
            return
        if first_field == "project":
            self.start_block(row_index, cells, nonempty)
            return
        if first_field is not None or _is_noise_label(first):
            self.take_labels(row_index, cells, nonempty)
            return
        if self.block is None and len(nonempty) == 1:
            return  # a heading or a note above the table
        self.warn("这一行不在任何表格内（找不到表头），已忽略。", row_index, nonempty[0][1].column)

    # -- titles and form blocks -------------------------------------------------------------------

    def is_title(self, nonempty) -> bool:
        if len(nonempty) > 3:
            return False
        text = "".join(c.text for _, c in nonempty)
        return bool(_TITLE_YEAR.search(text)) and any(word in text for word in _TITLE_WORDS)

    def take_title(self, nonempty) -> None:
        text = "".join(c.text for _, c in nonempty)
        match = _TITLE_YEAR.search(text)
        if match:
            self.year = int(match.group(1))
            self.title_year = self.year
        if "表" in text:
            # a new form starts: the previous block and its table end here
            self.block = None
            if self.table is not None and self.table.block is not None:
                self.table = None

    def leading_label_field(self, text: str) -> str | None:
        match = _LEADING_LABEL.match(text)
        if match:
            return field_of_header(match.group(1))
        return None

    def start_block(self, row_index: int, cells, nonempty) -> None:
        label_cell = nonempty[0][1]
        match = _LEADING_LABEL.match(label_cell.text)
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
        self.block = _Block(fragment)
        self.found_table = True
        self.result.fragments.append(fragment)
        self.table = None
        self.pending_labels = None
        self.levels = _Levels()
        # further pairs on the same row ("项目名称 | X | 主管部门 | Y")
        if len(nonempty) > 2:
            self.take_labels(row_index, cells, nonempty[2:])

    def take_labels(self, row_index: int, cells, nonempty) -> None:
        """A row of "label | value | label | value" pairs, or of labels whose values come next row."""
        pairs: list[tuple[str, CellValue]] = []
        label_columns: dict[int, str] = {}
        pending: tuple[str, int] | None = None  # a label waiting for its value ("" for a noise label)
        for position, cell in nonempty:
            label = field_of_header(cell.text)
            if label in ("label", "seq") or (label is None and _is_noise_label(cell.text)):
                if pending is not None and pending[0]:
                    label_columns[pending[1]] = pending[0]
                pending = ("", position)
                continue
            if label is None:
                inline = _LEADING_LABEL.match(cell.text)
                inline_field = field_of_header(inline.group(1)) if inline else None
                if inline and inline_field:
                    if pending is not None and pending[0]:
                        label_columns[pending[1]] = pending[0]
                    pairs.append((inline_field, CellValue(text=inline.group(2).strip(), column=cell.column)))
                    pending = None
                    continue
            if label is not None:
                if pending is not None and pending[0]:
                    label_columns[pending[1]] = pending[0]
                pending = (label, position)
                continue
            if pending is not None and pending[0]:
                pairs.append((pending[0], cell))
            # a value after a noise label ("资金情况 | …") or after nothing: nothing to keep
            pending = None
        if pending is not None and pending[0]:
            label_columns[pending[1]] = pending[0]
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
        fragment = self.block.fragment  # type: ignore[union-attr]
        if label == "fund_user" and (not fragment.unit_name or self.block.unit_from_fund_user):  # type: ignore[union-attr]
            # a form with a 资金使用单位 line and no 实施单位 line (yet): it names the unit, as before the
            # fund user existed; a 实施单位 line further down takes the unit over and keeps this one
            self.block.unit_from_fund_user = True  # type: ignore[union-attr]
            self.block.fund_user_cell = (cell, row_index)  # type: ignore[union-attr]
            label = "unit"
        elif label == "unit" and self.block.unit_from_fund_user:  # type: ignore[union-attr]
            self.block.unit_from_fund_user = False  # type: ignore[union-attr]
            held, held_row = self.block.fund_user_cell  # type: ignore[union-attr]
            self.set_block_value("fund_user", held, held_row)
        if label == "unit":
            fragment.unit_name = cell.text
            fragment.field_places["unit"] = Problem("", self.title, row_index, cell.column)
            self.check_length(cell.text, "unit", row_index, cell.column)
            return
        if label == "department":
            fragment.department_name = cell.text
            return
        if label == "year":
            year = self.convert("year", cell, row_index)
            if year is not None:
                fragment.year = year
            return
        if label not in PROJECT_LEVEL:
            return
        value = self.convert(label, cell, row_index)
        if value is None and cell.text:
            return
        self.store_project_value(fragment, label, value, Problem("", self.title, row_index, cell.column))

    # -- headers ----------------------------------------------------------------------------------

    def looks_like_header(self, cells) -> bool:
        """Three or more column titles, and most of the row's cells are titles."""
        fields = [field_of_header(c.text) for c in cells if c is not None]
        known = {f for f in fields if f is not None and f != "label"}
        if len(known) < 2:
            return False
        if "name" in known and ("target" in known or "actual" in known):
            return True
        return len(known) >= 3 and len([f for f in fields if f is not None]) >= 0.6 * len(fields)

    def match_header(self, row_index: int, cells) -> _Table | None:
        if not self.looks_like_header(cells):
            return None
        columns: dict[int, str] = {}
        spans: dict[str, list[int]] = {}
        unknown: list[CellValue] = []
        # "指标方向" beside a column of 指标性质 of its own is the user's direction, not a second 指标性质
        bare_direction = [c for c in cells if c is not None and _header_key(c.text) == _BARE_DIRECTION_KEY]
        other_nature = any(
            c is not None
            and field_of_header(c.text) == "nature"
            and _header_key(c.text) != _BARE_DIRECTION_KEY
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
                self.warn(f"表头「{cell.text}」重复出现，只读取第一列。", row_index, cell.column)
                continue
            columns[position] = field_code
            spans.setdefault(field_code, []).append(position)
        for cell in unknown:
            self.warn(f"列「{cell.text}」不是模板中的列，已忽略。", row_index, cell.column)
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
        for min_col, min_row, max_col, max_row in self.merges_covering(row_index):
            field_code = columns.get(min_col - 1)
            if field_code is None:
                continue
            for c in range(min_col, max_col + 1):
                if c - 1 not in columns:
                    columns[c - 1] = field_code
                    spans[field_code].append(c - 1)
            if max_row > row_index:
                self.error(
                    f"合并单元格 {self.merge_ref[(min_row, min_col)]} 从表头延伸到了数据行，无法区分表头和数据：请取消合并。",
                    row_index,
                    get_column_letter(min_col),
                )
        missing = []
        if is_indicator and "name" not in spans:
            missing.append("三级指标")
        if is_indicator and "target" not in spans and "actual" not in spans:
            missing.append("指标值")
        if missing:
            self.error(f"表头缺少「{'」「'.join(missing)}」列（可下载模板对照列名）。", row_index)
            return None
        block = self.block if "project" not in spans else None
        if block is None and "project" not in spans:
            self.error(
                "表格没有「项目名称」列，上方也没有「项目名称」栏：无法知道这些指标属于哪个项目。", row_index
            )
        return _Table(row_index, columns, spans, simple, is_indicator, block)

    def merges_covering(self, row_index: int) -> list[tuple[int, int, int, int]]:
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

    def field_at(self, position: int) -> str | None:
        if self.table is None:
            return None
        return self.table.columns.get(position)

    def check_merges(self, row_index: int) -> None:
        """Merges starting on this data row that make the data ambiguous are errors."""
        table = self.table
        if table is None:
            return
        for min_col, min_row, max_col, max_row in self.merges_by_row.get(row_index, ()):
            ref = self.merge_ref[(min_row, min_col)]
            fields = []
            for c in range(min_col, max_col + 1):
                code = table.columns.get(c - 1)
                if code is not None and code not in fields:
                    fields.append(code)
            if len(fields) > 1:
                names = "」和「".join(FIELD_TITLES[f] for f in fields)
                self.error(
                    f"合并单元格 {ref} 横跨「{names}」几列，无法判断内容属于哪一列：请取消合并后分别填写。",
                    row_index,
                    get_column_letter(min_col),
                )
            if max_row > min_row and any(f in ("weight", "score") for f in fields):
                self.error(
                    f"「{FIELD_TITLES[fields[0]]}」单元格 {ref} 合并了 {max_row - min_row + 1} 行：每个指标的分值须分别填写。",
                    row_index,
                    get_column_letter(min_col),
                    fields[0],
                )

    # -- values -----------------------------------------------------------------------------------

    def check_length(self, text: str, field_code: str, row_index: int, column: str | None) -> bool:
        limit = MAX_LENGTHS.get(field_code)
        if limit is not None and len(text) > limit:
            self.error(f"内容有 {len(text)} 个字，超过 {limit} 字的上限。", row_index, column, field_code)
            return False
        return True

    def convert(self, field_code: str, cell: CellValue, row_index: int) -> Any:
        """A cell as the field's type; errors are reported and give None."""
        if field_code == "year":
            if cell.number is not None:
                year = int(cell.number) if cell.number == cell.number.to_integral_value() else None
            else:
                match = re.fullmatch(r"(\d{4})\s*年?度?", cell.text)
                year = int(match.group(1)) if match else None
            if year is None or not 2000 <= year <= 2100:
                self.error(
                    f"「{cell.text}」不是有效的年度（应为 2000 至 2100 之间的四位年份）。",
                    row_index,
                    cell.column,
                    "year",
                )
                return None
            return year
        if field_code in DECIMAL_FIELDS:
            number = cell.number
            if number is None:
                text = unicodedata.normalize("NFKC", cell.text).replace(" ", "")
                if field_code in ("weight", "score", "band_score"):
                    text = text.removesuffix("分")
                match = _MONEY_TEXT.match(text)
                if not match:
                    self.error(f"「{cell.text}」不是数字。", row_index, cell.column, field_code)
                    return None
                try:
                    number = Decimal(match.group(1).replace(",", ""))
                except InvalidOperation:
                    self.error(f"「{cell.text}」不是数字。", row_index, cell.column, field_code)
                    return None
            if number < 0:
                self.error(f"「{cell.text}」是负数，这里不能为负。", row_index, cell.column, field_code)
                return None
            if abs(number) >= Decimal(10) ** 10:
                self.error(f"「{cell.text}」数值过大。", row_index, cell.column, field_code)
                return None
            return number
        if field_code in DATE_FIELDS:
            if cell.when is not None:
                return cell.when
            match = _DATE_TEXT.match(unicodedata.normalize("NFKC", cell.text))
            if match:
                try:
                    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                except ValueError:
                    pass
            self.error(
                f"「{cell.text}」不是日期（例如 2020-01-01 或 2020.01.01）。",
                row_index,
                cell.column,
                field_code,
            )
            return None
        if field_code == "government_procurement":
            if cell.flag is not None:
                return cell.flag
            text = _header_key(cell.text)
            if text in ("是", "有", "y", "yes", "true", "包含"):
                return True
            if text in ("否", "无", "n", "no", "false", "不包含"):
                return False
            self.error(f"「{cell.text}」应填“是”或“否”。", row_index, cell.column, field_code)
            return None
        if field_code == "direction_override":
            return self.direction_of(cell, row_index)
        if field_code == "not_applicable":
            return self.not_applicable_of(cell, row_index)
        if field_code == "level1_weights":
            weights: dict[str, str] = {}
            for name, number in _WEIGHT_PAIR.findall(unicodedata.normalize("NFKC", cell.text)):
                code = _level1(name)
                if code is None:
                    self.error(
                        f"「{name}」不是一级指标（一级指标分值应写成“产出指标 50；效益指标 30”）。",
                        row_index,
                        cell.column,
                        field_code,
                    )
                    return None
                weights[code] = number
            if not weights:
                self.error(
                    f"「{cell.text}」读不出一级指标分值（应写成“产出指标 50；效益指标 30”）。",
                    row_index,
                    cell.column,
                    field_code,
                )
                return None
            return weights
        if not self.check_length(cell.text, field_code, row_index, cell.column):
            return None
        return cell.text

    def direction_of(self, cell: CellValue, row_index: int) -> str | None:
        """指标方向（人工确认）: a Direction value, "" for "read it from the target"; None after an error."""
        key = _header_key(cell.text)
        if key in _NO_DIRECTION:
            return ""
        direction = _DIRECTION_WORDS.get(key)
        if direction is not None:
            return direction
        if key == "定性":
            self.error(
                "「定性」不是指标方向：定性指标请在「指标性质」列填写“定性”，本列留空。",
                row_index,
                cell.column,
                "direction_override",
            )
        else:
            self.error(
                f"「{cell.text}」不是有效的指标方向：可填 正向（≥）、反向（≤）、等于（＝）、约等于（≈），"
                f"或留空按指标值识别。",
                row_index,
                cell.column,
                "direction_override",
            )
        return None

    def not_applicable_of(self, cell: CellValue, row_index: int) -> bool | None:
        """不适用: 是/√/✓/Y/1 → True; 否/N/0 → False; None after an error."""
        if cell.flag is not None:
            return cell.flag
        if cell.number is not None and cell.number in (0, 1):
            return cell.number == 1
        key = _header_key(cell.text)
        if key in _YES:
            return True
        if key in _NO:
            return False
        if key in ("×", "✗", "✘", "x"):
            self.error(
                f"「{cell.text}」含义不明确：不适用请填“是”（或 √），适用请填“否”或留空。",
                row_index,
                cell.column,
                "not_applicable",
            )
        else:
            self.error(
                f"「{cell.text}」应填“是”（或 √、✓、Y、1）表示不适用，“否”（或 N、0）或留空表示适用。",
                row_index,
                cell.column,
                "not_applicable",
            )
        return None

    def store_project_value(
        self, fragment: ProjectFragment, field_code: str, value: Any, place: Problem
    ) -> None:
        if value is None:
            return
        known = fragment.fields.get(field_code)
        if known is None:
            fragment.fields[field_code] = value
            fragment.field_places[field_code] = place
        elif known != value:
            first = fragment.field_places[field_code]
            self.error(
                f"项目「{fragment.name}」的「{FIELD_TITLES[field_code]}」填写不一致：这里是「{value}」，"
                f"第 {first.row} 行是「{known}」。",
                place.row,
                place.column,
                field_code,
            )

    # -- data rows --------------------------------------------------------------------------------

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
                if code == "label" and not _is_noise_label(cell.text):
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
        fragment = self.reader.fragments_by_key.get(key)
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
            self.reader.fragments_by_key[key] = fragment
            self.result.fragments.append(fragment)
        elif self.carry.get("department") and not fragment.department_name:
            fragment.department_name = self.carry["department"]
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
        if table.simple and self.misaligned(values, orphans):
            realigned = self.realign(row_index, cells)
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
        if self.result.rows_read > self.reader.row_limit:
            raise _TooManyRows
        for code, cell in values.items():
            if code in PROJECT_LEVEL:
                self.store_project_value(
                    fragment,
                    code,
                    self.convert(code, cell, row_index),
                    Problem("", self.title, row_index, cell.column),
                )
        self.take_indicator(fragment, row_index, values, notes)

    def misaligned(self, values: dict[str, CellValue], orphans: list[CellValue]) -> bool:
        if orphans:
            return True
        level1 = values.get("level1")
        if level1 is not None and _level1(_strip_header_weight(level1.text)) is None:
            return True
        level2 = values.get("level2")
        if level2 is not None and _level2(level2.text) is None:
            return True
        return False

    def realign(self, row_index: int, cells) -> tuple[dict[str, CellValue], str] | None:
        """Read a simple form row by content: [level 1] [level 2] name [target]."""
        table = self.table
        assert table is not None
        identity: dict[str, CellValue] = {}
        content: list[CellValue] = []
        for position, cell in enumerate(cells):
            if cell is None:
                continue
            code = table.columns.get(position)
            if code in IDENTITY:
                identity[code] = cell
                continue
            if code == "seq" or _is_noise_label(cell.text):
                continue
            content.append(cell)
        values: dict[str, CellValue] = dict(identity)
        index = 0
        context_level1 = self.levels.level1
        if index < len(content):
            text = content[index].text
            next_is_level2 = index + 1 < len(content) and _level2(content[index + 1].text) is not None
            code1 = _level1(_strip_header_weight(text))
            code2 = _level2(text, context_level1) or _level2(text)
            if code1 is not None and (code2 is None or next_is_level2):
                values["level1"] = content[index]
                context_level1 = code1
                index += 1
        if index < len(content):
            text = content[index].text
            if _level2(text, context_level1) or _level2(text):
                values["level2"] = content[index]
                index += 1
        rest = content[index:]
        if len(rest) > 2:
            shown = "」「".join(c.text[:20] for c in content)
            self.error(
                f"这一行的内容与表头对不上，无法判断哪一格是指标名称、哪一格是指标值：「{shown}」。",
                row_index,
                content[0].column,
            )
            return None
        if rest:
            values["name"] = rest[0]
        if len(rest) > 1:
            values["target"] = rest[1]
        described = "、".join(
            f"{FIELD_TITLES[code]}「{values[code].text[:16]}」"
            for code in ("level1", "level2", "name", "target")
            if code in values
        )
        return values, f"这一行的内容没有对齐表头，已按内容识别为：{described}"

    def take_indicator(
        self, fragment: ProjectFragment, row_index: int, values: dict[str, CellValue], notes: list[str]
    ) -> None:
        levels = self.levels
        if levels.project_key != id(fragment):
            self.levels = levels = _Levels(project_key=id(fragment))
        columns = {code: cell.column for code, cell in values.items()}
        level1_cell = values.get("level1")
        level2_cell = values.get("level2")
        if level1_cell is not None:
            text = level1_cell.text
            code1, declared = _level1_header(text)
            if code1 is None:
                known2 = _level2(text)
                hint = f"（「{text}」是二级指标，请放在「二级指标」列）" if known2 else ""
                self.error(
                    f"「{text}」不是一级指标：应为 产出指标、效益指标、满意度指标 或 成本指标{hint}。",
                    row_index,
                    level1_cell.column,
                    "level1",
                )
                return
            if declared is not None:
                weights = dict(fragment.fields.get("level1_weights") or {})
                weights[code1] = format_decimal(declared)
                fragment.fields["level1_weights"] = weights
                fragment.field_places.setdefault(
                    "level1_weights", Problem("", self.title, row_index, level1_cell.column)
                )
            if code1 != levels.level1:
                levels.level2 = None
                levels.level2_printed = ""
            levels.level1 = code1
            levels.level1_printed = _strip_header_weight(text) if declared is not None else text
            if not self.check_length(levels.level1_printed, "level1", row_index, level1_cell.column):
                return
        if level2_cell is not None:
            text = level2_cell.text
            code2 = _level2(text, levels.level1)
            if code2 is None:
                anywhere = _level2(text)
                if anywhere is None:
                    self.error(
                        f"「{text}」不是二级指标（如 数量指标、质量指标、时效指标、社会效益指标、服务对象满意度指标）。",
                        row_index,
                        level2_cell.column,
                        "level2",
                    )
                    return
                if level1_cell is not None:
                    self.error(
                        f"二级指标「{text}」不属于一级指标「{level1_cell.text}」，而属于"
                        f"「{vocabulary.level1_name(vocabulary.level1_of(anywhere) or '')}」。",
                        row_index,
                        level2_cell.column,
                        "level2",
                    )
                    return
                # the level-1 cell was left blank for a new group (seed 001 附件3 omits 效益指标)
                code2 = anywhere
                levels.level1 = vocabulary.level1_of(anywhere)
                levels.level1_printed = vocabulary.level1_name(levels.level1 or "")
                notes.append(f"未填一级指标，按二级指标「{text}」归入「{levels.level1_printed}」")
            levels.level2 = code2
            levels.level2_printed = text
            if not self.check_length(text, "level2", row_index, level2_cell.column):
                return
        name_cell = values.get("name")
        name = name_cell.text if name_cell is not None else ""
        has_values = any(
            code in values for code in ("target", "actual", "weight", "score", "nature", "measure")
        )
        if not name and not has_values:
            if level2_cell is not None and levels.level2:
                # a level-2 category printed with nothing (or "无") under it
                fragment.empty_level2.append([levels.level1 or "", levels.level2])
            return
        if name == "无" and not has_values:
            if levels.level2:
                fragment.empty_level2.append([levels.level1 or "", levels.level2])
            return
        if not name:
            self.error(
                "有指标值但没有三级指标名称。",
                row_index,
                columns.get("target") or columns.get("actual"),
                "name",
            )
            return
        if not self.check_length(name, "name", row_index, name_cell.column if name_cell else None):
            return
        table_spans = self.table.spans if self.table else {}
        levelless = "level1" not in table_spans and "level2" not in table_spans
        if levelless:
            # a results file may name indicators by 三级指标 alone; a goal table may not (see services)
            levels.level1 = levels.level1 or ""
            levels.level2 = levels.level2 or ""
        if levels.level1 is None:
            self.error(
                "缺少一级指标（此前也没有可沿用的一级指标）。", row_index, columns.get("name"), "level1"
            )
            return
        if levels.level2 is None:
            only = [code for code, parent in vocabulary.LEVEL2_PARENT.items() if parent == levels.level1]
            if len(only) == 1:
                levels.level2 = only[0]
                levels.level2_printed = vocabulary.level2_name(only[0])
                notes.append(
                    f"未填二级指标，「{levels.level1_printed}」下只有「{levels.level2_printed}」，已采用"
                )
            else:
                self.error(
                    "缺少二级指标（此前也没有可沿用的二级指标）。", row_index, columns.get("name"), "level2"
                )
                return
        row = IndicatorRow(
            sheet=self.title,
            row=row_index,
            columns=columns,
            level1=levels.level1,
            level2=levels.level2,
            level1_printed=levels.level1_printed,
            level2_printed=levels.level2_printed,
            name=name,
            notes=notes,
        )
        for code in ("nature", "target", "measure"):
            cell = values.get(code)
            if cell is not None and self.check_length(cell.text, code, row_index, cell.column):
                setattr(row, code, cell.text)
        table_fields = self.table.spans if self.table else {}
        for code in ("actual", "deviation", "band"):
            if code in table_fields:
                cell = values.get(code)
                text = cell.text if cell is not None else ""
                if cell is not None and not self.check_length(text, code, row_index, cell.column):
                    continue
                setattr(row, code, text)
        for code in ("weight", "score", "band_score"):
            cell = values.get(code)
            if cell is not None:
                setattr(row, code, self.convert(code, cell, row_index))
        for code, blank in (("direction_override", ""), ("not_applicable", False)):
            if code in table_fields:
                cell = values.get(code)
                setattr(row, code, self.convert(code, cell, row_index) if cell is not None else blank)
        fragment.rows.append(row)


#: 指标方向（人工确认） as written (compared as headers are: NFKC, no spaces or brackets, lower case)
_DIRECTION_WORDS: dict[str, str] = {
    _header_key(word): value
    for value, words in {
        "ge": ("正向", "正", "正向指标", "≥", "≧", ">=", ">", "=>", "ge", "越大越好", "越高越好"),
        "le": ("反向", "反", "反向指标", "≤", "≦", "<=", "<", "=<", "le", "越小越好", "越低越好"),
        "eq": ("等于", "=", "==", "eq", "相等"),
        "approx": ("约等于", "约", "≈", "~", "左右", "approx"),
    }.items()
    for word in words
}
#: a cell that explicitly asks for no override
_NO_DIRECTION = frozenset(
    _header_key(w) for w in ("空", "无", "自动", "按指标值识别", "不指定", "未指定", "-", "—")
)
_YES = frozenset(
    _header_key(w) for w in ("是", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "不适用", "是不适用")
)
_NO = frozenset(_header_key(w) for w in ("否", "n", "no", "false", "0", "适用", "空", "无"))


@lru_cache(maxsize=4096)
def _strip_header_weight(text: str) -> str:
    return re.sub(r"[(（]\s*[0-9]+(?:\.[0-9]+)?\s*分\s*[)）]", "", text).strip()


class _TooManyRows(Exception):
    pass


class _WorkbookReader:
    def __init__(self, default_year: int | None, progress: Callable[[int, int], None] | None):
        self.result = ReadResult()
        self.default_year = default_year
        self.progress = progress
        self.fragments_by_key: dict[tuple, ProjectFragment] = {}
        self.row_limit = max_rows()

    def read(self, source) -> ReadResult:
        try:
            workbook = load_workbook(source, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise WorkbookRejected(
                [Problem(f"无法打开工作簿：文件已损坏或不是标准的 .xlsx 格式（{type(exc).__name__}）。")]
            ) from exc
        try:
            sheets = [ws for ws in workbook.worksheets if not _SKIPPED_SHEETS.match(ws.title.strip())]
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
        except _TooManyRows:
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
        merges = _merged_ranges(workbook, ws)
        sheet = _SheetReader(self, ws.title, merges)
        seen = 0
        tab_rows = 0
        for row_index, raw in enumerate(ws.iter_rows(), start=1):
            cells = sheet.cells_of(row_index, raw)
            if any(c is not None for c in cells):
                seen += 1
                if any(c is not None and "\t" in c.text for c in cells):
                    split = sheet.split_cells(cells)
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


def _merged_ranges(workbook, ws) -> list[tuple[int, int, int, int]]:
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
    return _WorkbookReader(default_year, progress).read(source)
