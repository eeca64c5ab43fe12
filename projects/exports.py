"""Spreadsheet exports that stream: CSV row by row and XLSX written by XlsxWriter in constant-memory mode,
both fed by an iterator of rows, so that a province's 100,000 rows cost the memory of a few rows.

User text is always written as text:

* CSV: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  apostrophe (OWASP's advice against CSV injection), so a spreadsheet shows it and never runs it;
* XLSX: strings go through ``write_string`` with ``strings_to_formulas`` and ``strings_to_urls`` off,
  so a project name like ``=HYPERLINK(...)`` is a string cell, not a formula or a link.

Numbers (Decimal, int) are written as numbers, so officials can add them up.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal

import xlsxwriter
from django.http import StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.http import content_disposition_header

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: what a spreadsheet reads as the start of a formula (OWASP, CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: options of every XlsxWriter workbook the product writes: text stays text
XLSX_TEXT_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
#: bytes handed to the server at a time
CHUNK = 64 * 1024
#: XLSX cells are limited to 32,767 characters; longer text is cut rather than refused
XLSX_MAX_TEXT = 32767


def csv_text(value) -> str:
    """One CSV cell: numbers as they print, text neutralised when it could start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float):
        return str(value)
    text = force_str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Line:
    """A file-like target for csv.writer that hands back what one row wrote."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def csv_percent(value) -> str:
    """A rate in a CSV cell as the page prints it: 0.9877 → "98.77%"."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return f"{(Decimal(value) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    return csv_text(value)


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence], formats: Sequence[str | None] | None = None
) -> Iterator[bytes]:
    """CSV in UTF-8 with a byte-order mark (Excel reads the Chinese text correctly), row by row,
    in chunks of about CHUNK bytes. A column whose XLSX format is a percentage prints as "98.77%"."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([csv_text(cell) for cell in header])
    buffer = ["\ufeff", line.take()]
    size = 0
    as_text = [csv_percent if (f or "").endswith("%") else csv_text for f in formats or []]
    for row in rows:
        writer.writerow(
            [(as_text[col] if col < len(as_text) else csv_text)(cell) for col, cell in enumerate(row)]
        )
        text = line.take()
        buffer.append(text)
        size += len(text)
        if size >= CHUNK // 3:  # a CJK character is three bytes
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def write_cell(worksheet, row: int, col: int, value, cell_format=None) -> None:
    """One XLSX cell: a number as a number, anything else as a string (never a formula)."""
    if value is None or value == "":
        return
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        worksheet.write_number(row, col, value, cell_format)
    else:
        worksheet.write_string(row, col, force_str(value)[:XLSX_MAX_TEXT], cell_format)


def column_width(heading: str) -> float:
    """A column as wide as its heading (a CJK character counts two), at least 10."""
    return max(10, sum(2 if ord(ch) > 0x2E80 else 1 for ch in heading) + 2)


def xlsx_file(
    path: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    title: str = "Sheet1",
    formats: Sequence[str | None] | None = None,
) -> int:
    """Write an XLSX file of one sheet at ``path`` in constant-memory mode; the number of rows written.

    ``formats``: a number format per column (e.g. "0.00": scores always with two places), or None."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, **XLSX_TEXT_OPTIONS})
    try:
        sheet_title = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet1"
        worksheet = workbook.add_worksheet(sheet_title)
        bold = workbook.add_format({"bold": True})
        cell_formats = [workbook.add_format({"num_format": f}) if f else None for f in formats or []]
        for col, heading in enumerate(header):
            worksheet.set_column(col, col, column_width(force_str(heading)))
            write_cell(worksheet, 0, col, heading, bold)
        worksheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                write_cell(
                    worksheet, count, col, value, cell_formats[col] if col < len(cell_formats) else None
                )
    finally:
        workbook.close()
    return count


def xlsx_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence],
    title: str = "Sheet1",
    formats: Sequence[str | None] | None = None,
) -> Iterator[bytes]:
    """The XLSX bytes, written to a temporary file (rows in constant memory) and then read back in
    chunks; the temporary file is removed when the iteration ends or is abandoned."""
    handle, path = tempfile.mkstemp(prefix="export-", suffix=".xlsx")
    os.close(handle)
    try:
        xlsx_file(path, header, rows, title, formats)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def streaming_download(chunks: Iterator[bytes], filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Accel-Buffering"] = "no"  # a reverse proxy passes the rows on as they come
    return response


def table_values(table, queryset=None, chunk_size: int = 2000) -> tuple[list[str], Iterator[list]]:
    """The header and the rows of a django-tables2 table as its export shows them (each column's
    ``value``), reading the table's (ordered) queryset in chunks rather than all at once."""
    columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
    header = [force_str(column.header, strings_only=True) for column in columns]
    names = [column.name for column in columns]
    data = table.data.data if queryset is None else queryset

    def rows() -> Iterator[list]:
        from django_tables2.rows import BoundRow

        records = data.iterator(chunk_size=chunk_size) if hasattr(data, "iterator") else iter(data)
        for record in records:
            row = BoundRow(record, table=table)
            yield [row.get_cell_value(name) for name in names]

    return header, rows()


def table_formats(table) -> list[str | None]:
    """The XLSX number format of each exported column (a column's ``xlsx_format``, or None)."""
    columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
    return [getattr(column.column, "xlsx_format", None) for column in columns]
