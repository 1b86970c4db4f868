"""Documents the product hands to people: PDFs (invoices, confirmations, contracts) and QR
codes. Kernel code: every module renders its documents through here so that Chinese text
always has a font and every PDF looks like it came from the same product."""

from app.documents.pdf import FONT_FAMILY, render_pdf, render_template_pdf
from app.documents.qr import qr_svg_data_uri

__all__ = ["FONT_FAMILY", "qr_svg_data_uri", "render_pdf", "render_template_pdf"]
