"""Console forms of the ticket types and the holiday calendar, and what the guest's day-ticket
pages show (a ticket on a date with its price and how many are left, an order's tickets)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Annotated

from app.errors import Invalid
from app.i18n import gettext
from app.web.input import Cleaned, Text, read_fen, read_int
from modules.keytags.domain import DayKind, TicketCategory

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,19}$", re.ASCII)
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$", re.ASCII)
MAX_PRICE_FEN = 10_000_000  # ¥100,000


@dataclass
class TicketForm(Cleaned):
    code: Annotated[str, Text(20)] = ""
    name: Annotated[str, Text(60)] = ""
    name_en: Annotated[str, Text(60)] = ""
    category: Annotated[str, Text(12)] = "adult"
    price_weekday: Annotated[str, Text(14)] = ""
    price_weekend: Annotated[str, Text(14)] = ""
    price_holiday: Annotated[str, Text(14)] = ""
    base_hours: Annotated[str, Text(4)] = "12"
    grace_minutes: Annotated[str, Text(4)] = "15"
    overage_per_hour: Annotated[str, Text(14)] = "20"
    credit_limit: Annotated[str, Text(14)] = "500"
    sold_from: Annotated[str, Text(5)] = ""
    description: Annotated[str, Text(300)] = ""
    sold_online: Annotated[str, Text(3)] = ""
    sort_order: Annotated[str, Text(4)] = "0"
    active: Annotated[str, Text(3)] = ""


@dataclass(frozen=True, slots=True)
class TicketInput:
    """A ticket type as typed, checked: money in fen, times in minutes."""

    code: str
    name: str
    name_en: str
    category: TicketCategory
    price_weekday_fen: int
    price_weekend_fen: int
    price_holiday_fen: int
    base_minutes: int
    grace_minutes: int
    overage_fen_per_hour: int
    credit_limit_fen: int
    sold_from: time | None
    description: str
    sold_online: bool
    sort_order: int
    active: bool


def _error(errors: list[dict[str, str]], field: str, message: str, code: str = "invalid") -> None:
    errors.append({"field": field, "code": code, "message": message})


def _money(errors: list[dict[str, str]], field: str, text: str) -> int:
    fen = read_fen(text, maximum=MAX_PRICE_FEN)
    if fen is None:
        _error(errors, field, "Enter an amount in yuan, such as 688 or 688.50.")
        return 0
    return fen


def _whole(errors: list[dict[str, str]], field: str, text: str, low: int, high: int) -> int:
    number = read_int(text, minimum=low, maximum=high)
    if number is None:
        _error(
            errors,
            field,
            gettext("Enter a whole number from %(low)s to %(high)s.", low=low, high=high),
        )
        return low
    return number


def ticket_input(form: TicketForm) -> TicketInput:
    """The form's values, or `Invalid` naming every field that is wrong."""
    errors: list[dict[str, str]] = []
    if not CODE.match(form.code):
        _error(errors, "code", "Use letters, digits, - or _ (at most 20).")
    if not form.name:
        _error(errors, "name", "Enter a name.", "required")
    category = TicketCategory.parse(form.category)
    if category is None:
        _error(errors, "category", "Choose a category.")
    prices = [_money(errors, f"price_{k}", getattr(form, f"price_{k}")) for k in DayKind]
    base_hours = _whole(errors, "base_hours", form.base_hours, 1, 48)
    grace = _whole(errors, "grace_minutes", form.grace_minutes, 0, 120)
    overage = _money(errors, "overage_per_hour", form.overage_per_hour)
    limit = _money(errors, "credit_limit", form.credit_limit)
    order = _whole(errors, "sort_order", form.sort_order or "0", 0, 999)
    sold_from = None
    if form.sold_from:
        match = CLOCK.match(form.sold_from)
        if match is None:
            _error(errors, "sold_from", "Enter a time of day such as 18:00.")
        else:
            sold_from = time(int(match[1]), int(match[2]))
    elif category is TicketCategory.EVENING:
        _error(errors, "sold_from", "An evening ticket needs the time it goes on sale.", "required")
    if errors or category is None:
        raise Invalid(errors=errors)
    return TicketInput(
        code=form.code.upper(),
        name=form.name,
        name_en=form.name_en,
        category=category,
        price_weekday_fen=prices[0],
        price_weekend_fen=prices[1],
        price_holiday_fen=prices[2],
        base_minutes=base_hours * 60,
        grace_minutes=grace,
        overage_fen_per_hour=overage,
        credit_limit_fen=limit,
        sold_from=sold_from,
        description=form.description,
        sold_online=bool(form.sold_online),
        sort_order=order,
        active=bool(form.active),
    )


@dataclass
class CalendarForm(Cleaned):
    """A range of dates that are public holidays (国庆节) or working weekends (调休)."""

    start: Annotated[str, Text(10)] = ""
    end: Annotated[str, Text(10)] = ""
    kind: Annotated[str, Text(8)] = "holiday"
    name: Annotated[str, Text(40)] = ""


@dataclass(frozen=True, slots=True)
class DayCell:
    """A date of the month view: its kind, the calendar's name for it, the adult price."""

    day: date
    kind: DayKind
    name: str
    marked: bool  # a calendar row (holiday or working weekend), not the weekday's own kind
    price_fen: int | None
    in_month: bool


@dataclass(frozen=True, slots=True)
class TicketOffer:
    """A ticket type on sale for a date: that day's price and how many are left."""

    ticket_type_id: uuid.UUID
    unit_type_id: uuid.UUID
    code: str
    name: str
    name_en: str
    category: TicketCategory
    description: str
    price_fen: int
    available: int
    base_minutes: int


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One reservation of an online order: a ticket type, how many, its own code."""

    reservation_id: uuid.UUID
    code: str
    status: str
    payment_state: str
    ticket_name: str
    quantity: int
    total_fen: int
    paid_fen: int
    day: date

    @property
    def due(self) -> bool:
        return self.status == "held" and self.paid_fen == 0


@dataclass
class SpaOrderForm(Cleaned):
    """The guest's order as typed: the date and the buyer (the counts, one field per ticket
    type `qty_<id>`, are read beside it)."""

    day: Annotated[str, Text(10)] = ""
    guest_name: Annotated[str, Text(100)] = ""
    guest_phone: Annotated[str, Text(20)] = ""
