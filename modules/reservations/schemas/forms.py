"""Console forms of the reservations module, and reading their text fields (dates,
counts, yuan) into values, with field errors in the request's language."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, Field

from app.errors import Invalid
from app.i18n import gettext as translate
from app.web.input import Cleaned, Paragraph, read_date, read_fen, read_int


class FormErrors(dict[str, str]):
    """field -> message (already translated), filled while reading a form."""

    def date(self, name: str, value: str, *, required: bool = True) -> date | None:
        value = (value or "").strip()
        if not value:
            if required:
                self[name] = translate("Choose a date.")
            return None
        found = read_date(value)
        if found is None:
            self[name] = translate("Enter a date as 2026-12-24.")
        return found

    def number(self, name: str, value: str, *, low: int = 0, high: int = 10000) -> int | None:
        value = (value or "").strip()
        if not value:
            return None
        number = read_int(value)
        if number is None:
            self[name] = translate("Enter a whole number.")
            return None
        if not low <= number <= high:
            self[name] = translate("Between %(low)s and %(high)s.", low=low, high=high)
            return None
        return number

    def yuan(self, name: str, value: str) -> int | None:
        """¥ with up to two decimals, as fen."""
        if not (value or "").strip():
            return None
        fen = read_fen(value)
        if fen is None:
            self[name] = translate("Enter an amount in yuan, such as 688 or 688.50.")
        return fen

    def weekdays(self, name: str, values: list[str]) -> tuple[int, ...]:
        """Days of the week ticked, 0 (Monday) to 6."""
        days = [read_int(v, minimum=0, maximum=6) for v in values]
        if None in days:
            self[name] = translate("Choose days of the week.")
            return ()
        return tuple(d for d in days if d is not None)

    def uuid(self, name: str, value: str) -> uuid.UUID | None:
        try:
            return uuid.UUID((value or "").strip())
        except ValueError:
            self[name] = translate("Choose one.")
            return None


def field_errors(exc: Invalid) -> dict[str, str]:
    return {e["field"]: translate(e["message"]) for e in exc.errors or [] if e.get("field")}


def as_list(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass
class SearchForm(Cleaned):
    arrival: str = ""
    departure: str = ""
    adults: str = "2"
    children: str = "0"
    rate_plan: str = "rack"


@dataclass
class BookForm(SearchForm):
    unit_type_id: str = ""
    guest_name: str = ""
    guest_phone: str = ""
    guest_email: str = ""
    id_type: str = "resident_id"
    id_number: str = ""
    notes: Paragraph = ""
    hold: str = ""
    preferences: list[str] | str = field(default_factory=list)


@dataclass
class ChangeForm(Cleaned):
    arrival: str = ""
    departure: str = ""
    unit_type_id: str = ""
    adults: str = ""
    children: str = ""


@dataclass
class ReasonForm(Cleaned):
    reason: Paragraph = ""


@dataclass
class UnitTypeForm(Cleaned):
    code: str = ""
    name: str = ""
    kind: str = "room"
    capacity: str = "2"
    base_price: str = ""
    description: Paragraph = ""
    voyage_id: str = ""


@dataclass
class UnitForm(Cleaned):
    unit_type_id: str = ""
    number: str = ""
    floor: str = ""
    features: list[str] | str = field(default_factory=list)


@dataclass
class RatePlanForm(Cleaned):
    code: str = ""
    name: str = ""
    kind: str = "rack"
    discount_percent: str = "0"
    net_price: str = ""
    free_cancel_hours: str = "24"
    cancel_fee_kind: str = "first_night"
    cancel_fee_percent: str = "0"
    deposit_kind: str = "none"
    deposit_percent: str = "0"


@dataclass
class VoyageForm(Cleaned):
    code: str = ""
    ship: str = ""
    route: str = ""
    direction: str = "downstream"
    depart_on: str = ""
    arrive_on: str = ""
    embark_port: str = ""
    disembark_port: str = ""


@dataclass
class CalendarForm(Cleaned):
    unit_type_id: str = ""
    start: str = ""
    end: str = ""
    weekdays: list[str] | str = field(default_factory=list)
    total: str = ""
    price: str = ""
    closed: str = ""  # "" leave, "1" close, "0" open
    closed_to_arrival: str = ""
    min_stay: str = ""
    view_start: str = ""


def tri(value: str) -> bool | None:
    """A select with "leave as is" / yes / no."""
    return {"1": True, "0": False}.get((value or "").strip())


def percent_bp(errors: FormErrors, name: str, value: str) -> int:
    """Percent with up to two decimals as basis points."""
    bp = read_fen((value or "").strip() or "0", maximum=10000)  # two decimals, as with yuan
    if bp is None:
        errors[name] = translate("Between 0% and 100%.")
        return 0
    return bp


class CardForm(BaseModel):
    """The pay page's card: the payment it belongs to and Stripe.js's token."""

    payment_id: uuid.UUID
    token: str = Field(min_length=4, max_length=255, pattern=r"^[A-Za-z0-9_]+$")
