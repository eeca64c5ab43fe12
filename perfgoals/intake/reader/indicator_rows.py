"""Indicator rows: the levels carried down a project's rows, rows realigned by content, rows built.

Level columns merged down, or left blank under a printed group (as the seeds print them), carry the
level above forward (:class:`~.levels.Levels`); a level-2 name without its level 1 finds its parent.
Huancui free text (seed 004 as published): rows of a simple form table (levels, name, target only)
whose cells do not sit under their headers are realigned by content — a level-1 name, a level-2 name,
then the indicator name and its target — and the preview says so.
"""

from __future__ import annotations

from typing import Any

from perfgoals.engine import vocabulary
from perfgoals.engine.values import format_decimal

from .cells import CellValue, column_letter
from .headers import FIELD_TITLES, IDENTITY, STANDARD_101_TEXT, is_noise_label
from .levels import Levels, normalise_level1, normalise_level2, parse_level1_header, strip_header_weight
from .problems import Problem
from .results import IndicatorRow, ProjectFragment, SheetProblems
from .tables import Table
from .values import ValueReader

#: a row with any of these is an indicator row, even without a name (an error then)
_VALUE_FIELDS = frozenset({"target", "actual", "weight", "score", "nature", "measure"})
#: columns a row keeps (as None) only when its table has them: texts, blank when the cell is empty …
_TEXT_COLUMNS = ("actual", "deviation", "band", *STANDARD_101_TEXT)
#: … and choices, with what an empty cell means
_CHOICE_COLUMNS = (("direction_override", ""), ("not_applicable", False), ("basis", ""))


def misaligned(values: dict[str, CellValue], orphans: list[CellValue]) -> bool:
    """A row of a simple table whose cells do not sit under their headers: a cell without a header, or
    a level cell that is no level."""
    if orphans:
        return True
    level1 = values.get("level1")
    if level1 is not None and normalise_level1(strip_header_weight(level1.text)) is None:
        return True
    level2 = values.get("level2")
    if level2 is not None and normalise_level2(level2.text) is None:
        return True
    return False


