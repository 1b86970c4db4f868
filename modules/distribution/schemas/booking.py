"""What a distributor asks to book, and what it is shown: the catalogue of its authorised
products for dates, a precheck (quote), and its orders. Used by the agency's 分销采购 page,
the partner API and packages alike."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from app.errors import Invalid
from app.web.input import Cleaned, Text, read_date, read_int

MAX_QUANTITY = 20
MAX_NIGHTS = 30


@dataclass(frozen=True)
class PassengerIn(Cleaned):
    """One person of a cruise cabin, real-name (a resident ID by GB 11643, or a passport
    with birth date, sex and nationality)."""

    name: Annotated[str, Text(60)]
    id_type: Annotated[str, Text(20)] = "resident_id"
    id_number: Annotated[str, Text(40)] = ""
    sex: Annotated[str, Text(1)] = ""
    birth_date: date | None = None
    phone: Annotated[str, Text(32)] = ""
    nationality: Annotated[str, Text(3)] = ""


@dataclass(frozen=True)
class OrderRequest(Cleaned):
    """One product of one agreement for a tourist. Rooms: `arrival`..`departure`, `quantity`
    rooms. Cruise cabins: one cabin on the product's voyage (its dates), `passengers` each
    real-name, the first the lead. Spa day tickets: `quantity` tickets for `arrival`.
    `idempotency_key`: the same key with the same request gives back the first order."""

    product_id: uuid.UUID
    arrival: date
    departure: date | None = None
    quantity: int = 1
    adults: int = 1
    guest_name: Annotated[str, Text(100)] = ""
    guest_phone: Annotated[str, Text(32)] = ""
    id_type: Annotated[str, Text(20)] = "resident_id"
    id_number: Annotated[str, Text(40)] = ""
    passengers: tuple[PassengerIn, ...] = ()
    idempotency_key: Annotated[str, Text(100)] = ""
    external_ref: Annotated[str, Text(64)] = ""
    notes: Annotated[str, Text(500)] = ""

    def digest(self) -> str:
        """The request's fingerprint without its key: a replayed key must carry the same."""
        data = asdict(self)
        data.pop("idempotency_key")
        body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """New dates and/or quantity for a room or ticket order (cabins cannot change)."""

    arrival: date | None = None
    departure: date | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """An authorised product as the distributor sees it for the asked dates: what is left,
    the sale price of the stay and its own settlement price (None when not on sale)."""

    product_id: uuid.UUID
    agreement_id: uuid.UUID
    kind: str  # room, cabin, admission
    label: str
    arrival: date
    departure: date
    available: int
    sale_fen: int | None
    settlement_fen: int | None
    price_mode: str
    net_price_fen: int | None
    commission_bp: int | None
    needs_passengers: bool = False
    capacity: int = 1

    @property
    def on_sale(self) -> bool:
        return self.available > 0 and self.sale_fen is not None


@dataclass(frozen=True, slots=True)
class QuoteView:
    """The precheck: whether it can be booked, at what sale and settlement price, and the
    distributor's balance (prepaid) or credit left, before and after."""

    product_id: uuid.UUID
    kind: str
    label: str
    arrival: date
    departure: date
    quantity: int
    available: int
    sale_fen: int
    settlement_fen: int
    terms: str
    balance_fen: int  # prepaid: held; credit: used
    available_fen: int  # what may still be spent
    available_after_fen: int
    bookable: bool
    problem: str = ""


