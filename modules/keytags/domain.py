"""Pure rules of key-tag billing: the kind of day and a ticket's price on it, the time fee
at the exit, the bill, voids, concession commission; and the module's statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.enums import LabelledEnum


class TicketCategory(LabelledEnum):
    ADULT = "adult", "Adult"
    CHILD = "child", "Child"
    SENIOR = "senior", "Senior"
    EVENING = "evening", "After 18:00"


class DayKind(LabelledEnum):
    WEEKDAY = "weekday", "Weekday"
    WEEKEND = "weekend", "Weekend"
    HOLIDAY = "holiday", "Public holiday"


class SectionKind(LabelledEnum):
    MALE = "male", "Men's changing room"
    FEMALE = "female", "Women's changing room"
    FAMILY = "family", "Family changing room"


class LockerStatus(LabelledEnum):
    FREE = "free", "Free"
    OCCUPIED = "occupied", "Occupied"
    OUT_OF_ORDER = "out_of_order", "Out of order"


class TagKind(LabelledEnum):
    RFID = "rfid", "RFID tag"
    QR = "qr", "QR wristband"


class TagStatus(LabelledEnum):
    AVAILABLE = "available", "Available"
    IN_USE = "in_use", "In use"
    BLOCKED = "blocked", "Blocked"
    RETIRED = "retired", "Retired"


class OutletKind(LabelledEnum):
    RESTAURANT = "restaurant", "Restaurant"
    BAR = "bar", "Bar"
    MASSAGE = "massage", "Massage"
    SHOP = "shop", "Shop"
    POOL = "pool", "Private pool"


class PriceUnit(LabelledEnum):
    ITEM = "item", "per item"
    USE = "use", "per use"
    HOUR = "hour", "per hour"


class VisitSource(LabelledEnum):
    WALK_IN = "walk_in", "Walk-in"
    ONLINE = "online", "Online day ticket"
    HOTEL = "hotel", "Hotel guest"
    MEMBER = "member", "Member"


class TabMode(LabelledEnum):
    CASH_DEPOSIT = "cash_deposit", "Cash deposit"
    CARD_PREAUTH = "card_preauth", "Card pre-authorisation"
    POSTPAY = "postpay", "Pay at exit (credit limit)"
    FOLIO = "folio", "Charge to the room"
    MEMBER = "member", "Member balance"


class VisitStatus(LabelledEnum):
    OPEN = "open", "In the resort"
    SETTLED = "settled", "Settled, not yet out"
    CLOSED = "closed", "Left"
    CANCELLED = "cancelled", "Cancelled"


class ChargeKind(LabelledEnum):
    CHARGE = "charge", "Charge"
    VOID = "void", "Void"
    FEE = "fee", "Fee"


class ConflictReason(LabelledEnum):
    LIMIT = "limit", "Over the tab's limit"
    BLOCKED = "blocked", "Tag blocked"
    CLOSED = "closed", "Visit already settled"
    UNKNOWN = "unknown", "Unknown tag"


class ConflictStatus(LabelledEnum):
    OPEN = "open", "To settle"
    POSTED = "posted", "Posted to the visit"
    WRITTEN_OFF = "written_off", "Written off"


class TenderKind(LabelledEnum):
    DEPOSIT = "deposit", "Deposit taken"
    DEPOSIT_RETURN = "deposit_return", "Deposit returned"
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"
    TOPUP = "topup", "Member top-up"


class TenderMethod(LabelledEnum):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    WECHAT = "wechat", "WeChat Pay"
    ALIPAY = "alipay", "Alipay"
    PREAUTH = "preauth", "Card pre-authorisation (captured)"
    FOLIO = "folio", "Room folio"
    MEMBER = "member", "Member balance"
    ONLINE = "online", "Paid online"
    PACKAGE = "package", "Included in the room package"


# Methods the exit desk records itself (money seen at the counter).
DESK_METHODS = (TenderMethod.CASH, TenderMethod.CARD, TenderMethod.WECHAT, TenderMethod.ALIPAY)


def day_kind(day: date, overrides: dict[date, DayKind]) -> DayKind:
    """A date's kind: the resort's calendar first (holidays, 调休 working weekends), else
    Saturday and Sunday are weekends."""
    if day in overrides:
        return overrides[day]
    return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WEEKDAY


@dataclass(frozen=True, slots=True)
class TicketPrices:
    weekday_fen: int
    weekend_fen: int
    holiday_fen: int

    def on(self, kind: DayKind) -> int:
        if kind is DayKind.HOLIDAY:
            return self.holiday_fen
        if kind is DayKind.WEEKEND:
            return self.weekend_fen
        return self.weekday_fen


@dataclass(frozen=True, slots=True)
class TimeRule:
    """What admission covers and what more time costs."""

    base_minutes: int
    grace_minutes: int
    overage_fen_per_hour: int


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from start to end (never negative; seconds are dropped)."""
    return max(0, int((end - start).total_seconds()) // 60)


def overage_hours(start: datetime, end: datetime, rule: TimeRule) -> int:
    """Started hours beyond the base time. Within base + grace nothing is due; past it, every
    started hour after the base counts (12 h covered, out at 13 h 20 min → 2 hours)."""
    used = minutes_between(start, end)
    if used <= rule.base_minutes + rule.grace_minutes:
        return 0
    over = used - rule.base_minutes
    return -(-over // 60)


def overage_fen(start: datetime, end: datetime, rule: TimeRule) -> int:
    return overage_hours(start, end, rule) * rule.overage_fen_per_hour


def void_needs_manager(charged_at: datetime, now: datetime, outlet_minutes: int) -> bool:
    """An outlet voids its own charge within its window; after that a manager approves."""
    return now - charged_at > timedelta(minutes=outlet_minutes)


def commission_fen(takings_fen: int, commission_bp: int) -> int:
    """The resort's commission on a concession's takings, rounded half up to the fen."""
    return (takings_fen * commission_bp + 5000) // 10000


def visit_number(business_date: date, seq: int) -> str:
    """S20261207-0042: the desk reads it aloud and prints it on the receipt."""
    return f"S{business_date:%Y%m%d}-{seq:04d}"


@dataclass(frozen=True, slots=True)
class BillLine:
    kind: str  # admission | overage | charge | void | fee
    description: str
    amount_fen: int
    prepaid: bool = False  # admission already paid (online, package): shown, not due


def bill_due(lines: list[BillLine]) -> int:
    """What the guest owes at the exit: every line not already paid."""
    return sum(line.amount_fen for line in lines if not line.prepaid)
