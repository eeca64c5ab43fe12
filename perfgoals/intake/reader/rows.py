"""A sheet's rows read straight from its XML, each cell converted once into a :class:`~.cells.CellValue`.

openpyxl's read-only sheet parser builds a dict and then a ``ReadOnlyCell`` for every cell and looks
its number format up through two tables, and the reader then converted that cell again: three objects
a cell, most of a large import's reading time. :class:`SheetRows` reads the same XML with the same
parser (the standard library's ``iterparse``, as openpyxl does) and reads each cell's value by the
rules of openpyxl's ``WorkSheetParser.parse_cell`` — the same casts (a number with ".", "E" or "e" is a
float, else an int), shared and inline strings, booleans, ISO dates and serial dates by the workbook's
date formats, formulas as written (shared ones translated), error values — into a ``CellValue``
directly (``cells.typed_cell``). What it does not read: row and column formatting, print settings,
validations, conditional formats (nothing of the import needs them, and they are not parsed at all).

The rows come in file order as ``(row number, [(column, CellValue or None), …])``, every ``<c>`` of the
row listed (an empty one as None): the caller decides widths, limits and merged cells. A value the
rules cannot read raises (ValueError, or :class:`~.strings.BadStringIndex` for a shared-string index
the table does not have); :attr:`row` and :attr:`column` then name the cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import IO
from xml.etree.ElementTree import iterparse

from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel, from_ISO8601

from .cells import CellValue, clean_text, column_letter, number_cell, typed_cell
from .strings import BadStringIndex, rich_text

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _VALUE, _FORMULA, _INLINE = _MAIN + "row", _MAIN + "v", _MAIN + "f", _MAIN + "is"
_DIGITS = "0123456789"
#: numbers as read, by (stored text, shown as a percentage): a workbook repeats its numbers (years,
#: weights, 100) thousands of times
_NUMBER_CACHE_SIZE = 4096


@lru_cache(maxsize=4096)
def _column(letters: str) -> tuple[int, str]:
    """(1, "A") for "A" or "a"; ValueError for what is not column letters (at most three: a column
    far right is then refused by the reader's column limit, naming it)."""
    index = column_index_from_string(letters)
    return index, column_letter(index)


def _row_number(text: str) -> int:
    """A row's "r" as openpyxl reads it: an integer, or a float that is one."""
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if number.is_integer():
            return int(number)
        raise ValueError(f"'{text[:20]}' is not a valid row number") from None


def _number(text: str) -> int | float:
    """openpyxl's ``_cast_number``."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def percent_styles(workbook) -> frozenset[int]:
    """The cell styles (indexes of ``<cellXfs>``) whose number format shows a percentage; a style
    whose format the workbook does not have shows none (General)."""
    found = set()
    formats = workbook._number_formats
    for index, style in enumerate(workbook._cell_styles):
        number_format = style.numFmtId
        if number_format < BUILTIN_FORMATS_MAX_SIZE:
            code = BUILTIN_FORMATS.get(number_format, "General")
        elif number_format - BUILTIN_FORMATS_MAX_SIZE < len(formats):
            code = formats[number_format - BUILTIN_FORMATS_MAX_SIZE]
        else:
            code = "General"
        if "%" in code:
            found.add(index)
    return frozenset(found)


def cell_texts(strings: list[str]) -> list[str]:
    """The shared-string table as cells read it (surrounding whitespace removed, "" for none): once
    for the workbook, whichever sheets use it."""
    return [clean_text(text) for text in strings]


class CellStyles:
    """What a number cell's style says of its value: a date, a duration, a percentage."""

    def __init__(
        self,
        *,
        epoch: datetime = WINDOWS_EPOCH,
        dates: frozenset[int] | set[int] = frozenset(),
        durations: frozenset[int] | set[int] = frozenset(),
        percents: frozenset[int] | set[int] = frozenset(),
    ):
        self.epoch = epoch
        self.dates = dates
        self.durations = durations
        self.percents = percents

    @classmethod
    def of(cls, workbook) -> CellStyles:
        """A workbook as openpyxl's reader loaded it (its stylesheet applied)."""
        return cls(
            epoch=workbook.epoch,
            dates=workbook._date_formats,
            durations=workbook._timedelta_formats,
            percents=percent_styles(workbook),
        )


class SheetRows:
    """The rows of one sheet's XML (see the module docstring)."""

    def __init__(self, texts: list[str], styles: CellStyles):
        #: the shared strings as a cell reads them (:func:`cell_texts`)
        self.texts = texts
        self.styles = styles
        self.numbers: dict[tuple[str, bool], CellValue] = {}
        self.shared_formulas: dict[str | None, Translator] = {}
        #: the row and column (1-based) of the cell being read: where a value that cannot be read is
        self.row = 0
        self.column = 0

    def rows(self, source: IO[bytes]) -> Iterator[tuple[int, list[tuple[int, CellValue | None]]]]:
        """(row number, [(column, cell), …]) for each ``<row>`` of the sheet, in file order."""
        row_number = 0
        value_of = self.value
        columns: dict[str, tuple[int, str]] = {}  # `_column` of the letters seen in this sheet
        for _, element in iterparse(source):
            if element.tag != _ROW:
                continue
            given = element.get("r")
            row_number = row_number + 1 if given is None else _row_number(given)
            self.row = row_number
            column = 0
            found: list[tuple[int, CellValue | None]] = []
            for cell in element:  # every child is a cell, as openpyxl reads a row
                ref = cell.get("r")
                if ref:
                    letters = ref.rstrip(_DIGITS)
                    if letters == ref:
                        raise ValueError(f"'{ref[:20]}' is not a cell reference")
                    known = columns.get(letters)
                    if known is None:
                        known = _column(letters)
                        if len(columns) < 4096:
                            columns[letters] = known
                    column, letters = known
                else:
                    letters = column_letter(column + 1)
                    column += 1
                self.column = column
                found.append((column, value_of(cell, ref, letters)))
            element.clear()
            yield row_number, found

    def value(self, cell, ref: str | None, letters: str) -> CellValue | None:
        """One ``<c>`` as openpyxl's parser would read it, converted."""
        data_type = cell.get("t", "n")
        text = formula = inline = None
        if len(cell) == 1 and cell[0].tag == _VALUE:  # most cells: one <v>
            text = cell[0].text or ""
        else:
            for child in cell:
                tag = child.tag
                if tag == _VALUE:
                    if text is None:
                        text = child.text or ""
                elif tag == _FORMULA:
                    if formula is None:
                        formula = child
                elif tag == _INLINE and inline is None:
                    inline = child
        if formula is not None:
            written = self.formula(formula, ref)
            return CellValue(text=written, column=letters, formula=written)
        if data_type == "inlineStr":
            if inline is None:
                return None
            text = clean_text(rich_text(inline))
            return CellValue(text=text, column=letters) if text else None
        if not text:
            return None
        if data_type == "s":
            index = int(text)
            if not 0 <= index < len(self.texts):
                raise BadStringIndex(index, len(self.texts))
            shown = self.texts[index]
            return CellValue(shown, letters) if shown else None  # (text, column)
        if data_type == "n":
            return self.number(cell, text, letters)
        if data_type == "b":
            return typed_cell(bool(int(text)), "b", False, letters)
        if data_type == "str":
            return typed_cell(text, "s", False, letters)
        if data_type == "d":
            return typed_cell(from_ISO8601(text), "d", False, letters)
        return typed_cell(text, data_type, False, letters)

    def number(self, cell, text: str, letters: str) -> CellValue | None:
        style = cell.get("s")
        style_id = int(style) if style else 0
        styles = self.styles
        if style_id in styles.dates:
            number = _number(text)  # not a number: refused, as openpyxl's cast raises before its check
            try:
                value = from_excel(number, styles.epoch, timedelta=style_id in styles.durations)
            except (OverflowError, ValueError):  # openpyxl: out of the dates' range, an error value
                return CellValue(text="#VALUE!", column=letters, error="#VALUE!")
            return typed_cell(value, "d", False, letters)
        percent = style_id in styles.percents
        read = self.numbers.get((text, percent))
        if read is None:
            read = number_cell(_number(text), percent, "")
            if len(self.numbers) < _NUMBER_CACHE_SIZE:
                self.numbers[(text, percent)] = read
        return CellValue(read.text, letters, read.number, error=read.error)

    def formula(self, element, ref: str | None) -> str:
        """A formula as written ("=" and its text); a shared formula's followers translated from its
        first cell, as openpyxl does."""
        written = "=" + (element.text or "")
        if element.get("t") == "shared":
            index = element.get("si")
            translator = self.shared_formulas.get(index)
            if translator is not None:
                return translator.translate_formula(ref)
            if written != "=":
                self.shared_formulas[index] = Translator(written, ref)
        return written
