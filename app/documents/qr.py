"""QR codes as inline SVG, so a page or a PDF needs no image file or extra request."""

from __future__ import annotations

import segno


def qr_svg_data_uri(data: str, *, scale: int = 3, border: int = 2) -> str:
    """A `data:image/svg+xml` URI for `<img src>`; error level M survives a smudged print."""
    return str(segno.make(data, error="m").svg_data_uri(scale=scale, border=border))
