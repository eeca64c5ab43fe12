"""How much the reader accepts, and the checks of a file before it is opened.

:func:`check_file` refuses what is not an .xlsx workbook the reader will open: too large, not a zip,
an old .xls, a zip that is not a workbook, a zip bomb. The row limit (:func:`max_rows`) is enforced
while reading (``sheet.SheetReader.read_indicator_row`` raises :class:`TooManyRows`, which
``workbook.WorkbookReader.read`` turns into an error).

What reading may cost is bounded by :class:`Limits` (``scan`` checks the XML before it is parsed,
``workbook`` counts the cells while streaming) and by the subprocess the reading runs in
(``isolation``: an address-space and a wall-time limit). The limits are read from the settings in the
web or task process and handed to the subprocess, which never reads the settings itself.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.conf import settings

from .problems import Problem, WorkbookRejected

#: default largest file accepted (override with settings.INTAKE_MAX_BYTES)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: largest total uncompressed size of the zip members (a zip bomb guard)
MAX_UNCOMPRESSED = 400 * 1024 * 1024
#: most members of the zip (a workbook has a few dozen; each one costs a little to open)
MAX_MEMBERS = 5_000
#: most data rows read from one workbook (override with settings.INTAKE_MAX_ROWS)
DEFAULT_MAX_ROWS = 100_000
#: at most this many problems are kept (the count of the rest is reported)
MAX_PROBLEMS = 300
#: the XML actually inflated from the archive, all parts together (settings.INTAKE_MAX_XML_BYTES):
#: a 10 MB workbook of real data (the row limit's worth) inflates to well under this
DEFAULT_MAX_XML_BYTES = 100 * 1024 * 1024
#: rows of any kind in the sheets' XML, empty ones too (settings.INTAKE_MAX_SHEET_ROWS)
DEFAULT_MAX_SHEET_ROWS = 200_000
#: cells read, counting the empty ones before a row's last cell (settings.INTAKE_MAX_CELLS)
DEFAULT_MAX_CELLS = 3_000_000
#: the rightmost column a cell with content may be in (settings.INTAKE_MAX_COLUMNS): ALL, far right
#: of any table of ours (the template has about 20 columns)
DEFAULT_MAX_COLUMNS = 1_000
#: merged ranges in one workbook (settings.INTAKE_MAX_MERGES)
DEFAULT_MAX_MERGES = 50_000
#: entries of the shared-string table (settings.INTAKE_MAX_SHARED_STRINGS): a workbook at the row limit
#: has a few hundred thousand distinct texts
DEFAULT_MAX_SHARED_STRINGS = 1_000_000
#: tags of the shared-string table, start and end tags alike, rich-text runs and their formatting too
#: (settings.INTAKE_MAX_STRING_TAGS): an entry of plain text has four (<si><t></t></si>)
DEFAULT_MAX_STRING_TAGS = 4_000_000
#: entries the table may have beyond the cells of the sheets (an unused entry or two is harmless; a
#: table of millions of entries for a few cells is a bomb)
SPARE_SHARED_STRINGS = 1_000
#: the longest run of text between two XML tags, in bytes: Excel holds at most 32,767 characters in
#: a cell (at most 6 bytes each as escaped UTF-8)
MAX_TEXT_BYTES = 32_767 * 6
#: Excel's longest cell text
EXCEL_CELL_CHARACTERS = 32_767
#: the subprocess that reads a workbook: its address space above what it starts with, and its time
#: (settings.INTAKE_READER_MEMORY_MB, settings.INTAKE_READER_SECONDS)
DEFAULT_READER_MEMORY_MB = 1024
DEFAULT_READER_SECONDS = 180

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def max_bytes() -> int:
    return int(getattr(settings, "INTAKE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "INTAKE_MAX_ROWS", DEFAULT_MAX_ROWS))


@dataclass(frozen=True)
class Limits:
    """What one reading may cost; picklable, so the subprocess gets the web process's settings."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_xml_bytes: int = DEFAULT_MAX_XML_BYTES
    max_sheet_rows: int = DEFAULT_MAX_SHEET_ROWS
    max_cells: int = DEFAULT_MAX_CELLS
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_merges: int = DEFAULT_MAX_MERGES
    max_text_bytes: int = MAX_TEXT_BYTES
    max_shared_strings: int = DEFAULT_MAX_SHARED_STRINGS
    max_string_tags: int = DEFAULT_MAX_STRING_TAGS
    memory_mb: int = DEFAULT_READER_MEMORY_MB
    seconds: float = DEFAULT_READER_SECONDS

    @classmethod
    def from_settings(cls) -> Limits:
        def setting(name: str, default):
            return type(default)(getattr(settings, name, default))

        return cls(
            max_bytes=max_bytes(),
            max_rows=max_rows(),
            max_xml_bytes=setting("INTAKE_MAX_XML_BYTES", DEFAULT_MAX_XML_BYTES),
            max_sheet_rows=setting("INTAKE_MAX_SHEET_ROWS", DEFAULT_MAX_SHEET_ROWS),
            max_cells=setting("INTAKE_MAX_CELLS", DEFAULT_MAX_CELLS),
            max_columns=setting("INTAKE_MAX_COLUMNS", DEFAULT_MAX_COLUMNS),
            max_merges=setting("INTAKE_MAX_MERGES", DEFAULT_MAX_MERGES),
            max_shared_strings=setting("INTAKE_MAX_SHARED_STRINGS", DEFAULT_MAX_SHARED_STRINGS),
            max_string_tags=setting("INTAKE_MAX_STRING_TAGS", DEFAULT_MAX_STRING_TAGS),
            memory_mb=setting("INTAKE_READER_MEMORY_MB", DEFAULT_READER_MEMORY_MB),
            seconds=setting("INTAKE_READER_SECONDS", float(DEFAULT_READER_SECONDS)),
        )


