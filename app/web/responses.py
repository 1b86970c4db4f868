"""Responses the modules share."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Response


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> Response[bytes]:
    """A generated PDF, shown in the browser (or downloaded), never cached by a proxy:
    documents carry guests' personal data."""
    disposition = "attachment" if download else "inline"
    return Response(
        pdf,
        status_code=200,  # explicit: the request's transaction commits on the status it reads
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def file_response(
    data: bytes, content_type: str, *, filename: str | None = None, cache: str = "private"
) -> Response[bytes]:
    """Stored bytes as their own type (a photo, a certificate); with `filename`, a download
    named in ASCII and in UTF-8 so Chinese names survive every browser."""
    headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if filename:
        ascii_name = filename.encode("ascii", "ignore").decode() or "file"
        headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
        )
    return Response(data, status_code=200, media_type=content_type, headers=headers)
