"""The form layout (seeds 000, 004): a block per project — "项目名称 | …", "主管部门 | …", "资金情况 |
财政拨款年度金额: | 3477 万元", "项目立项时间 | 2020.01.01 | 项目结束时间 | …", the 实施期 / 年度目标 labels
above their texts — then the indicator table without a 项目名称 column. A title such as
"2020 年预算项目支出绩效目标表" gives the year.

This module reads what a form's rows say; the sheet reader (``sheet``) keeps which block is open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cells import CellValue
from .headers import PROJECT_LEVEL, field_of_header, is_noise_label
from .problems import Problem
from .results import ProjectFragment
from .values import ValueReader

TITLE_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年(?:度)?")
TITLE_WORDS = (
    "绩效目标表",
    "绩效自评表",
    "绩效目标公开表",
    "绩效目标申报表",
    "目标表",
    "自评表",
    "预算年度",
    "预算算度",
)
LEADING_LABEL = re.compile(r"^([^:：]{2,20})[:：]\s*(.+)$", re.DOTALL)


def is_title(nonempty) -> bool:
    """A row such as "2020 年预算项目支出绩效目标表": a year and the name of a form, in a few cells."""
    if len(nonempty) > 3:
        return False
    text = "".join(c.text for _, c in nonempty)
    return bool(TITLE_YEAR.search(text)) and any(word in text for word in TITLE_WORDS)


def leading_label_field(text: str) -> str | None:
    """The field of a label written before its value in one cell ("项目名称：X")."""
    match = LEADING_LABEL.match(text)
    if match:
        return field_of_header(match.group(1))
    return None


def label_pairs(nonempty) -> tuple[list[tuple[str, CellValue]], dict[int, str]]:
    """A row of "label | value | label | value" pairs, or of labels whose values come next row: the
    (field, value cell) pairs, and the fields of the labels left waiting, by column."""
    pairs: list[tuple[str, CellValue]] = []
    label_columns: dict[int, str] = {}
    pending: tuple[str, int] | None = None  # a label waiting for its value ("" for a noise label)
    for position, cell in nonempty:
        label = field_of_header(cell.text)
        if label in ("label", "seq") or (label is None and is_noise_label(cell.text)):
            if pending is not None and pending[0]:
                label_columns[pending[1]] = pending[0]
            pending = ("", position)
            continue
        if label is None:
            inline = LEADING_LABEL.match(cell.text)
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
    return pairs, label_columns


@dataclass
class Block:
    """A project named by a form label ("项目名称 | …") and the values its labels give."""

    fragment: ProjectFragment
    #: the unit was named by a 资金使用单位 label (no 实施单位 label so far), and that label's cell
    unit_from_fund_user: bool = False
    fund_user_cell: tuple[CellValue, int] | None = None

    def set_value(
        self, label: str, cell: CellValue, row_index: int, *, values: ValueReader, title: str
    ) -> None:
        """What a label of the form gives: the unit, department or year of the project, or one of its
        project-level values (checked against what other places of the file say)."""
        fragment = self.fragment
        if label == "fund_user" and (not fragment.unit_name or self.unit_from_fund_user):
            # a form with a 资金使用单位 line and no 实施单位 line (yet): it names the unit, as before the
            # fund user existed; a 实施单位 line further down takes the unit over and keeps this one
            self.unit_from_fund_user = True
            self.fund_user_cell = (cell, row_index)
            label = "unit"
        elif label == "unit" and self.unit_from_fund_user:
            self.unit_from_fund_user = False
            held, held_row = self.fund_user_cell
            self.set_value("fund_user", held, held_row, values=values, title=title)
        if label == "unit":
            fragment.unit_name = cell.text
            fragment.field_places["unit"] = Problem("", title, row_index, cell.column)
            values.check_length(cell.text, "unit", row_index, cell.column)
            return
        if label == "department":
            fragment.department_name = cell.text
            return
        if label == "year":
            year = values.convert("year", cell, row_index)
            if year is not None:
                fragment.year = year
            return
        if label not in PROJECT_LEVEL:
            return
        value = values.convert(label, cell, row_index)
        if value is None and cell.text:
            return
        values.store_project_value(fragment, label, value, Problem("", title, row_index, cell.column))