def _megabytes(size: int) -> str:
    return f"{Decimal(size) / Decimal(1024 * 1024):.1f} MB"


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


def inflated_size(source: str | Path | IO[bytes]) -> int:
    """What the zip's members declare they inflate to, in bytes (0 for what is not a readable zip);
    the source's position is kept."""
    try:
        with zipfile.ZipFile(source) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return 0
    finally:
        if hasattr(source, "seek"):
            source.seek(0)  # type: ignore[union-attr]


def check_file(source: str | Path | IO[bytes], *, size: int | None = None) -> None:
    """Refuse what is not an .xlsx workbook this reader will open: too large, not a zip, an old .xls,
    a zip that is not a workbook, a zip bomb. Raises WorkbookRejected with the reason in Chinese."""
    size = _size_of(source) if size is None else size
    limit = max_bytes()
    if size > limit:
        raise WorkbookRejected(
            [
                Problem(
                    f"文件大小 {_megabytes(size)}，超过上限 {_megabytes(limit)}。"
                    "请删去无关的工作表或拆成几个文件后再导入。"
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
                    "这是旧版 Excel 97-2003（.xls）文件或加密的工作簿："
                    "请在 Excel 中“另存为” .xlsx 格式（并取消密码）后再导入。"
                )
            ]
        )
    if not head.startswith(_ZIP_SIGNATURES):
        raise WorkbookRejected(
            [
                Problem(
                    "文件不是 Excel 工作簿（.xlsx）：内容不是 xlsx 格式，仅改扩展名无效。"
                    "请用 Excel 另存为 .xlsx。"
                )
            ]
        )
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
            members = len(archive.infolist())
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
    if members > MAX_MEMBERS:
        raise WorkbookRejected(
            [
                Problem(
                    f"文件包含 {members:,} 个部件，超过 {MAX_MEMBERS:,} 个的上限，不是正常的 Excel 工作簿，"
                    "无法导入。请在 Excel 中打开后“另存为” .xlsx 再导入。"
                )
            ]
        )
    if total > MAX_UNCOMPRESSED:
        raise WorkbookRejected(
            [Problem(f"工作簿解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，无法导入。")]
        )


class TooManyRows(Exception):
    """More data rows than :func:`max_rows`: reading stops."""


def refuse(message: str, sheet: str | None = None, row: int | None = None, column: str | None = None):
    """Stop reading: the file as a whole is refused, with one problem."""
    raise WorkbookRejected([Problem(message, sheet, row, column)])
