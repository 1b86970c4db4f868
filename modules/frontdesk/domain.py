"""Pure front-desk rules: which room to suggest at check-in, folio arithmetic, money typed
by people. No database, no I/O: unit-tested on their own."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app import clock
from app.enums import LabelledEnum
from modules.reservations.service import UnitStatus, UnitView


class StayStatus(LabelledEnum):
    IN_HOUSE = "in_house", "In house"
    CHECKED_OUT = "checked_out", "Checked out"


READY_STATUSES = (UnitStatus.INSPECTED, UnitStatus.CLEAN)
# Online holds one client address may try in a window: a family or a small company books
# a handful; a script holding every room without paying is stopped.
HOLDS_PER_ADDRESS = (20, timedelta(hours=1))
ROOM_STATUSES = (UnitStatus.DIRTY, UnitStatus.CLEAN, UnitStatus.INSPECTED, UnitStatus.OUT_OF_ORDER)
ROOM_STATUS_LABELS = {s.value: s.label for s in ROOM_STATUSES}
SAME_FLOOR = "same_floor"
LINE_KINDS = ("charge", "payment", "refund", "adjustment")
# Money taken at the desk, as the payments module names it ("card_terminal": a bank card
# on the POS terminal); "online" is what the guest paid by card on the booking page.
DESK_METHODS = ("cash", "wechat", "alipay", "card_terminal")
METHOD_LABELS = {
    "cash": "Cash",
    "wechat": "WeChat Pay",
    "alipay": "Alipay",
    "card_terminal": "Bank card",
    "online": "Online payment",
}
CHARGE_SOURCES = ("room", "minibar", "dining", "laundry", "spa", "terminal", "other")

# Feature labels (English msgids) for suggestions and the housekeeping board.
FEATURE_LABELS = {
    "river_view": "River view",
    "high_floor": "High floor",
    "accessible": "Accessible",
    "balcony": "Balcony",
    "quiet": "Quiet",
    "connecting": "Connecting",
}

RESERVATION_STATUS_LABELS = {
    "held": "Awaiting payment",
    "confirmed": "Confirmed",
    "cancelled": "Cancelled",
    "expired": "Expired",
    "no_show": "No-show",
    "checked_in": "Checked in",
    "checked_out": "Checked out",
}
PAYMENT_STATE_LABELS = {
    "unpaid": "Unpaid",
    "deposit_paid": "Deposit paid",
    "paid": "Paid",
    "partially_refunded": "Partly refunded",
    "refunded": "Refunded",
}
LINE_KIND_LABELS = {
    "charge": "Charge",
    "payment": "Payment",
    "refund": "Refund",
    "adjustment": "Adjustment",
}
SOURCE_LABELS = {
    "room": "Room",
    "minibar": "Minibar",
    "dining": "Dining",
    "laundry": "Laundry",
    "spa": "Spa and hot spring",
    "terminal": "In-room terminal",
    "other": "Other",
}
UNIT_KIND_LABELS = {
    "room": "Room",
    "cabin": "Cabin",
    "admission": "Admission",
    "table": "Table",
}

_W_PARTY_FLOOR = 1000
_W_FLOOR_FITS_PARTY = 500
_W_FEATURE = 100
_W_INSPECTED = 10


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A room the clerk may give, with why it ranks where it does (English msgids)."""

    unit: UnitView
    score: int
    reasons: tuple[str, ...]


def suggest_units(
    units: Iterable[UnitView],
    *,
    unit_type_id: uuid.UUID,
    occupied: set[uuid.UUID],
    preferences: Sequence[str] = (),
    party_floors: Sequence[int] = (),
    party_waiting: int = 0,
) -> list[Suggestion]:
    """Ready, unoccupied rooms of the booked type, best first.

    A guest is never handed a dirty or out-of-order room, nor one someone sleeps in.
    When the booking asks to keep the party on one floor, the floor where the party already
    stays wins; otherwise a floor with enough ready rooms for everyone still to arrive.
    Then the features the guest asked for, then inspected over merely clean."""
    ready = [
        u
        for u in units
        if u.unit_type_id == unit_type_id and u.status in READY_STATUSES and u.id not in occupied
    ]
    wanted = {p for p in preferences if p != SAME_FLOOR}
    together = SAME_FLOOR in preferences
    per_floor = Counter(u.floor for u in ready)
    ranked = [
        _score(u, wanted, together, set(party_floors), per_floor, party_waiting + 1) for u in ready
    ]
    return sorted(ranked, key=lambda s: (-s.score, s.unit.floor, s.unit.number))


