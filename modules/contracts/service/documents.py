"""The contract's text and its PDF.

The text of a version is rendered once, when the version is frozen, from its snapshot by
`templates/contracts/document.html`; its SHA-256 is what the tourist and the agency sign,
and the same bytes are shown on the tourist's phone and printed inside the PDF. The PDF
is rendered once, at countersigning (or amendment), and stored; it is served unchanged
ever after."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from app import clock
from app.documents import qr_svg_data_uri, render_template_pdf
from app.documents.pdf import render_html
from app.settings import get_settings
from modules.contracts.models import ContractSignature, ContractVersion

DOCUMENT_TEMPLATE = "contracts/document.html"
PDF_TEMPLATE = "contracts/pdf/contract.html"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_document(snapshot: dict[str, Any]) -> tuple[str, str]:
    """The version's contract text as safe HTML and its SHA-256 (of the UTF-8 bytes)."""
    html = render_html(DOCUMENT_TEMPLATE, s=snapshot)
    return html, sha256_hex(html.encode())


def verify_url(e_number: str) -> str:
    """The public check page a printed contract's QR code opens."""
    base = get_settings().base_url.rstrip("/")
    return f"{base}/verify/contract?n={quote(e_number, safe='')}"


async def render_contract_pdf(
    *,
    e_number: str,
    verify_code: str,
    version: ContractVersion,
    signatures: Sequence[ContractSignature],
    effective_at: datetime,
    tz: str = clock.DEFAULT_TZ,
) -> bytes:
    url = verify_url(e_number)
    return await render_template_pdf(
        PDF_TEMPLATE,
        e_number=e_number,
        verify_code=verify_code,
        version=version,
        signatures=signatures,
        document_html=version.document_html,
        effective_at=effective_at,
        qr=qr_svg_data_uri(url, scale=4),
        verify_url=url,
        tz=tz,
    )
