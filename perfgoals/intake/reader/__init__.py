"""The tolerant workbook reader: what a unit's Excel file says, with where it says it.

No database here: :func:`read_workbook` turns an .xlsx file into :class:`ProjectFragment` objects
(a project as named somewhere in the file, with its project-level values and its indicator rows),
each value carrying its sheet, row and column, plus a list of :class:`Problem` (errors, in Chinese)
and warnings. The services resolve fragments against the database.

This package re-exports what the rest of the app uses; its modules, by job:

* ``limits`` — the size and row limits, :class:`Limits` (what one reading may cost: XML inflated,
  rows of any kind, cells, merged ranges, memory and time), :func:`check_file` (the file refused
  before it is opened);
* ``scan`` — the archive measured on its raw XML before anything is parsed, refused past a limit;
* ``strings`` — the shared-string table (Excel's and WPS's text) read within limits, and looked up
  only by an index it has;
* ``isolation`` — :func:`read_workbook`: the file checked, then read in a subprocess with an
  address-space and a wall-time limit, whatever its size;
* ``problems``, ``results`` — what reading reports and gives;
* ``headers`` — the header vocabulary (:func:`field_of_header`, :data:`FIELD_TITLES`);
* ``cells`` — one cell as read (:class:`CellValue`), ``values`` — a cell as its field's type;
* ``merges`` — merged ranges (from ``scan``) filled from their top-left cell, never expanded;
* ``workbook`` — the reading itself, sheet after sheet, rows streamed as wide as they really are;
  ``sheet`` — one sheet's rows in order,
  handing each to ``forms`` (form blocks), ``tables`` (headers, ambiguous merges) and
  ``indicator_rows`` (levels carried down, rows realigned, rows built; ``levels``).

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

from .cells import CellValue
from .headers import (
    DATE_FIELDS,
    DECIMAL_COLUMNS,
    DECIMAL_FIELDS,
    FIELD_TITLES,
    HEADER_ALIASES,
    IDENTITY,
    INDICATOR_LEVEL,
    MAX_LENGTHS,
    MONEY_FIELDS,
    PROJECT_LEVEL,
    QUALIFIED_HEADER_ALIASES,
    field_of_header,
)
from .isolation import read_workbook
from .limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    MAX_PROBLEMS,
    MAX_UNCOMPRESSED,
    check_file,
    inflated_size,
    max_bytes,
    max_rows,
)
from .problems import Problem, WorkbookRejected
from .results import IndicatorRow, ProjectFragment, ReadResult
from .values import fits_column

__all__ = [
    "DATE_FIELDS",
    "DECIMAL_COLUMNS",
    "DECIMAL_FIELDS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "FIELD_TITLES",
    "HEADER_ALIASES",
    "IDENTITY",
    "INDICATOR_LEVEL",
    "MAX_LENGTHS",
    "MAX_PROBLEMS",
    "MAX_UNCOMPRESSED",
    "MONEY_FIELDS",
    "PROJECT_LEVEL",
    "QUALIFIED_HEADER_ALIASES",
    "CellValue",
    "IndicatorRow",
    "Problem",
    "ProjectFragment",
    "ReadResult",
    "WorkbookRejected",
    "check_file",
    "inflated_size",
    "field_of_header",
    "fits_column",
    "max_bytes",
    "max_rows",
    "read_workbook",
]
