"""The workbook measured before it is parsed: what the archive's XML holds, counted on the raw bytes.

openpyxl builds every text node whole and pads rows to the sheet's declared size, so a small file can
cost gigabytes or minutes before any limit of the reader sees a row. :func:`scan_workbook` inflates
every part once, in chunks and never more than :attr:`Limits.max_xml_bytes` in all, and counts what
parsing would meet — rows of any kind, cells, merged ranges, the longest run of text between two
tags, the shared-string table's entries and tags (and no more entries than the sheets have
cells), DTDs (refused: entity expansion) — refusing the file (:class:`~.problems.WorkbookRejected`, in Chinese) as soon as a count is over
its limit. Counting is done by regular expressions on bytes: it may count too much (a ``<row`` inside
a comment), never too little, and costs a fraction of parsing.

The merged ranges of each part are kept: ``merges`` reads them from here, not from the sheet again.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from openpyxl.utils import range_boundaries

from .limits import EXCEL_CELL_CHARACTERS, SPARE_SHARED_STRINGS, Limits, refuse

Range = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based, as range_boundaries)

_CHUNK = 1 << 20
_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)"'
)
_ROOT_PREFIX = re.compile(rb"<(\w+):(?:worksheet|sst|chartsheet|dialogsheet)[\s>]")
_STRING_TABLE_ROOT = re.compile(rb"<(?:\w+:)?sst[\s>]")
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_STYLES_ROOT = re.compile(rb"<(?:\w+:)?styleSheet[\s>]")
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
#: a merged range over more than this many cells, in more than one row and one column, covers a table
#: rather than a heading or a group: nothing in it can be told apart
MAX_MERGED_BLOCK = 10_000
#: cell formats (<xf> of cellXfs and cellStyleXfs): Excel keeps at most 65,490 of each, and openpyxl
#: builds an object for every one before the first row is read
MAX_FORMATS = 2 * 65_490


def _has_long_text(data: bytes, window: int) -> bool:
    """Whether ``data`` holds a run of ``2 * window`` bytes without a "<" (such a run always holds a
    whole aligned window; a run shorter than ``window`` never does). Each window costs the distance
    to its first "<", so a whole chunk costs microseconds."""
    for start in range(0, len(data) - window + 1, window):
        if b"<" not in data[start : start + window]:
            return True
    return False


@dataclass
class WorkbookScan:
    """What the archive holds, counted: rows and cells over all parts, merged ranges by part."""

    xml_bytes: int = 0
    rows: int = 0
    cells: int = 0
    formats: int = 0
    #: cells counted in the parts other than the shared-string table
    sheet_cells: int = 0
    #: the shared-string table's entries and tags (start and end tags alike)
    shared_strings: int = 0
    string_tags: int = 0
    merges: dict[str, list[Range]] = field(default_factory=dict)
    rows_by_part: dict[str, int] = field(default_factory=dict)

    @property
    def merge_count(self) -> int:
        return sum(len(ranges) for ranges in self.merges.values())


def _thousands(number: int) -> str:
    return f"{number:,}"


class _Scanner:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.scan = WorkbookScan()
        self.prefix = b""
        self.pictures = False
        self.strings = False
        self.styles = False

    def part(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        name = info.filename
        binary = False  # a part that is not XML (an image): its bytes count, its text is not looked at
        self.pictures = name.lower().endswith(".svg")  # XML whose path data may run long
        carry = b""
        rows = 0
        merges: list[Range] = []
        self.prefix = b""
        self.strings = False
        self.styles = False
        cells_before = self.scan.cells
        first = True
        prolog = b""  # the part's XML before its root element, while it lasts (None after)
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                if first:
                    if chunk.startswith(_UTF16):
                        refuse(
                            f"工作簿的部件 {name[:80]} 是 UTF-16 编码的 XML，不是 Excel 正常保存的，无法导入："
                            "请在 Excel 中打开后“另存为” .xlsx 再导入。"
                        )
                    # what openpyxl parses is XML, whatever its name: only what is not is skipped
                    binary = not chunk[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
                    # a part whose root is prefixed ("<x:worksheet>") has its rows and cells prefixed
                    root = _ROOT_PREFIX.search(chunk[:4096])
                    self.prefix = root.group(1) + b":" if root else b""
                    self.strings = not binary and bool(_STRING_TABLE_ROOT.search(chunk[:4096]))
                    self.styles = not binary and bool(_STYLES_ROOT.search(chunk[:4096]))
                    first = False
                self.scan.xml_bytes += len(chunk)
                if self.scan.xml_bytes > self.limits.max_xml_bytes:
                    refuse(
                        f"工作簿解压后的内容超过 {self.limits.max_xml_bytes // (1024 * 1024)} MB 的上限"
                        "（可能是压缩炸弹，或含有大量无关内容），无法导入。"
                        "请删去无关的工作表、图片，或拆成几个文件后再导入。"
                    )
                if binary:
                    continue
                if prolog is not None:
                    prolog = self.check_prolog(prolog, chunk)
                buffer = carry + chunk
                cut = buffer.rfind(b"<")
                if cut <= 0:
                    # no tag starts here: the run of text goes on
                    carry = buffer
                    if len(carry) > 2 * self.limits.max_text_bytes:
                        self.too_long()
                    continue
                done, carry = buffer[:cut], buffer[cut:]
                rows += self.count(done, merges)
        if carry and not binary:
            rows += self.count(carry, merges)
        if not self.strings:
            self.scan.sheet_cells += self.scan.cells - cells_before
        if rows:
            self.scan.rows_by_part[name] = rows
        if merges:
            self.scan.merges[name] = merges

    def count(self, data: bytes, merges: list[Range]) -> int:
        """Count what a run of whole tags holds; refuse as soon as a count is over its limit."""
        limits = self.limits
        if not self.pictures and _has_long_text(data, limits.max_text_bytes):
            self.too_long()
        tag = b"<" + self.prefix
        if self.strings:  # no rows, cells or merged ranges in the shared-string table
            self.count_strings(data, tag)
            return 0
        rows = data.count(tag + b"row")  # <rowBreaks> too: counting too much is safe
        self.scan.rows += rows
        if self.scan.rows > limits.max_sheet_rows:
            refuse(
                f"工作簿的行数（含空行）超过 {_thousands(limits.max_sheet_rows)} 行的上限，无法导入："
                "请删去多余的空行或无关的工作表，或拆成几个文件后再导入。"
            )
        self.scan.cells += data.count(tag + b"c")  # <col>, <cfRule> … too: counting too much is safe
        if self.scan.cells > limits.max_cells:
            refuse(
                f"工作簿的单元格超过 {_thousands(limits.max_cells)} 个的上限（含设置了格式的空单元格），"
                "无法导入：请删去无关的工作表或拆成几个文件后再导入。"
            )
        if self.styles:  # cell formats are in the styles part only (and "xf" is slow to count in text)
            self.scan.formats += (
                data.count(tag + b"xf ") + data.count(tag + b"xf>") + data.count(tag + b"xf/>")
            )
        if self.scan.formats > MAX_FORMATS:
            refuse(
                f"工作簿的单元格格式超过 {MAX_FORMATS:,} 种（Excel 的上限），不是 Excel 正常保存的，无法导入。"
                "请把内容复制到新的工作簿（只粘贴数值）后再导入。"
            )
        if b"mergeCell" in data:
            for ref in _MERGE_REF.findall(data):
                text = ref.decode("ascii").upper()
                if ":" in text:
                    try:
                        merge = range_boundaries(text)
                    except ValueError:
                        continue
                    self.check_merge(text, merge)  # type: ignore[arg-type]
                    merges.append(merge)  # type: ignore[arg-type]
            if self.scan.merge_count + len(merges) > limits.max_merges:
                refuse(
                    f"工作簿的合并单元格超过 {_thousands(limits.max_merges)} 处的上限，无法导入："
                    "请取消不必要的合并后再导入。"
                )
        return rows

    def check_prolog(self, before: bytes, chunk: bytes) -> bytes | None:
        """A DTD (the only place entities are declared) stands before the root element: refused. The
        end of the prolog seen so far when the root has not started yet, else None."""
        root = _ELEMENT.search(chunk)
        prolog = before + (chunk[: root.start()] if root else chunk)
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            refuse(
                "工作簿的 XML 含有 DTD 或实体声明（可能是“实体膨胀”炸弹），不是 Excel 正常保存的，无法导入："
                "请在 Excel 中打开后“另存为” .xlsx 再导入。"
            )
        return None if root else prolog[-16:]

    def count_strings(self, data: bytes, tag: bytes) -> None:
        """The shared-string table's entries and tags (the reader builds an element for each); two
        passes over the bytes (the table has no other element whose name starts with "si")."""
        limits = self.limits
        entries = data.count(tag + b"si")
        self.scan.shared_strings += entries
        if self.scan.shared_strings > limits.max_shared_strings:
            refuse(
                f"工作簿的共享字符串表超过 {_thousands(limits.max_shared_strings)} 条的上限，"
                "不是 Excel 正常保存的，无法导入：请把内容复制到新的工作簿（只粘贴数值）后再导入。"
            )
        self.scan.string_tags += data.count(b"<")  # start and end tags alike
        if self.scan.string_tags > limits.max_string_tags:
            refuse(
                f"工作簿的共享字符串表含有超过 {_thousands(limits.max_string_tags)} 个标签"
                "（例如一段文字被拆成大量带格式的片段），不是 Excel 正常保存的，无法导入："
                "请把内容复制到新的工作簿（只粘贴数值）后再导入。"
            )

    def check_strings_used(self) -> None:
        """A table of far more entries than the sheets have cells is a bomb, not a saved workbook."""
        scan = self.scan
        if scan.shared_strings > scan.sheet_cells + SPARE_SHARED_STRINGS:
            refuse(
                f"工作簿的共享字符串表有 {_thousands(scan.shared_strings)} 条，远多于各工作表的单元格"
                f"（{_thousands(scan.sheet_cells)} 个），不是 Excel 正常保存的，无法导入："
                "请把内容复制到新的工作簿（只粘贴数值）后再导入。"
            )

    def check_merge(self, ref: str, merge: Range) -> None:
        min_col, min_row, max_col, max_row = merge
        if (
            max_col > min_col
            and max_row > min_row
            and (max_col - min_col + 1) * (max_row - min_row + 1) > MAX_MERGED_BLOCK
        ):
            refuse(
                f"合并单元格 {ref} 覆盖了 {max_row - min_row + 1:,} 行 × {max_col - min_col + 1:,} 列，"
                "整块区域只保留左上角一个值，表格的各行各列无法区分，无法导入：请取消这处合并后再导入。"
            )

    def too_long(self) -> None:
        refuse(
            f"工作簿中有一段文字超过 Excel 单元格 {_thousands(EXCEL_CELL_CHARACTERS)} 个字的上限"
            "（例如一个单元格里有大量空格），这样的文件不是 Excel 正常保存的，无法导入。"
            "请把内容复制到新的工作簿（只粘贴数值）后再导入。"
        )


def scan_workbook(source: str | Path | IO[bytes], limits: Limits) -> WorkbookScan:
    """Inflate and count every part of the archive; refuse (WorkbookRejected) what is over a limit.
    The caller has run :func:`~.limits.check_file`: the source is a zip with a workbook in it."""
    scanner = _Scanner(limits)
    try:
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    scanner.part(archive, info)
        scanner.check_strings_used()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        refuse(f"文件已损坏，无法作为 Excel 工作簿打开（{type(exc).__name__}）。")
    finally:
        if hasattr(source, "seek"):
            source.seek(0)  # type: ignore[union-attr]
    return scanner.scan
