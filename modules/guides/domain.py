"""Pure rules of the guide archive: licence numbers, licence state, levels and languages,
and what an uploaded file really is.

Licence numbers (shared/domain/REFERENCE.md §3): the IC-card era 导游证 is `D-XXXX-XXXXXX`
(D = 导, four digits of province/city, a six-digit sequence; `L-` for a temporary licence).
Whether the electronic licence keeps that shape is not documented, so an unusual number
is a warning the clerk confirms, not a block; what can never be a licence number
(punctuation, Chinese characters, too short or long) is refused outright.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from app import clock
from app.enums import LabelledEnum

LICENCE_PATTERN = re.compile(r"^[DL]-\d{4}-\d{6}$", re.ASCII)
_LICENCE_CHARS = re.compile(r"^[A-Z0-9][A-Z0-9-]{5,31}$")
_DASHES = str.maketrans({c: "-" for c in "－—–‐‑―_"})
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
LANDLINE_PATTERN = re.compile(r"^0\d{2,3}-?\d{7,8}$", re.ASCII)

# A 导游证 is valid three years (导游人员管理条例 第八条); a date further out is a typo.
LICENCE_YEARS = 3
EXPIRING_DAYS = 30  # flagged in the console (list badge) this many days before expiry
RENEWAL_DAYS = 90  # renewal is filed in the three months before expiry (REFERENCE §3)

LEVELS = {
    "junior": "Junior",
    "intermediate": "Intermediate",
    "senior": "Senior",
    "master": "Master",
}
LANGUAGES = {
    "mandarin": "Mandarin",
    "chongqing": "Chongqing dialect",
    "sichuan": "Sichuanese",
    "cantonese": "Cantonese",
    "english": "English",
    "japanese": "Japanese",
    "korean": "Korean",
    "french": "French",
    "german": "German",
    "russian": "Russian",
    "spanish": "Spanish",
    "thai": "Thai",
}


class GuideStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    LEFT = "left", "Left the agency"


class LicenceState(LabelledEnum):
    VALID = "valid", "Valid"
    EXPIRING = "expiring", "Expires soon"
    EXPIRED = "expired", "Expired"


class ComplaintStatus(LabelledEnum):
    OPEN = "open", "Awaiting resolution"
    RESOLVED = "resolved", "Resolved"


class AssignmentStatus(LabelledEnum):
    """A guide's assignment to a group: leading it, or released from it."""

    ACTIVE = "active", "Active"
    RELEASED = "released", "Released"


STATUSES = GuideStatus.labels()
LICENCE_STATES = LicenceState.labels()
CERTIFICATE_KINDS = {
    "qualification": "Guide qualification certificate",
    "language": "Language certificate",
    "first_aid": "First-aid certificate",
    "education": "Education certificate",
    "other": "Other certificate",
}
RATING_SOURCES = {
    "survey": "Tourist feedback form",
    "online": "Online review",
    "phone": "Phone follow-up",
    "other": "Other",
}
COMPLAINT_STATUSES = ComplaintStatus.labels()

PHOTO_MAX_BYTES = 2 * 1024 * 1024
CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
DOCUMENT_TYPES = (*IMAGE_TYPES, "application/pdf")
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def normalize_licence(raw: str) -> str:
    """What the clerk or tourist typed, in the one stored form: full-width characters
    folded (手机输入法 often types them), spaces dropped, upper case, any dash a `-`;
    `D5000123456` gets its dashes back."""
    folded = unicodedata.normalize("NFKC", raw or "").translate(_DASHES)
    compact = "".join(folded.split()).upper()
    if re.fullmatch(r"[DL]\d{10}", compact, re.ASCII):
        compact = f"{compact[0]}-{compact[1:5]}-{compact[5:]}"
    return compact


def licence_problem(licence_no: str) -> str | None:
    """ "invalid" when it cannot be a licence number, "unusual" when it is not the
    D-XXXX-XXXXXX shape (saved only once the clerk confirms), None when it is."""
    if not _LICENCE_CHARS.fullmatch(licence_no):
        return "invalid"
    if not LICENCE_PATTERN.fullmatch(licence_no):
        return "unusual"
    return None


def looks_like_licence(licence_no: str) -> bool:
    """Worth a database look-up at all (the public form)."""
    return _LICENCE_CHARS.fullmatch(licence_no) is not None


def business_date(tz: str, now: datetime | None = None) -> date:
    """Today where the agency is: a licence is valid through its last day, local time."""
    return clock.local_date(now or clock.now(), tz)


def licence_state(valid_until: date, today: date) -> LicenceState:
    if valid_until < today:
        return LicenceState.EXPIRED
    if valid_until <= today + timedelta(days=EXPIRING_DAYS):
        return LicenceState.EXPIRING
    return LicenceState.VALID


def labels() -> dict[str, dict[str, str]]:
    """English msgids of every code the guide pages show (templates translate them)."""
    return {
        "level": LEVELS,
        "language": LANGUAGES,
        "status": STATUSES,
        "licence": LICENCE_STATES,
        "certificate": CERTIFICATE_KINDS,
        "source": RATING_SOURCES,
        "complaint": COMPLAINT_STATUSES,
    }


def latest_plausible_expiry(today: date) -> date:
    """A licence issued today runs three years; allow a month's slack for the issuer."""
    try:
        later = today.replace(year=today.year + LICENCE_YEARS)
    except ValueError:  # 29 February
        later = today.replace(year=today.year + LICENCE_YEARS, day=28)
    return later + timedelta(days=31)


def overlaps(a_from: date, a_to: date, b_from: date, b_to: date) -> bool:
    """Inclusive date ranges: a group ending on the 3rd and one starting on the 3rd
    overlap (the guide cannot be in two places that day); the 3rd and the 4th do not."""
    return a_from <= b_to and b_from <= a_to


def valid_phone(phone: str) -> bool:
    return bool(MOBILE_PATTERN.fullmatch(phone) or LANDLINE_PATTERN.fullmatch(phone))


def sniff(data: bytes) -> str | None:
    """The file's real type from its first bytes, whatever its name or the browser says:
    a renamed program is not an image."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_filename(name: str, content_type: str) -> str:
    """A download name without path parts or quotes, with the extension of its real type."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>:;|?*').strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or 'certificate')[:150]}.{EXTENSIONS[content_type]}"
