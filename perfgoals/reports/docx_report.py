"""The department's 绩效评价报告 as a Word document, in the layout of official documents.

Page and type follow the usual 党政机关公文格式 (GB/T 9704): A4, margins 3.7 / 3.5 / 2.8 / 2.6 cm,
title in 宋体 二号 bold centred, headings 一、二、三、四、 in 黑体 三号, body in 仿宋 三号 with a
two-character first-line indent at a fixed 28-point line pitch, page numbers "— 1 —" at the foot.
Styles have Chinese names (报告标题, 报告一级标题, 报告正文, 报告落款) so that an official can
restyle the whole document in Word at once.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from django.utils import timezone
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .wording import ReportText

__all__ = [
    "STYLE_BODY",
    "STYLE_HEADING",
    "STYLE_SIGNATURE",
    "STYLE_TITLE",
    "chinese_date",
    "official_document",
    "report_document",
]

STYLE_TITLE = "报告标题"
STYLE_HEADING = "报告一级标题"
STYLE_BODY = "报告正文"
STYLE_SIGNATURE = "报告落款"

_TITLE_FONT = "宋体"
_HEADING_FONT = "黑体"
_BODY_FONT = "仿宋"
_LATIN_FONT = "Times New Roman"
_BODY_PT = 16  # 三号
_LINE_PT = 28


def _fonts(element, east_asian: str, latin: str = _LATIN_FONT) -> None:
    """Set the Latin and the East Asian font of a style or run (python-docx only sets the Latin one)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    # quotes and dashes (“优”, ——) are shared by both scripts: print them as Chinese, full width
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph_style(
    document,
    name: str,
    east_asian: str,
    size: float,
    *,
    bold: bool = False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: int = 2,
    line_pt: float | None = _LINE_PT,
):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element, east_asian)
    pf = style.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = Pt(size * indent_chars) if indent_chars else None
    if line_pt is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    pf.widow_control = True
    return style


def _page_number(paragraph) -> None:
    """ "— N —" with a PAGE field, centred."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")
    for run in paragraph.runs:
        run.font.size = Pt(14)
        _fonts(run._r, _TITLE_FONT)


def chinese_date(moment: datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.year}年{local.month}月{local.day}日"


def _reproducible(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """The same .docx with every ZIP entry stamped ``date_time`` (python-docx stamps "now")."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def official_document():
    """A new A4 document in the layout of official documents (the module docstring): page, margins, the
    four styles with Chinese names and the page number at the foot. Other reports (e.g. the 复核报告)
    start from it so that every document of the product looks alike."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)

    normal = document.styles["Normal"]
    normal.font.size = Pt(_BODY_PT)
    _fonts(normal.element, _BODY_FONT)
    _paragraph_style(
        document,
        STYLE_TITLE,
        _TITLE_FONT,
        22,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent_chars=0,
        line_pt=None,
    )
    _paragraph_style(document, STYLE_HEADING, _HEADING_FONT, _BODY_PT)
    _paragraph_style(document, STYLE_BODY, _BODY_FONT, _BODY_PT)
    _paragraph_style(
        document, STYLE_SIGNATURE, _BODY_FONT, _BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, indent_chars=0
    )
    document.styles[STYLE_TITLE].paragraph_format.space_after = Pt(_LINE_PT)
    document.styles[STYLE_SIGNATURE].paragraph_format.right_indent = Pt(_BODY_PT * 2)

    _page_number(section.footer.paragraphs[0])
    return document


def report_document(text: ReportText, stamp: datetime | None = None) -> bytes:
    """The report as .docx bytes. ``stamp`` fixes the document's dates (reproducible packages)."""
    document = official_document()
    section = document.sections[0]
    if not text.is_final:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = header.add_run("草稿（未定稿）")
        run.font.size = Pt(10.5)
        run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
        _fonts(run._r, _HEADING_FONT)

    document.add_paragraph(text.title, style=STYLE_TITLE)
    for _field, heading, paragraphs in text.headed_sections:
        document.add_paragraph(heading, style=STYLE_HEADING)
        if not paragraphs:
            placeholder = document.add_paragraph("（待主管部门填写）", style=STYLE_BODY)
            placeholder.runs[0].font.color.rgb = RGBColor(0x80, 0x80, 0x80)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph, style=STYLE_BODY)

    document.add_paragraph("", style=STYLE_BODY)
    document.add_paragraph(text.department, style=STYLE_SIGNATURE)
    signed = chinese_date(text.finalized_at) if text.is_final and text.finalized_at else "年　月　日"
    document.add_paragraph(signed, style=STYLE_SIGNATURE)

    properties = document.core_properties
    properties.title = text.title
    properties.author = text.department
    properties.last_modified_by = text.department
    properties.comments = "由绩效目标与绩效自评系统生成"
    properties.revision = 1
    when = stamp or timezone.now()
    naive = timezone.make_naive(when, UTC) if timezone.is_aware(when) else when
    properties.created = naive
    properties.modified = naive
    buffer = io.BytesIO()
    document.save(buffer)
    if stamp is None:
        return buffer.getvalue()
    local = timezone.localtime(stamp) if timezone.is_aware(stamp) else stamp
    return _reproducible(
        buffer.getvalue(),
        (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second),
    )