@dataclass(frozen=True, slots=True)
class OrderView:
    id: uuid.UUID
    number: str
    status: str
    supplier_id: uuid.UUID
    agreement_id: uuid.UUID
    distributor_id: uuid.UUID
    product_id: uuid.UUID
    kind: str
    label: str
    arrival: date
    departure: date
    quantity: int
    sale_fen: int
    settlement_fen: int
    cancellation_fee_fen: int
    guest_name: str
    external_ref: str
    reservation_id: uuid.UUID | None
    reservation_code: str
    created_at: datetime
    cancelled_at: datetime | None
    redeemed_at: datetime | None
    cabin_number: str = ""
    passengers: tuple[str, ...] = field(default_factory=tuple)

    def callback_data(self) -> dict[str, Any]:
        """What the distributor's system is told about the order (callbacks add its state
        and sequence)."""
        return {
            "order_id": str(self.id),
            "external_ref": self.external_ref,
            "product_id": str(self.product_id),
            "arrival": self.arrival.isoformat(),
            "departure": self.departure.isoformat(),
            "quantity": self.quantity,
            "sale_fen": self.sale_fen,
            "settlement_fen": self.settlement_fen,
            "cancellation_fee_fen": self.cancellation_fee_fen,
            "reservation_code": self.reservation_code,
        }


# The agency's booking form (分销采购) ---------------------------------------------------------

PASSENGER_SLOTS = 4


@dataclass
class BookForm(Cleaned):
    """The form an agent fills for a tourist: who (real-name where the product needs it)
    and how many; the product and dates come from the catalogue. `key` is issued with the
    form, so a double submit books once."""

    product_id: Annotated[str, Text(40)] = ""
    arrival: Annotated[str, Text(10)] = ""
    departure: Annotated[str, Text(10)] = ""
    quantity: Annotated[str, Text(3)] = "1"
    adults: Annotated[str, Text(3)] = "1"
    guest_name: Annotated[str, Text(100)] = ""
    guest_phone: Annotated[str, Text(32)] = ""
    id_number: Annotated[str, Text(40)] = ""
    notes: Annotated[str, Text(500)] = ""
    key: Annotated[str, Text(100)] = ""
    pax1_name: Annotated[str, Text(60)] = ""
    pax1_id: Annotated[str, Text(40)] = ""
    pax1_phone: Annotated[str, Text(32)] = ""
    pax2_name: Annotated[str, Text(60)] = ""
    pax2_id: Annotated[str, Text(40)] = ""
    pax3_name: Annotated[str, Text(60)] = ""
    pax3_id: Annotated[str, Text(40)] = ""
    pax4_name: Annotated[str, Text(60)] = ""
    pax4_id: Annotated[str, Text(40)] = ""

    def passengers(self) -> tuple[PassengerIn, ...]:
        rows = [
            (self.pax1_name, self.pax1_id, self.pax1_phone),
            (self.pax2_name, self.pax2_id, ""),
            (self.pax3_name, self.pax3_id, ""),
            (self.pax4_name, self.pax4_id, ""),
        ]
        return tuple(PassengerIn(n, id_number=i, phone=p) for n, i, p in rows if n or i)

    def parse(self) -> OrderRequest:
        errors: list[dict[str, str]] = []

        def bad(name: str, message: str) -> None:
            errors.append({"field": name, "code": "invalid", "message": message})

        try:
            product_id = uuid.UUID(self.product_id)
        except ValueError:
            product_id = uuid.UUID(int=0)
            bad("product_id", "Choose a product.")
        arrival = read_date(self.arrival)
        if arrival is None:
            bad("arrival", "Enter a date as 2026-12-24.")
        departure = read_date(self.departure) if self.departure else None
        if self.departure and departure is None:
            bad("departure", "Enter a date as 2026-12-24.")
        quantity = read_int(self.quantity, minimum=1, maximum=MAX_QUANTITY)
        if quantity is None:
            bad("quantity", "Enter a whole number from 1 to 20.")
        adults = read_int(self.adults or "1", minimum=1, maximum=99) or 1
        if not self.key:
            bad("key", "Open the booking form again.")
        if errors:
            raise Invalid(errors=errors)
        assert arrival is not None and quantity is not None
        return OrderRequest(
            product_id=product_id,
            arrival=arrival,
            departure=departure,
            quantity=quantity,
            adults=adults,
            guest_name=self.guest_name or self.pax1_name,
            guest_phone=self.guest_phone or self.pax1_phone,
            id_number=self.id_number,
            passengers=self.passengers(),
            idempotency_key=self.key,
            notes=self.notes,
        )
