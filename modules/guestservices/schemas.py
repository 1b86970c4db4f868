"""What guest services hand to its pages (terminal and console) and the forms they read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from app.web.input import Cleaned, Paragraph, Text
from modules.guestservices import domain


@dataclass(frozen=True, slots=True)
class RequestEventView:
    status: str
    at: datetime
    by_name: str | None  # the staff member; None when the guest or the system did it
    by_guest: bool


@dataclass(frozen=True, slots=True)
class RequestView:
    id: uuid.UUID
    stay_id: uuid.UUID
    unit_number: str
    guest_name: str
    kind: str
    status: str
    note: str
    due_at: datetime | None
    destination: str | None
    created_at: datetime
    status_changed_at: datetime
    waited_minutes: int  # since it was sent (until done or cancelled)
    overdue: bool  # nobody acknowledged it in time
    history: tuple[RequestEventView, ...] = ()
    rating: int | None = None

    @property
    def open(self) -> bool:
        return self.status in domain.OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class RequestQueue:
    status: str | None
    requests: tuple[RequestView, ...]
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class MenuItemView:
    id: uuid.UUID
    menu: str
    category: str
    name: str
    description: str
    price_fen: int
    available: bool
    sort_order: int


@dataclass(frozen=True, slots=True)
class OrderLineView:
    name: str
    unit_price_fen: int
    quantity: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class OrderView:
    id: uuid.UUID
    stay_id: uuid.UUID
    unit_number: str
    guest_name: str
    status: str
    total_fen: int
    note: str
    created_at: datetime
    status_changed_at: datetime
    waited_minutes: int
    lines: tuple[OrderLineView, ...]
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class ComplaintView:
    id: uuid.UUID
    stay_id: uuid.UUID
    unit_number: str
    guest_name: str
    category: str
    body: str
    contact_phone: str | None
    status: str
    answer: str | None
    answered_at: datetime | None
    answered_by_name: str | None
    closed_at: datetime | None
    created_at: datetime
    overdue: bool
    forwarded_at: datetime | None = None
    external_ref: str | None = None


@dataclass(frozen=True, slots=True)
class RatingSummaryRow:
    subject: str
    count: int
    average: float  # 1.0–5.0


@dataclass(frozen=True, slots=True)
class RatingView:
    subject: str
    score: int
    comment: str
    unit_number: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RatingsSummary:
    days: int
    rows: tuple[RatingSummaryRow, ...]
    recent: tuple[RatingView, ...]


@dataclass(frozen=True, slots=True)
class GuestFeedback:
    """What the terminal's feedback screen shows of the current stay."""

    stay_rating: int | None
    complaints: tuple[ComplaintView, ...]


# Forms ---------------------------------------------------------------------------------


@dataclass
class RequestForm(Cleaned):
    kind: str = ""
    note: Annotated[str, Text(500, multiline=True)] = ""
    at: str = ""  # HH:MM, wake-up call or pick-up
    destination: str = ""


@dataclass
class MenuItemForm(Cleaned):
    menu: str = "room_service"
    category: str = ""
    name: str = ""
    description: Annotated[str, Text(300, multiline=True)] = ""
    price: str = ""
    available: str = ""  # a ticked box sends "1"
    sort_order: str = "0"


@dataclass
class RatingForm(Cleaned):
    score: str = ""
    comment: Annotated[str, Text(500, multiline=True)] = ""


@dataclass
class ComplaintForm(Cleaned):
    category: str = ""
    body: Paragraph = ""
    contact_phone: str = ""


@dataclass
class AnswerForm(Cleaned):
    answer: Paragraph = ""


@dataclass
class OrderNote(Cleaned):
    note: Paragraph = ""
    quantities: dict[str, str] = field(default_factory=dict)  # menu item id -> typed quantity