class IndicatorRowReader:
    """The indicator rows of one sheet, and the levels carried from row to row."""

    def __init__(self, title: str, problems: SheetProblems, values: ValueReader):
        self.title = title
        self.error = problems.error
        self.check_length = values.check_length
        self.convert = values.convert
        self.levels = Levels()
        self._kept: dict = {}
        self._table_columns: tuple = (None, (), ())

    def _shared(self, key, value=None):
        """``value`` (``key`` itself when not given), or the equal one kept from an earlier row."""
        value = key if value is None else value
        kept = self._kept.get(key)
        if kept is not None:
            return kept
        if len(self._kept) < 4096:
            self._kept[key] = value
        return value

    def reset(self) -> None:
        """A new table or form starts: nothing is carried into it."""
        self.levels = Levels()

    def realign(self, row_index: int, cells, table: Table) -> tuple[dict[str, CellValue], str] | None:
        """Read a simple form row by content: [level 1] [level 2] name [target]."""
        identity: dict[str, CellValue] = {}
        content: list[CellValue] = []
        for position, cell in enumerate(cells):
            if cell is None:
                continue
            code = table.columns.get(position)
            if code in IDENTITY:
                identity[code] = cell
                continue
            if code == "seq" or is_noise_label(cell.text):
                continue
            content.append(cell)
        values: dict[str, CellValue] = dict(identity)
        index = 0
        context_level1 = self.levels.level1
        if index < len(content):
            text = content[index].text
            next_is_level2 = (
                index + 1 < len(content) and normalise_level2(content[index + 1].text) is not None
            )
            code1 = normalise_level1(strip_header_weight(text))
            code2 = normalise_level2(text, context_level1) or normalise_level2(text)
            if code1 is not None and (code2 is None or next_is_level2):
                values["level1"] = content[index]
                context_level1 = code1
                index += 1
        if index < len(content):
            text = content[index].text
            if normalise_level2(text, context_level1) or normalise_level2(text):
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

    @staticmethod
    def _place(columns: dict[str, str], table: Table | None, code: str) -> tuple[str | None, str]:
        """Where a problem with ``code``'s cell of this row is: its column letter (the cell's, else
        the table's column for that field, even when the cell is blank) and the field it names; a
        table without that column points at the 三级指标 cell."""
        if columns.get(code):
            return columns[code], code
        split_text = any(column and not column.isalpha() for column in columns.values())
        if table is not None and code in table.spans and not split_text:
            return column_letter(table.spans[code][0] + 1), code
        if code != "name":
            return IndicatorRowReader._place(columns, table, "name")
        fallback = "target" if columns.get("target") else "actual"
        return columns.get(fallback), fallback

    def take(
        self,
        fragment: ProjectFragment,
        row_index: int,
        values: dict[str, CellValue],
        notes: list[str],
        table: Table,
    ) -> None:
        """Add a data row to its project: the levels it names or carries, its name and values; a level
        row with nothing under it is an empty level-2 category of the project."""
        levels = self.levels
        if levels.project_key != id(fragment):
            self.levels = levels = Levels(project_key=id(fragment))
        # which column each value came from; the same map for rows laid out alike (kept once, see below)
        placed = tuple([(code, cell.column) for code, cell in values.items()])
        columns = self._kept.get(placed)
        if columns is None:
            columns = self._shared(placed, dict(placed))
        level1_cell = values.get("level1")
        level2_cell = values.get("level2")
        if level1_cell is not None:
            text = level1_cell.text
            code1, declared = parse_level1_header(text)
            if code1 is None:
                known2 = normalise_level2(text)
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
            levels.level1_printed = strip_header_weight(text) if declared is not None else text
            if not self.check_length(levels.level1_printed, "level1", row_index, level1_cell.column):
                return
        if level2_cell is not None:
            text = level2_cell.text
            code2 = normalise_level2(text, levels.level1)
            if code2 is None:
                anywhere = normalise_level2(text)
                if anywhere is None:
                    self.error(
                        f"「{text}」不是二级指标"
                        "（如 数量指标、质量指标、时效指标、社会效益指标、服务对象满意度指标）。",
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
        has_values = not values.keys().isdisjoint(_VALUE_FIELDS)
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
            # the blank 三级指标 cell itself (its column letter, not the value's beside it)
            self.error("有指标值但没有三级指标名称。", row_index, *self._place(columns, table, "name"))
            return
        if not self.check_length(name, "name", row_index, name_cell.column if name_cell else None):
            return
        table_spans = table.spans if table else {}
        levelless = "level1" not in table_spans and "level2" not in table_spans
        if levelless:
            # a results file may name indicators by 三级指标 alone; a goal table may not (see services)
            levels.level1 = levels.level1 or ""
            levels.level2 = levels.level2 or ""
        if levels.level1 is None:
            self.error(
                "缺少一级指标（此前也没有可沿用的一级指标）。",
                row_index,
                *self._place(columns, table, "level1"),
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
                    "缺少二级指标（此前也没有可沿用的二级指标）。",
                    row_index,
                    *self._place(columns, table, "level2"),
                )
                return
        # texts and column maps that recur from row to row are kept once (`_shared`): the result
        # crosses a process boundary by pickle, which writes an object seen before as a reference
        shared = self._shared
        row = IndicatorRow(
            sheet=self.title,
            row=row_index,
            columns=columns,
            level1=levels.level1,
            level2=levels.level2,
            level1_printed=shared(levels.level1_printed),
            level2_printed=shared(levels.level2_printed),
            name=name,
            notes=notes,
        )
        for code in ("nature", "target", "measure"):
            cell = values.get(code)
            if cell is not None and self.check_length(cell.text, code, row_index, cell.column):
                setattr(row, code, cell.text if code == "target" else shared(cell.text))
        texts, choices = self._columns_of(table)
        for code in texts:
            cell = values.get(code)
            text = cell.text if cell is not None else ""
            if cell is not None and not self.check_length(text, code, row_index, cell.column):
                continue
            setattr(row, code, text)
        for code in ("weight", "score", "band_score"):
            cell = values.get(code)
            if cell is not None:
                number = self.convert(code, cell, row_index)
                setattr(row, code, number if number is None else shared((code, str(number)), number))
        for code, blank in choices:
            cell = values.get(code)
            setattr(row, code, self.convert(code, cell, row_index) if cell is not None else blank)
        fragment.rows.append(row)

    def _columns_of(self, table: Table | None) -> tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]:
        """The text columns (blank when empty) and the choice columns (with their blank value) this
        table has, of those a row keeps only when its table has them; once a table."""
        if self._table_columns[0] is not table:
            spans = table.spans if table else {}
            self._table_columns = (
                table,
                tuple(code for code in _TEXT_COLUMNS if code in spans),
                tuple((code, blank) for code, blank in _CHOICE_COLUMNS if code in spans),
            )
        return self._table_columns[1], self._table_columns[2]
