"""A PDF that Chromium printed, looked at as a picture: its first page rendered by pdfium to a PNG in
the screenshots folder (docs/screenshots/ with UPDATE_SCREENSHOTS=1, else a temporary folder), after
checking that every page is A4 (upright or landscape) and that the first one is not blank."""

from __future__ import annotations

import pytest

from tests.web.test_browser import SCREENSHOTS

#: A4 in PostScript points
A4_POINTS = (595, 842)


def picture_of_pdf(data: bytes, name: str, page: int = 0) -> int:
    """Render page ``page`` of ``data`` to SCREENSHOTS/``name``; return the number of pages."""
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(data)
    try:
        count = len(document)
        for index in range(count):
            # A4, upright or on its side (a layout may print landscape through its @page rule)
            size = tuple(sorted(document[index].get_size()))
            assert all(abs(side - a4) < 2 for side, a4 in zip(size, A4_POINTS, strict=True)), (index, size)
        image = document[page].render(scale=1.5).to_pil().convert("L")
        # something is printed: a share of the sheet is dark (text and rules), not an empty page
        dark = sum(image.histogram()[:128])
        assert dark > image.width * image.height // 200, dark
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        image.save(SCREENSHOTS / name)
    finally:
        document.close()
    return count
