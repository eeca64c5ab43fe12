"""Hostile workbooks, written part by part with :mod:`zipfile` (openpyxl would take minutes to write
what these files claim): each is small on disk and costly to read naively.

Each is written with inline strings, or — when :data:`STRINGS` is ``"shared"`` (the ``hostile_strings``
fixture) — with its text in a shared-string table, as Excel and WPS save it: the same rows, each text
cell an index into ``xl/sharedStrings.xml``."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from .string_tables import StringTable, with_table_declared

#: "inline" (as openpyxl writes) or "shared" (as Excel and WPS save): how text cells are written
STRINGS = "inline"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{extra}</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>{extra}</workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="{sheet}"/>{extra}</Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
)

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
GOOD_ROW = [2024, "新项目", "产出指标", "数量指标", "培训人次", "≥500人次", 40]


def column_name(index: int) -> str:
    """1 → A, 16384 → XFD."""
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_xml(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, str) and value.startswith("="):
        return f'<c r="{ref}"><f>{escape(value[1:])}</f></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def row_xml(number: int, values: Iterable) -> str:
    cells = "".join(cell_xml(f"{column_name(i)}{number}", v) for i, v in enumerate(values, start=1))
    return f'<row r="{number}">{cells}</row>'


def table_rows() -> Iterable[str]:
    """The template's header and one good indicator row."""
    yield row_xml(1, HEADER)
    yield row_xml(2, GOOD_ROW)


def xlsx(
    rows: Iterable[str | bytes],
    *,
    tail: str = "",
    dimension: str | None = None,
    extra_members: dict[str, bytes] | None = None,
    workbook_extra: str = "",
    rels_extra: str = "",
    types_extra: str = "",
    level: int = 6,
    sheet_path: str = "worksheets/sheet1.xml",
) -> bytes:
    """A one-sheet workbook whose sheetData is ``rows`` (streamed into the zip) and whose XML after
    sheetData is ``tail`` (mergeCells and the like)."""
    members = dict(extra_members or {})
    types = CONTENT_TYPES.format(extra=types_extra).encode()
    rels = WORKBOOK_RELS.format(extra=rels_extra, sheet=sheet_path).encode()
    table = StringTable(members.get("xl/sharedStrings.xml")) if STRINGS == "shared" else None
    if table is not None:
        rels, types = with_table_declared(rels, types)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(extra=workbook_extra))
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        with archive.open(f"xl/{sheet_path}", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            chunk: list[bytes] = []
            for row in rows:
                data = row if isinstance(row, bytes) else row.encode()
                chunk.append(data if table is None else table.rewrite(data))
                if len(chunk) >= 2000:
                    sheet.write(b"".join(chunk))
                    chunk = []
            sheet.write(b"".join(chunk))
            sheet.write(b"</sheetData>")
            sheet.write(tail.encode())
            sheet.write(b"</worksheet>")
        if table is not None:
            members["xl/sharedStrings.xml"] = table.part()
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- the corpus -----------------------------------------------------------------------------------


def merged_whole_sheet() -> bytes:
    """One merged range over every cell a sheet can have (A1:XFD1048576), in about 2 KB."""
    return xlsx(table_rows(), tail='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')


def many_merges(count: int = 60_000) -> bytes:
    """Many small merged ranges below the data."""
    refs = "".join(f'<mergeCell ref="A{2 * i + 10}:B{2 * i + 10}"/>' for i in range(count))
    return xlsx(table_rows(), tail=f'<mergeCells count="{count}">{refs}</mergeCells>')


def last_column_rows(rows: int = 10_000, column: str = "XFD") -> bytes:
    """One cell in the last column (XFD) on each of ``rows`` rows under a real table."""

    def gen():
        yield from table_rows()
        for number in range(3, rows + 3):
            yield f'<row r="{number}"><c r="{column}{number}"><v>1</v></c></row>'

    return xlsx(gen())


def lying_dimension() -> bytes:
    """A good table whose sheet claims to be A1:XFD1048576 (openpyxl pads every row to the claim)."""
    return xlsx(table_rows(), dimension="A1:XFD1048576")


def far_row() -> bytes:
    """A good table and one more cell, outside it, a million rows further down."""
    return xlsx([*table_rows(), row_xml(1_048_576, [None] * 9 + ["备注"])])


def whitespace_cell(size: int = 1_000_000) -> bytes:
    """A cell of ``size`` spaces under a good table (Excel holds at most 32,767 characters a cell)."""
    return xlsx([*table_rows(), row_xml(3, [None, None, None, None, None, None, None, " " * size])], level=1)


def whitespace_in_a_picture() -> bytes:
    """The million-space cell, its sheet stored under an image's name (openpyxl reads it all the same)."""
    rows = [*table_rows(), row_xml(3, [None] * 7 + [" " * 1_000_000])]
    return xlsx(rows, level=1, sheet_path="media/image1.png")


def whitespace_cells(cells: int, size: int = 30_000) -> bytes:
    """``cells`` cells of ``size`` spaces each: each one within Excel's limit, together megabytes."""
    blank = " " * size

    def gen():
        yield from table_rows()
        for number in range(3, cells + 3):  # each different (Excel's table keeps a text once)
            yield (
                f'<row r="{number}"><c r="H{number}" t="inlineStr"><is><t xml:space="preserve">'
                f"{number}{blank}</t></is></c></row>"
            )

    return xlsx(gen(), level=1)


def shared_strings(count: int, size: int = 30_000) -> bytes:
    """A good table and ``count`` different shared strings of ``size`` characters (openpyxl holds
    them all in memory from the start)."""
    strings = "".join(f"<si><t>{index:06d}{'x' * size}</t></si>" for index in range(count))
    table = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{count}">{strings}</sst>'
    )
    return xlsx(
        table_rows(),
        extra_members={"xl/sharedStrings.xml": table.encode()},
        rels_extra=(
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        ),
        types_extra=(
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        ),
        level=1,
    )


