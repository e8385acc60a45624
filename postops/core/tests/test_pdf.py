"""The shared PDF helper renders Vietnamese text with the vendored Unicode font."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate

from postops.core import pdf


def test_fonts_are_vendored_with_their_licence():
    assert (pdf.FONT_DIR / "DejaVuSans.ttf").is_file()
    assert (pdf.FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream" in (pdf.FONT_DIR / "LICENSE-DejaVu.txt").read_text()


def test_register_fonts_is_idempotent_and_returns_the_names():
    assert pdf.register_fonts() == ("DejaVuSans", "DejaVuSans-Bold")
    assert pdf.register_fonts() == ("DejaVuSans", "DejaVuSans-Bold")


def test_vietnamese_paragraph_embeds_the_unicode_font():
    out = io.BytesIO()
    styles = pdf.styles()
    doc = SimpleDocTemplate(out, pagesize=A4)
    doc.build([Paragraph(pdf.escape("Nguyễn Thị Ảnh <Bưu cục> & Đồng"), styles["Bold"])])
    data = out.getvalue()
    assert data.startswith(b"%PDF")
    # The TrueType font is embedded as a subset (reportlab names it after the face).
    assert b"DejaVuSans-Bold" in data


def test_escape():
    assert pdf.escape("a < b & c") == "a &lt; b &amp; c"
    assert pdf.escape(None) == ""
