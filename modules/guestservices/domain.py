"""Pure rules of guest services: what a guest may ask for, how a request or an order moves
from one status to the next, when staff are late, and reading a guest's input."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from app import clock
from app.enums import LabelledEnum
from app.web.input import read_int

# One-touch services on the terminal (English msgids), in the order the buttons show.
SERVICE_KINDS = ("housekeeping", "towels", "maintenance", "wakeup", "taxi")
# Express check-out is asked for from the bill screen; the desk completes it.
REQUEST_KINDS = (*SERVICE_KINDS, "checkout")
KIND_LABELS = {
    "housekeeping": "Clean my room",
    "towels": "Extra towels",
    "maintenance": "Maintenance",
    "wakeup": "Wake-up call",
    "taxi": "Taxi or transfer",
    "checkout": "Express check-out",
}
# Kinds a guest asks for once at a time: a second tap while one is open is refused, so
# housekeeping is not sent twice to the same room.
ONE_OPEN_AT_A_TIME = ("housekeeping", "towels", "maintenance", "checkout")
NEEDS_TIME = ("wakeup", "taxi")


class RequestStatus(LabelledEnum):
    NEW = "new", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Completed"
    CANCELLED = "cancelled", "Cancelled"


REQUEST_STATUSES = tuple(RequestStatus)
OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.ACKNOWLEDGED, RequestStatus.IN_PROGRESS)
FINISHED_STATUSES = (RequestStatus.DONE, RequestStatus.CANCELLED)
STATUS_LABELS = RequestStatus.labels()
# Staff actions: the status each leads to and the statuses it may start from.
REQUEST_ACTIONS: dict[str, tuple[RequestStatus, tuple[RequestStatus, ...]]] = {
    "acknowledge": (RequestStatus.ACKNOWLEDGED, (RequestStatus.NEW,)),
    "start": (RequestStatus.IN_PROGRESS, (RequestStatus.NEW, RequestStatus.ACKNOWLEDGED)),
    "done": (RequestStatus.DONE, OPEN_STATUSES),
}
ACTION_LABELS = {"acknowledge": "Acknowledge", "start": "Start", "done": "Mark done"}

# A request nobody has acknowledged after this long is shown as overdue in the queue.
ACKNOWLEDGE_WITHIN = timedelta(minutes=15)
# A complaint not answered after this long is overdue, and counted in the nav badge.
ANSWER_WITHIN = timedelta(hours=2)

MENUS = ("room_service", "minibar")
MENU_LABELS = {"room_service": "Room service", "minibar": "Minibar"}
# The folio outlet each menu's charges are posted under (frontdesk CHARGE_SOURCES).
MENU_SOURCES = {"room_service": "dining", "minibar": "minibar"}


class OrderStatus(LabelledEnum):
    NEW = "new", "Received"
    PREPARING = "preparing", "Preparing"
    DELIVERED = "delivered", "Delivered"


ORDER_STATUSES = tuple(OrderStatus)
OPEN_ORDER_STATUSES = (OrderStatus.NEW, OrderStatus.PREPARING)
ORDER_STATUS_LABELS = OrderStatus.labels()
ORDER_ACTIONS: dict[str, tuple[OrderStatus, tuple[OrderStatus, ...]]] = {
    "prepare": (OrderStatus.PREPARING, (OrderStatus.NEW,)),
    "deliver": (OrderStatus.DELIVERED, OPEN_ORDER_STATUSES),
}
ORDER_ACTION_LABELS = {"prepare": "Start preparing", "deliver": "Delivered"}
MAX_QUANTITY = 20

COMPLAINT_CATEGORIES = ("cleanliness", "noise", "service", "facilities", "food", "billing", "other")
COMPLAINT_CATEGORY_LABELS = {
    "cleanliness": "Cleanliness",
    "noise": "Noise",
    "service": "Staff service",
    "facilities": "Room and facilities",
    "food": "Food and drink",
    "billing": "Bill",
    "other": "Other",
}


class ComplaintStatus(LabelledEnum):
    OPEN = "open", "Awaiting answer"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Resolved"


COMPLAINT_STATUSES = tuple(ComplaintStatus)
UNRESOLVED_COMPLAINT_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.ANSWERED)
COMPLAINT_STATUS_LABELS = ComplaintStatus.labels()

# What a rating is about: the stay, a request kind, or an order to the room.
RATING_SUBJECTS = ("stay", *REQUEST_KINDS, "room_service")
RATING_SUBJECT_LABELS = {"stay": "The stay", **KIND_LABELS, "room_service": "Orders to the room"}
RATING_DAYS = 30

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def next_at(hhmm: str, now: datetime, tz: str) -> datetime | None:
    """The next moment the clock in the hotel shows `hhmm` (a wake-up at 07:00 asked for
    at 23:00 is tomorrow's); None when the text is no time of day."""
    found = _TIME.match(hhmm.strip())
    if found is None:
        return None
    local = now.astimezone(clock.zone(tz))
    at = datetime.combine(local.date(), time(int(found[1]), int(found[2])), local.tzinfo)
    return at if at > local else at + timedelta(days=1)


def is_phone(text: str) -> bool:
    return bool(_PHONE.match(text.strip()))


def parse_quantity(text: str) -> int | None:
    """A quantity typed or stepped on the terminal: blank is none; else 0..MAX_QUANTITY."""
    cleaned = text.strip()
    if not cleaned:
        return 0
    return read_int(cleaned, minimum=0, maximum=MAX_QUANTITY)


def parse_score(text: str) -> int | None:
    cleaned = text.strip()
    return int(cleaned) if cleaned in ("1", "2", "3", "4", "5") else None


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def request_overdue(status: str, created_at: datetime, now: datetime) -> bool:
    return status == RequestStatus.NEW and now - created_at > ACKNOWLEDGE_WITHIN


def complaint_overdue(status: str, created_at: datetime, now: datetime) -> bool:
    return status == ComplaintStatus.OPEN and now - created_at > ANSWER_WITHIN


def labels() -> dict[str, dict[str, str]]:
    """English msgids of every code the pages show (templates translate them)."""
    return {
        "kind": KIND_LABELS,
        "status": STATUS_LABELS,
        "action": ACTION_LABELS,
        "menu": MENU_LABELS,
        "order_status": ORDER_STATUS_LABELS,
        "order_action": ORDER_ACTION_LABELS,
        "category": COMPLAINT_CATEGORY_LABELS,
        "complaint_status": COMPLAINT_STATUS_LABELS,
        "subject": RATING_SUBJECT_LABELS,
    }


def field(name: str, message: str, code: str = "invalid") -> dict[str, str]:
    """One field error of an `Invalid` (named like `Invalid.field`, so the translation
    check finds its English msgid)."""
    return {"field": name, "code": code, "message": message}
