"""The shared-string table (``xl/sharedStrings.xml``): where Excel and WPS keep every text of a
workbook, each cell holding an index into it.

openpyxl reads the table whole before the first row, building objects for every entry and run — about
75 µs an entry, minutes for a table of rich text — and looks an index up without a bound (an index out
of range is an IndexError, a negative one silently another cell's text). Here:

* :func:`read_string_table` reads the table as openpyxl would (an entry's text is its ``<t>`` and the
  ``<t>`` of its rich-text runs; phonetic runs left out; ``x005F_`` removed), streaming, keeping no
  element, a microsecond or two an element, and stops past :attr:`Limits.max_shared_strings`;
* :class:`StringTable` is the table as the sheet parser uses it: an index out of range, negative or not
  a number raises :class:`BadStringIndex`, which ``workbook`` turns into a refusal naming the cell;
* :class:`LimitedReader` is openpyxl's own workbook reader with this table reader in its place.

``scan`` has counted the table's entries and elements on the raw XML before (and refused a table with
more entries than the sheets have cells, or more elements than the limit).
"""

from __future__ import annotations

from typing import IO
from xml.etree.ElementTree import iterparse

from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

from .limits import Limits, refuse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SI, _T, _R = _MAIN + "si", _MAIN + "t", _MAIN + "r"


class BadStringIndex(Exception):
    """A cell's shared-string index that the table does not have."""

    def __init__(self, value, size: int):
        super().__init__(value)
        self.value = value
        self.size = size


class StringTable(list):
    """The entries, looked up only by an index the table has."""

    def __getitem__(self, index):
        try:
            number = int(index)
        except (TypeError, ValueError):
            raise BadStringIndex(index, len(self)) from None
        if not 0 <= number < len(self):
            raise BadStringIndex(index, len(self))
        return list.__getitem__(self, number)


def _too_many(limit: int) -> None:
    refuse(
        f"工作簿的共享文字表超过 {limit:,} 条的上限，不是 Excel 正常保存的，无法导入："
        "请把内容复制到新的工作簿（只粘贴数值）后再导入。"
    )


def rich_text(element) -> str:
    """The text of a shared string's ``<si>`` or an inline string's ``<is>``: its own ``<t>``, then its
    rich-text runs' (not the phonetic runs'), as openpyxl's ``Text.content``."""
    parts: list[str] = []
    for child in element:
        if child.tag == _T:
            if child.text:
                parts.append(child.text)
        elif child.tag == _R:
            for part in child:
                if part.tag == _T and part.text:
                    parts.append(part.text)
    return "".join(parts)


def read_string_table(source: IO[bytes], limits: Limits) -> StringTable:
    """Every entry's text, in order; refused past ``limits.max_shared_strings`` entries."""
    strings = StringTable()
    limit = limits.max_shared_strings
    root = None
    for event, element in iterparse(source, events=("start", "end")):
        if root is None:
            root = element
            continue
        if event != "end" or element.tag != _SI:
            continue
        strings.append(rich_text(element).replace("x005F_", ""))
        if len(strings) > limit:
            _too_many(limit)
        root.clear()  # the table keeps no entry
    return strings


class LimitedReader(ExcelReader):
    """openpyxl's workbook reader, reading the shared strings with :func:`read_string_table`."""

    def __init__(self, source, limits: Limits, **options):
        super().__init__(source, **options)
        self.limits = limits

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is None:
            self.shared_strings = StringTable()
            return
        with self.archive.open(part.PartName[1:]) as stream:
            self.shared_strings = read_string_table(stream, self.limits)


def open_workbook(source, limits: Limits):
    """The workbook, read-only, formulas as written, links dropped, its strings through the table above."""
    reader = LimitedReader(source, limits, read_only=True, data_only=False, keep_links=False)
    reader.read()
    return reader.wb
