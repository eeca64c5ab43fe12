"""Types are judged by content: what is accepted, what is refused and how it is named on download."""

from __future__ import annotations

import io

import pytest

from perfgoals.evidence import content
from tests.evidence.conftest import DOCX_MAIN, XLSX_MAIN, ooxml_bytes, pdf_bytes, png_bytes

OLE = content.OLE_MAGIC + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("自评报告.pdf", pdf_bytes(), content.PDF),
        ("现场照片.png", png_bytes(), content.PNG),
        ("现场照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50, content.JPEG),
        ("台账.xlsx", ooxml_bytes(XLSX_MAIN), content.XLSX),
        ("说明.docx", ooxml_bytes(DOCX_MAIN), content.DOCX),
        ("台账.xls", OLE + "Workbook".encode("utf-16-le") + b"\x00" * 50, content.XLS),
        ("说明.doc", OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 50, content.DOC),
        ("清单.csv", "项目,金额\n医疗救助,100\n".encode(), content.CSV),
        ("说明.txt", "受益人数 1200 人".encode("gb18030"), content.TXT),
        # the name does not decide: a PDF called .png is a PDF
        ("照片.png", pdf_bytes(), content.PDF),
    ],
)
def test_accepted_kinds_are_recognised_by_their_bytes(name, data, kind):
    assert content.sniff(io.BytesIO(data), name) == kind


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("自评报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "可执行程序"),
        ("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "可执行程序"),
        ("page.pdf", b"<!DOCTYPE html><html><body>hi</body></html>", "网页"),
        ("page.txt", b"\n  <html><script>alert(1)</script></html>", "网页"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        ("data.xml", b'<?xml version="1.0"?><a/>', "XML"),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n", "脚本"),
        ("empty.pdf", b"", "空"),
        ("archive.xlsx", ooxml_bytes("application/zip"), "ZIP"),
        ("macro.xlsx", ooxml_bytes("application/vnd.ms-excel.sheet.macroEnabled.main+xml"), "含宏"),
        ("broken.docx", content.ZIP_MAGIC + b"\x00" * 50, "损坏"),
        ("setup.doc", OLE + b"\x00" * 100, "安装包"),
        ("data.bin", b"\x00\x01\x02\x03binary", "不支持"),
        ("notes.md", "# 说明".encode(), "不支持"),
        ("utf16.txt", "说明 OK".encode("utf-16"), "二进制"),
        ("gbk-broken.txt", b"\xff\xfe\xfd broken", "编码"),
    ],
)
def test_refused_kinds_say_why_in_chinese(name, data, words):
    with pytest.raises(content.Refused) as refused:
        content.sniff(io.BytesIO(data), name)
    assert words in refused.value.message


def test_a_download_carries_the_extension_of_what_the_file_is():
    assert content.download_name("报告.pdf", content.PDF) == "报告.pdf"
    assert content.download_name("照片.JPEG", content.JPEG) == "照片.JPEG"
    assert content.download_name("报告.exe", content.PDF) == "报告.exe.pdf"
    assert content.download_name("", content.PNG) == "佐证材料.png"
