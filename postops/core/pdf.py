"""Shared reportlab helpers: Unicode fonts for Vietnamese text, paragraph styles.

reportlab's built-in fonts (Helvetica, Times) are Latin-1 only: "Nguyễn Văn Ả" comes out as
black boxes. PostOps vendors the DejaVu Sans TTF files in ``static/fonts/`` (Bitstream Vera
licence, ``static/fonts/LICENSE-DejaVu.txt``) so that every PDF renders Vietnamese on a clean
machine with no system font installed. Use::

    from postops.core import pdf

    pdf.register_fonts()
    canvas.setFont(pdf.FONT, 10)                       # or pdf.FONT_BOLD
    styles = pdf.styles()                              # Normal, Bold, Title, Small, Right …
    Paragraph(pdf.escape(name), styles["Normal"])       # escape user text for Paragraph

Labels, receipts and COD statements all go through here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the vendored DejaVu fonts with reportlab (once per process).

    Returns ``(FONT, FONT_BOLD)``. Also declares them a family, so ``<b>`` inside a
    ``Paragraph`` picks the bold face.
    """
    for name, file_name in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file_name)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    return FONT, FONT_BOLD


def styles(base_size: float = 9) -> StyleSheet1:
    """Paragraph styles in the Unicode font: Normal, Small, Bold, Right, BoldRight, Title,
    Heading, Center."""
    register_fonts()
    sheet = StyleSheet1()
    leading = base_size * 1.25
    sheet.add(ParagraphStyle("Normal", fontName=FONT, fontSize=base_size, leading=leading))
    sheet.add(
        ParagraphStyle(
            "Small", parent=sheet["Normal"], fontSize=base_size - 1.5, leading=leading - 2
        )
    )
    sheet.add(ParagraphStyle("Bold", parent=sheet["Normal"], fontName=FONT_BOLD))
    sheet.add(ParagraphStyle("Right", parent=sheet["Normal"], alignment=TA_RIGHT))
    sheet.add(ParagraphStyle("BoldRight", parent=sheet["Bold"], alignment=TA_RIGHT))
    sheet.add(ParagraphStyle("Center", parent=sheet["Normal"], alignment=TA_CENTER))
    sheet.add(
        ParagraphStyle(
            "Title",
            parent=sheet["Bold"],
            fontSize=base_size + 5,
            leading=(base_size + 5) * 1.3,
            alignment=TA_CENTER,
            spaceAfter=base_size * 0.6,
        )
    )
    sheet.add(
        ParagraphStyle(
            "Heading",
            parent=sheet["Bold"],
            fontSize=base_size + 2,
            leading=(base_size + 2) * 1.3,
            spaceBefore=base_size * 0.6,
            spaceAfter=base_size * 0.3,
        )
    )
    return sheet


def escape(text: object) -> str:
    """``text`` made safe for a ``Paragraph`` (which parses a small XML markup)."""
    return _xml_escape("" if text is None else str(text))