def million_rows(rows: int = 1_000_000) -> bytes:
    """A tiny cell on each of ``rows`` rows (rows and cells without a reference, as the format allows):
    a few KB on disk."""
    row = b"<row><c><v>1</v></c></row>"

    def gen():
        yield from table_rows()
        for _ in range(rows // 10_000):
            yield row * 10_000

    return xlsx(gen())


def indicator_rows(rows: int) -> bytes:
    """A real table of ``rows`` indicator rows (a workbook that is simply large)."""

    def gen():
        yield row_xml(1, HEADER)
        for number in range(2, rows + 2):
            yield row_xml(number, [2024, "新项目", "产出指标", "数量指标", f"指标{number}", "≥500人次", 1])

    return xlsx(gen(), level=1)


def zip_bomb(size: int = 110 * 1024 * 1024) -> bytes:
    """A sheet that inflates to ``size`` bytes (empty elements inside an XML comment) from under a
    megabyte."""

    def gen():
        yield from table_rows()
        yield b"<!--"
        block = b"<b/>" * (1 << 18)
        for _ in range(size // len(block)):
            yield block
        yield b"-->"

    return xlsx(gen(), level=1)


def many_members(count: int = 20_000) -> bytes:
    """A good workbook and ``count`` more empty members in its zip."""
    return xlsx(table_rows(), extra_members={f"xl/junk/{index}.xml": b"" for index in range(count)}, level=1)


def many_formats(count: int = 140_000) -> bytes:
    """A good table and ``count`` cell formats in its styles (openpyxl builds each before any row)."""
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<cellXfs count="{count}">' + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * count
    ) + "</cellXfs></styleSheet>"
    return xlsx(
        table_rows(),
        extra_members={"xl/styles.xml": styles.encode()},
        rels_extra=(
            '<Relationship Id="rId3" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/>'
        ),
        level=1,
    )


def not_a_zip() -> bytes:
    """Bytes that are not a zip archive, with an .xlsx name."""
    return bytes((i * 7919 + 13) % 256 for i in range(4096))


def external_link() -> bytes:
    """A workbook whose sheet refers to another file: an external link and a formula through it."""
    link = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook>'
        "</externalLink>"
    )
    link_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        'Target="file:///etc/passwd" TargetMode="External"/></Relationships>'
    )

    def gen():
        yield row_xml(1, HEADER)
        yield row_xml(2, [*GOOD_ROW[:6], "=[1]Sheet1!A1"])

    return xlsx(
        gen(),
        extra_members={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
        },
        workbook_extra='<externalReferences><externalReference r:id="rId2"/></externalReferences>',
        rels_extra=(
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink" '
            'Target="externalLinks/externalLink1.xml"/>'
        ),
        types_extra=(
            '<Override PartName="/xl/externalLinks/externalLink1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
        ),
    )


# --- the shared-string table ------------------------------------------------------------------------

STRING_TABLE_RELATIONSHIP = (
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
)
STRING_TABLE_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def with_string_table(
    rows: Iterable[str | bytes], entries: Iterable[bytes], *, head: bytes = b"", level=6
) -> bytes:
    """A workbook of ``rows`` whose shared-string table holds ``entries`` (each a whole ``<si>``),
    written streaming; ``head`` goes before the table's root (a DTD)."""

    def table():
        yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + head
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        chunk: list[bytes] = []
        for entry in entries:
            chunk.append(entry)
            if len(chunk) >= 10_000:
                yield b"".join(chunk)
                chunk = []
        yield b"".join(chunk) + b"</sst>"

    return xlsx(
        rows,
        extra_members={"xl/sharedStrings.xml": b"".join(table())},
        rels_extra=STRING_TABLE_RELATIONSHIP,
        types_extra=STRING_TABLE_TYPE,
        level=level,
    )


def huge_string_table(count: int = 3_500, size: int = 30_000) -> bytes:
    """``count`` different texts of ``size`` characters each in the table (over 100 MB of XML),
    used by no cell: openpyxl would hold them all before the first row."""
    return with_string_table(
        table_rows(), (b"<si><t>%06d%s</t></si>" % (i, b"x" * size) for i in range(count)), level=1
    )


def string_table_bomb(count: int = 500_000) -> bytes:
    """Half a million empty entries (5 bytes each) for a table of 14 cells."""
    return with_string_table(table_rows(), (b"<si/>" for _ in range(count)))


def rich_text_bomb(runs: int = 1_100_000) -> bytes:
    """One entry of a million rich-text runs, each with its formatting (a few KB compressed)."""
    run = b"<r><rPr><b/></rPr><t>a</t></r>"
    return with_string_table(table_rows(), [b"<si>" + run * runs + b"</si>"])


def string_index_out_of_range(index: str = "99") -> bytes:
    """A cell pointing at entry ``index`` of a table of two entries."""
    rows = [
        row_xml(1, HEADER),
        f'<row r="2"><c r="A2"><v>2024</v></c><c r="B2" t="s"><v>{index}</v></c></row>',
    ]
    return with_string_table(rows, ["<si><t>新项目</t></si>".encode(), "<si><t>培训人次</t></si>".encode()])


def entity_expansion() -> bytes:
    """The shared-string table as a "billion laughs": entities of entities, declared in a DTD."""
    head = (
        b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8)
        )
        + b"]>"
    )
    return with_string_table(table_rows(), [b"<si><t>&i;</t></si>"], head=head)