def _score(
    unit: UnitView,
    wanted: set[str],
    together: bool,
    party_floors: set[int],
    per_floor: Counter[int],
    party_size: int,
) -> Suggestion:
    score, reasons = 0, []
    if together and unit.floor in party_floors:
        score += _W_PARTY_FLOOR
        reasons.append("Same floor as the rest of the party")
    elif together and not party_floors and party_size > 1 and per_floor[unit.floor] >= party_size:
        score += _W_FLOOR_FITS_PARTY
        reasons.append("This floor has rooms for the whole party")
    for feature in sorted(wanted & set(unit.features)):
        score += _W_FEATURE
        reasons.append(FEATURE_LABELS.get(feature, feature))
    if unit.status == UnitStatus.INSPECTED:
        score += _W_INSPECTED
        reasons.append("Inspected")
    return Suggestion(unit=unit, score=score, reasons=tuple(reasons))


def balance(amounts: Iterable[int]) -> int:
    """Charges and refunds are positive, payments negative, adjustments either: what the
    guest still owes is the plain sum (negative: the hotel owes the guest)."""
    return sum(amounts)


def check_line_amount(kind: str, amount_fen: int) -> None:
    """The sign rules the table's CHECK constraint also enforces."""
    if kind not in LINE_KINDS:
        raise ValueError(f"unknown folio line kind {kind!r}")
    if amount_fen == 0:
        raise ValueError("a folio line moves money")
    if kind in ("charge", "refund") and amount_fen < 0:
        raise ValueError(f"a {kind} is positive")
    if kind == "payment" and amount_fen > 0:
        raise ValueError("a payment is negative")


_YUAN = re.compile(r"^(\d{1,9})(?:\.(\d{1,2}))?$", re.ASCII)


def parse_yuan(text: str | None) -> int | None:
    """Fen from what a clerk types ("128", "128.5", "¥1,280.00"); None when it is not money.
    Floats never touch it: the digits are split as text."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s¥￥,，]", "", text)
    match = _YUAN.match(cleaned)
    if not match:
        return None
    whole, frac = match.groups()
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))


def business_date(tz: str, now: datetime | None = None) -> date:
    """Today where the hotel is (Asia/Shanghai unless the tenant says otherwise)."""
    return clock.local_date(now or clock.now(), tz)


def nights_after(days: Iterable[date], last_night: date) -> list[date]:
    """Booked nights later than the last night actually slept (an early departure)."""
    return sorted(d for d in days if d > last_night)


# Night audit (夜审) ------------------------------------------------------------------------

# The hotel's business day ends at this local hour: late arrivals after midnight still
# count for the day before, so the scheduled audit closes a day only after it.
AUDIT_HOUR = 4
FNB_SOURCES = ("dining", "minibar")
# Mainland resident IDs (and other domestic documents) are domestic guests; passports and
# the Hong Kong, Macao and Taiwan permits are inbound guests, as tourism statistics count.
DOMESTIC_ID_TYPES = ("resident_id", "other")
AUDIT_SOURCE_LABELS = {**SOURCE_LABELS, "desk": "Corrections at the desk"}


def ratio(numerator: int, denominator: int, scale: int = 1) -> int:
    """`numerator * scale / denominator` rounded half up, 0 when there is nothing to divide
    by (occupancy in basis points with scale 10000; ADR and RevPAR in fen with scale 1)."""
    if denominator <= 0:
        return 0
    return (2 * numerator * scale + denominator) // (2 * denominator)


def split_revenue(by_source: dict[str, int]) -> tuple[int, int]:
    """Food and beverage, and everything else that is not the room."""
    fnb = sum(fen for source, fen in by_source.items() if source in FNB_SOURCES)
    return fnb, sum(by_source.values()) - fnb


def is_domestic(id_type: str) -> bool:
    return id_type in DOMESTIC_ID_TYPES


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The instants a local calendar day starts and ends (aware, for timestamptz)."""
    zone = clock.zone(tz)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def last_closed_day(tz: str, now: datetime) -> date:
    """The latest business day the scheduled audit may close: yesterday once it is past
    AUDIT_HOUR where the hotel is, the day before that until then."""
    local = now.astimezone(clock.zone(tz)) - timedelta(hours=AUDIT_HOUR)
    return local.date() - timedelta(days=1)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    return start, end


def labels() -> dict[str, dict[str, str]]:
    """English msgids of every code the pages show (templates translate them)."""
    return {
        "status": RESERVATION_STATUS_LABELS,
        "payment": PAYMENT_STATE_LABELS,
        "line": LINE_KIND_LABELS,
        "source": SOURCE_LABELS,
        "room": ROOM_STATUS_LABELS,
        "feature": {**FEATURE_LABELS, SAME_FLOOR: "Keep the party on one floor"},
        "kind": UNIT_KIND_LABELS,
        "method": METHOD_LABELS,
    }
