"""Responses the modules share."""

from __future__ import annotations

from litestar import Response


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> Response[bytes]:
    """A generated PDF, shown in the browser (or downloaded), never cached by a proxy:
    documents carry guests' personal data."""
    disposition = "attachment" if download else "inline"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
