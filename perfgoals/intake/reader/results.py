"""What reading a workbook gives: :class:`ProjectFragment` objects (a project as named somewhere in
the file, with its project-level values and its :class:`IndicatorRow` rows) in a :class:`ReadResult`,
with the errors and warnings; and :class:`SheetProblems`, through which a sheet's pieces report."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from .headers import FIELD_TITLES
from .limits import MAX_PROBLEMS
from .problems import Problem


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
    #: 财预〔2021〕101号 (指标解释, 评(扣)分标准, 数据来源/佐证, 取值依据 as a ValueBasis value); None when the
    #: table has no such column
    explanation: str | None = None
    scoring_standard: str | None = None
    data_source: str | None = None
    basis: str | None = None
    notes: list[str] = field(default_factory=list)

    def problem(self, message: str, field_code: str | None = None) -> Problem:
        column = self.columns.get(field_code) if field_code else None
        return Problem(
            message, self.sheet, self.row, column, FIELD_TITLES.get(field_code) if field_code else None
        )

    def __reduce__(self):
        """Pickled as its fields' values in order: the reading crosses a process boundary, and a dict
        of field names a row made it a third larger and twice as slow to unpickle."""
        return IndicatorRow, _row_values(self)


#: an IndicatorRow's field values, in the order of its fields (its ``__init__``'s arguments)
_row_values = operator.attrgetter(*(row_field.name for row_field in fields(IndicatorRow)))


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


class SheetProblems:
    """Errors and warnings of one sheet, into the workbook's result: the sheet's title is the place's
    first part, and a field code names the column by its template title."""

    def __init__(self, result: ReadResult, title: str):
        self.result = result
        self.title = title

    def error(
        self, message: str, row: int | None = None, column: str | None = None, field_code: str | None = None
    ):
        self.result.error(Problem(message, self.title, row, column, FIELD_TITLES.get(field_code or "", None)))

    def warn(
        self, message: str, row: int | None = None, column: str | None = None, field_code: str | None = None
    ):
        self.result.warn(Problem(message, self.title, row, column, FIELD_TITLES.get(field_code or "", None)))
