"""What an uploaded evidence file is, judged by its bytes, never by its name or the browser's word.

Accepted: PDF, PNG, JPEG, Word and Excel (the zip formats .docx/.xlsx, told apart by their
``[Content_Types].xml``; the older OLE formats .doc/.xls, by the stream the file holds), and plain
text (.txt/.csv, UTF-8 or GB18030, nothing that looks like markup). Everything else is refused with a
Chinese message; programs, web pages and SVG drawings by name, so the user knows why. Pure: no Django.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO

#: bytes read to judge a text file (the rest is judged by its encoding only, chunk by chunk)
TEXT_HEAD = 64 * 1024
#: the [Content_Types].xml of a genuine document is a few kilobytes
CONTENT_TYPES_MAX = 256 * 1024
CHUNK = 1024 * 1024

ALLOWED_TEXT = "PDF、图片（PNG、JPEG）、Word（.docx、.doc）、Excel（.xlsx、.xls）、文本（.txt、.csv）"


@dataclass(frozen=True)
class Kind:
    """A recognised type: its MIME type, the extension a download carries, and its name in Chinese."""

    content_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", ".pdf", "PDF")
PNG = Kind("image/png", ".png", "PNG 图片")
JPEG = Kind("image/jpeg", ".jpg", "JPEG 图片")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel 工作簿")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word 文档")
XLS = Kind("application/vnd.ms-excel", ".xls", "Excel 97-2003 工作簿")
DOC = Kind("application/msword", ".doc", "Word 97-2003 文档")
TXT = Kind("text/plain", ".txt", "文本")
CSV = Kind("text/csv", ".csv", "CSV 表格")

#: the extensions each kind is also known by (a download keeps the user's name when it fits)
EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg", ".jpe"},
    XLSX: {".xlsx"},
    DOCX: {".docx"},
    XLS: {".xls"},
    DOC: {".doc"},
    TXT: {".txt"},
    CSV: {".csv"},
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)\b", re.I)


class Refused(ValueError):
    """The file is not accepted; ``message`` (Chinese) says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def download_name(original: str, kind: Kind) -> str:
    """The name a download carries: the user's, with the extension of what the file really is when
    the name says otherwise (a PDF named "报告.exe" is downloaded as "报告.exe.pdf")."""
    name = original or "佐证材料"
    return name if _suffix(name) in EXTENSIONS[kind] else name + kind.extension


def kind_of(content_type: str) -> Kind | None:
    return next((k for k in EXTENSIONS if k.content_type == content_type), None)


def _contains(handle: IO[bytes], needles: tuple[bytes, ...]) -> bool:
    """Whether any of ``needles`` occurs in the file (read in chunks, overlapping by a needle)."""
    handle.seek(0)
    overlap = max(len(n) for n in needles) - 1
    tail = b""
    while chunk := handle.read(CHUNK):
        window = tail + chunk
        if any(n in window for n in needles):
            return True
        tail = window[-overlap:]
    return False


def _ooxml(handle: IO[bytes]) -> Kind:
    refused = Refused("文件是 ZIP 压缩包而不是 Word 或 Excel 文档；请上传文档本身，或转换为 PDF 后上传。")
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                raise refused from None
            if info.file_size > CONTENT_TYPES_MAX:
                raise refused
            types = archive.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise Refused("文件已损坏或不是有效的 Word、Excel 文档。") from None
    if b"macroEnabled" in types:
        raise Refused(
            "含宏的 Office 文件（.xlsm、.docm）不能作为佐证材料上传；请另存为 .xlsx、.docx 或 PDF。"
        )
    if b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" in types:
        return XLSX
    if b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" in types:
        return DOCX
    raise refused


def _ole(handle: IO[bytes]) -> Kind:
    # the stream names of the directory, in UTF-16: a workbook holds "Workbook" (or "Book" before
    # Excel 97), a Word file "WordDocument"; installers and other OLE files hold neither
    if _contains(handle, ("WordDocument".encode("utf-16-le"),)):
        return DOC
    if _contains(handle, ("Workbook".encode("utf-16-le"), b"B\x00o\x00o\x00k\x00\x00\x00")):
        return XLS
    raise Refused("文件不是 Word 或 Excel 97-2003 文档（可能是安装包或其他程序文件），不能上传。")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _text(handle: IO[bytes], name: str) -> Kind:
    suffix = _suffix(name)
    handle.seek(0)
    head = handle.read(TEXT_HEAD)
    if _MARKUP.search(head):
        raise Refused("网页（HTML）、SVG 和 XML 文件不能作为佐证材料上传；请转换为 PDF 后上传。")
    if suffix not in (".txt", ".csv"):
        raise Refused(f"文件类型不支持。只接受 {ALLOWED_TEXT}（按文件内容识别，而不是按文件名）。")
    handle.seek(0)
    data = handle.read()
    if b"\x00" in data:
        raise Refused("文本文件中含有二进制内容，不是有效的 .txt 或 .csv 文件。")
    if not any(_decodes(data, encoding) for encoding in ("utf-8", "gb18030")):
        raise Refused("文本文件的编码无法识别，请另存为 UTF-8 编码后上传。")
    return CSV if suffix == ".csv" else TXT


def sniff(handle: IO[bytes], name: str = "") -> Kind:
    """The kind of the file in ``handle`` (seekable, read from the start), or :class:`Refused`.

    ``name`` is only consulted to tell .txt from .csv (plain text has no signature)."""
    handle.seek(0)
    head = handle.read(16)
    if not head:
        raise Refused("文件是空的。")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(ZIP_MAGIC):
        return _ooxml(handle)
    if head.startswith(OLE_MAGIC):
        return _ole(handle)
    if (
        head.startswith(b"MZ")
        or head.startswith(b"\x7fELF")
        or head[:4]
        in (
            b"\xca\xfe\xba\xbe",
            b"\xcf\xfa\xed\xfe",
            b"\xce\xfa\xed\xfe",
        )
    ):
        raise Refused("文件是可执行程序，不能作为佐证材料上传（无论文件名如何）。")
    if head.startswith(b"#!"):
        raise Refused("文件是脚本程序，不能作为佐证材料上传。")
    return _text(handle, name)
