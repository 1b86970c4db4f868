"""Pure rules of the terminals module: what an upload is, byte ranges, greetings, units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.enums import LabelledEnum


class DeviceStatus(LabelledEnum):
    """A terminal as the console lists it (derived from its pairing columns)."""

    PAIRED = "paired", "Paired"
    PAIRING = "pairing", "Waiting for the code"
    UNPAIRED = "unpaired", "Not paired"
    REVOKED = "revoked", "Revoked"


IMAGE_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
PAGE_CATEGORY_LABELS = {
    "facilities": "Facilities",
    "hours": "Opening hours",
    "wifi": "Wi-Fi",
    "dining": "Dining",
    "other": "Other",
}


def image_type(data: bytes) -> str | None:
    """The image's type from its first bytes (never from the file name or the browser's
    claim): JPEG, PNG, GIF or WebP; anything else is refused."""
    for magic, kind in IMAGE_TYPES.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def video_type(head: bytes) -> str | None:
    """MP4/MOV (an `ftyp` box at offset 4) or WebM (EBML magic); others are refused."""
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class RangeNotSatisfiable(Exception):
    """The Range header asks for bytes the file does not have (answer 416)."""


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$", re.ASCII)


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """One byte range from a `Range` header (RFC 9110 §14.2), or None for the whole file.

    Multiple ranges are answered with the whole file (allowed: a server may ignore Range);
    a malformed header is ignored likewise; a syntactically valid range that starts past
    the end raises `RangeNotSatisfiable`."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - n), size - 1)
    start = int(first)
    if start >= size:
        raise RangeNotSatisfiable
    end = int(last) if last else size - 1
    if end < start:
        return None
    return ByteRange(start, min(end, size - 1))


def parse_km(text: str) -> int | None:
    """Metres from a distance typed in kilometres ("2.5", "0.8 km"); None when empty.
    Raises ValueError for anything else."""
    cleaned = text.strip().lower().removesuffix("km").strip().replace("公里", "")
    if not cleaned:
        return None
    try:
        km = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(cleaned) from exc
    if not km.is_finite() or km < 0 or km > 10000:  # NaN refuses comparisons
        raise ValueError(cleaned)
    return int((km * 1000).to_integral_value())


def greeting_name(guest_name: str) -> str:
    """How the terminal addresses the guest: the name as registered (the front desk does
    not record a form of address, so no 先生/女士 is guessed)."""
    return guest_name.strip()


_YUAN = re.compile(r"^(\d{1,9})(?:\.(\d{1,2}))?$", re.ASCII)


def parse_yuan(text: str) -> int | None:
    """Fen from a price typed in yuan ("45", "180.5", "¥1,280.00"); None when it is not
    money. The digits are split as text, floats never touch it."""
    match = _YUAN.match(re.sub(r"[\s¥￥,，元]", "", text))
    if not match:
        return None
    whole, frac = match.groups()
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))
