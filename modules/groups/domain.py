"""Pure rules of group tours: plate numbers, group numbers, day coverage, seats, and
whether a group may be filed with the bureau yet (and whether that is late).

Nothing here touches the database, so every rule has a plain unit test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.enums import LabelledEnum

# Province abbreviations on Chinese motor-vehicle plates (GA 36).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Plate letters and digits: I and O are never used (they read as 1 and 0).
_CHAR = "A-HJ-NP-Z0-9"
_ORDINARY = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z][{_CHAR}]{{5}}$")
# New-energy plates (green, 8 characters): small cars D/F then 5, large vehicles
# 5 digits then D/F (GA 36-2018).
_NEW_ENERGY = re.compile(rf"^[{PROVINCES}][A-HJ-NP-Z](?:[DF][{_CHAR}]\d{{4}}|\d{{5}}[DF])$")
_SEPARATORS = re.compile(r"[\s·.・\-]")

GROUP_NO = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$", re.ASCII)
PLACE_SEPARATORS = re.compile(r"[、，,;；/\n]+")


class GroupStatus(LabelledEnum):
    DRAFT = "draft", "Draft, not filed"
    FILED = "filed", "Reported to the bureau"
    CANCELLED = "cancelled", "Group cancelled"


STATUS_LABELS = GroupStatus.labels()
MAX_DAYS = 60


def normalise_plate(text: str) -> str:
    """What a clerk types (`渝A·12345`, `渝a 12345`) in the form the bureau expects."""
    return _SEPARATORS.sub("", text.strip()).upper()


def plate_problem(plate: str) -> str | None:
    """Why a (normalised) plate number is not a Chinese plate, or None."""
    if not plate:
        return "Enter the plate number."
    if plate[0] not in PROVINCES:
        return "A plate starts with a province abbreviation, e.g. 渝A12345."
    if _ORDINARY.match(plate) or _NEW_ENERGY.match(plate):
        return None
    return "This is not a valid plate number (e.g. 渝A12345, new energy 渝AD12345)."


def display_plate(plate: str) -> str:
    """`渝A12345` as printed on the plate: `渝A·12345`."""
    return f"{plate[:2]}·{plate[2:]}" if len(plate) > 2 else plate


def group_no_problem(group_no: str) -> str | None:
    if not GROUP_NO.match(group_no):
        return "Use 3 to 32 capital letters, digits and hyphens, e.g. BY20261201-01."
    return None


def group_no_prefix(slug: str) -> str:
    """Two capital letters from the enterprise's slug (`bayu-travel` → `BT`), so that a
    group number says whose group it is when read out on the phone."""
    parts = [p for p in re.split(r"[^a-z0-9]+", slug.lower()) if p]
    if len(parts) >= 2:
        letters = parts[0][0] + parts[1][0]
    else:
        letters = (parts[0] if parts else "gt")[:2]
    return letters.upper().ljust(2, "G")


def default_group_no(prefix: str, departure: date, taken: Iterable[str]) -> str:
    """The first free `<prefix><yyyymmdd>-NN` for this departure day."""
    used = set(taken)
    stem = f"{prefix}{departure:%Y%m%d}-"
    n = 1
    while f"{stem}{n:02d}" in used:
        n += 1
    return f"{stem}{n:02d}"


def dates_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def dates_problem(start: date, end: date) -> tuple[str, str] | None:
    """(field, message) when the group's dates cannot be a tour."""
    if end < start:
        return "end_date", "The tour cannot end before it starts."
    if (end - start).days + 1 > MAX_DAYS:
        return "end_date", "A group tour lasts at most 60 days."
    return None


@dataclass(frozen=True, slots=True)
class Coverage:
    missing: tuple[date, ...]
    outside: tuple[date, ...]
    repeated: tuple[date, ...]

    @property
    def exact(self) -> bool:
        return not (self.missing or self.outside or self.repeated)


def coverage(start: date, end: date, days: Sequence[date]) -> Coverage:
    """How the itinerary's days cover the tour: the bureau wants one row per day, every
    day from departure to return, no more."""
    wanted = set(dates_between(start, end)) if end >= start else set()
    seen: set[date] = set()
    repeated: list[date] = []
    for day in days:
        if day in seen:
            repeated.append(day)
        seen.add(day)
    return Coverage(
        missing=tuple(sorted(wanted - seen)),
        outside=tuple(sorted(seen - wanted)),
        repeated=tuple(sorted(set(repeated))),
    )


def split_places(text: str) -> list[str]:
    """`洪崖洞、解放碑，李子坝` → three places (clerks use any of these separators)."""
    return [p.strip() for p in PLACE_SEPARATORS.split(text) if p.strip()]


def fits(start: date, end: date, contract_start: date, contract_end: date) -> bool:
    """A contract's trip lies within the group's dates."""
    return start <= contract_start and contract_end <= end


def seats_short(seats: int, tourists: int, guides: int) -> int:
    """How many people would stand (0 when everyone has a seat). A coach may not carry
    more people than its seats (Road Traffic Safety Law Art. 49), so filing refuses it."""
    return max(tourists + guides - seats, 0)


class Timeliness:
    ON_TIME = "on_time"  # before the departure day
    LATE = "late"  # on the road: filed, but past the bureau's deadline
    OVER = "over"  # the tour has ended: nothing to supervise any more


def timeliness(start: date, end: date, today: date) -> str:
    """The bureau expects a group before departure (PROTOCOL "Timeliness"). A group on
    the road is still filed (late, and flagged) because the bureau supervises groups
    travelling now; after the return day filing is refused."""
    if today < start:
        return Timeliness.ON_TIME
    if today <= end:
        return Timeliness.LATE
    return Timeliness.OVER
