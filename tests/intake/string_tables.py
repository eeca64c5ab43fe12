"""Workbooks as Excel and WPS save them: every text cell an index into the shared-string table
(``xl/sharedStrings.xml``).

openpyxl, which writes most test files, writes inline strings (``t="inlineStr"``); a reader bug that
only showed with a shared-string table hid for weeks (``test_shared_strings``). :class:`StringTable`
rewrites a sheet's inline-string cells into indexes of one table; :func:`shared_copy` rewrites a whole
workbook that way, so that a test can read the same workbook both ways (the ``string_table``
fixture of ``conftest``).
"""

from __future__ import annotations

import io
import re
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

#: an inline-string cell, with its text (``<is>``), or empty (openpyxl writes "" without one)
_INLINE = re.compile(rb'<c\b([^>]*?)\s+t="inlineStr"([^>]*?)(?:/>|>\s*(?:<is>(.*?)</is>)?\s*</c>)', re.DOTALL)
_ENTRY = re.compile(rb"<si\b[^>]*/>|<si\b[^>]*>.*?</si>", re.DOTALL)
_ENTRY_BODY = re.compile(rb"<si\b[^>]*>(.*?)</si>", re.DOTALL)


class StringTable:
    """One workbook's shared strings: each distinct text (its ``<t>`` or rich-text runs) once."""

    def __init__(self, existing: bytes | None = None):
        self.entries: list[bytes] = []
        self.index: dict[bytes, int] = {}
        self.references = 0
        start = (existing or b"").find(b"<sst")
        #: what stands before the table's root (the XML declaration; a DTD in a hostile file)
        self.head = (
            existing[:start]
            if existing and start > 0
            else b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        )
        for entry in _ENTRY.findall(existing or b""):
            body = _ENTRY_BODY.match(entry)
            self.entries.append(body.group(1) if body else b"")

    def add(self, body: bytes) -> int:
        self.references += 1
        if body not in self.index:
            self.index[body] = len(self.entries)
            self.entries.append(body)
        return self.index[body]

    def rewrite(self, xml: bytes) -> bytes:
        """The XML with every inline-string cell turned into a shared-string cell."""
        if b"inlineStr" not in xml:
            return xml
        return _INLINE.sub(
            lambda m: b'<c%s t="s"%s><v>%d</v></c>' % (m.group(1), m.group(2), self.add(m.group(3) or b"")),
            xml,
        )

    def part(self) -> bytes:
        entries = b"".join(b"<si>%s</si>" % body for body in self.entries)
        return self.head + (
            b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>'
            % (MAIN.encode(), max(self.references, len(self.entries)), len(self.entries), entries)
        )


def with_table_declared(rels: bytes, types: bytes) -> tuple[bytes, bytes]:
    """The workbook's relationships and content types, with the shared-string table declared once."""
    if RELATIONSHIP.encode() not in rels:
        rels = rels.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSharedStrings" Type="%s" Target="sharedStrings.xml"/></Relationships>'
            % RELATIONSHIP.encode(),
        )
    if b'PartName="/xl/sharedStrings.xml"' not in types:
        types = types.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>' % CONTENT_TYPE.encode(),
        )
    return rels, types


def shared_copy(data: bytes) -> bytes:
    """The workbook with its text in the shared-string table, as Excel saves it (unchanged when no cell
    holds an inline string)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        infos = source.infolist()
        sheets = [i.filename for i in infos if re.match(r"xl/worksheets/[^/]+\.xml$", i.filename)]
        parts = {name: source.read(name) for name in sheets}
        if not any(b"inlineStr" in xml for xml in parts.values()):
            return data
        names = {i.filename for i in infos}
        table = StringTable(source.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else None)
        parts = {name: table.rewrite(xml) for name, xml in parts.items()}
        rels, types = with_table_declared(
            source.read("xl/_rels/workbook.xml.rels"), source.read("[Content_Types].xml")
        )
        parts.update({"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})
        parts["xl/sharedStrings.xml"] = table.part()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for info in infos:
                target.writestr(info.filename, parts.pop(info.filename, None) or source.read(info))
            for name, content in parts.items():  # the table, when the workbook had none
                target.writestr(name, content)
    copy = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(copy)) as check:
        assert not any(b"inlineStr" in check.read(name) for name in sheets)
    return copy
