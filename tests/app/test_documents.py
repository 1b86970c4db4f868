"""Documents: Chinese text survives into the PDF (a real CJK font, not empty boxes), QR
codes are inline images, and a document never fetches anything from the network."""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest

from app.documents import FONT_FAMILY, qr_svg_data_uri, render_pdf, render_template_pdf
from app.documents.pdf import render_html
from app.i18n import use_locale

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) is not installed"
)


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def pdf_fonts(pdf: bytes) -> str:
    done = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=False)
    return done.stdout.decode("utf-8", "replace")


@needs_pdftotext
class TestRenderPdf:
    def test_chinese_text_and_yuan_amounts_come_out_as_text(self):
        pdf = render_pdf(
            '<html lang="zh-CN"><body><h1>重庆解放碑酒店</h1><p>房费 ¥1,288.00</p></body></html>'
        )
        assert pdf.startswith(b"%PDF")
        text = pdf_text(pdf)
        assert "重庆解放碑酒店" in text
        assert "房费 ¥1,288.00" in text

    def test_a_cjk_font_is_embedded(self):
        if shutil.which("pdffonts") is None:
            pytest.skip("pdffonts is not installed")
        pdf = render_pdf("<p>长江三峡</p>")
        assert "CJK" in pdf_fonts(pdf) or "SC" in pdf_fonts(pdf)

    def test_page_numbers_are_printed_in_the_margin(self):
        text = pdf_text(render_pdf("<p>一</p>"))
        assert re.search(r"1\s*/\s*1", text)

    def test_remote_and_local_files_are_never_loaded(self, tmp_path):
        secret = tmp_path / "secret.css"
        secret.write_text("body { color: red }")
        html = (
            f'<link rel="stylesheet" href="file://{secret}">'
            '<img src="http://127.0.0.1:9/tracker.png"><p>仍然生成</p>'
        )
        assert "仍然生成" in pdf_text(render_pdf(html))


class TestQr:
    def test_qr_is_an_inline_svg(self):
        uri = qr_svg_data_uri("ZL-7Q2K9")
        assert uri.startswith("data:image/svg+xml")
        assert "<svg" in unquote(uri)


class TestTemplates:
    def test_font_family_names_the_cjk_font_first(self):
        assert FONT_FAMILY.startswith('"Noto Sans CJK SC"')

    @needs_pdftotext
    async def test_template_renders_in_the_callers_locale(self):
        with use_locale("zh_CN"):
            html = render_html("frontdesk/pdf/invoice.html", **_invoice_context())
            pdf = await render_template_pdf("frontdesk/pdf/invoice.html", **_invoice_context())
        assert "结账单" in html
        assert "结账单" in pdf_text(pdf)


def _invoice_context() -> dict[str, object]:
    import uuid
    from datetime import UTC, date, datetime

    from modules.frontdesk.schemas import FolioLineView, FolioView, StayView
    from modules.frontdesk.service import Issuer

    now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    stay = StayView(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "1203", "in_house", "张三", now)
    line = FolioLineView(
        uuid.uuid4(), stay.id, "charge", "房费", 38800, "room", None, date(2026, 11, 24), now
    )
    folio = FolioView(
        stay=stay, lines=(line,), charges_fen=38800, payments_fen=0, balance_fen=38800
    )

    class R:
        code = "ZLTEST01"
        unit_type_name = "高级大床房"
        departure = date(2026, 11, 25)
        adults, children = 2, 0

    return {
        "issuer": Issuer(name="测试酒店"),
        "folio": folio,
        "reservation": R(),
        "methods": {},
        "printed_at": now,
    }
