"""The partner API's bodies and answers (`/api/v1/distribution/...`): what an OTA or a
wholesaler sends and gets back. Money is integer fen; dates are ISO dates in the supplier's
calendar; every text field has a maximum length and refuses control characters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from app.errors import Invalid
from app.web.input import Cleaned, Text
from modules.distribution.schemas.booking import (
    MAX_QUANTITY,
    CatalogItem,
    ChangeRequest,
    OrderRequest,
    OrderView,
    PassengerIn,
    QuoteView,
)

MAX_PASSENGERS = 8


def _quantity(value: int) -> None:
    if isinstance(value, bool) or not 1 <= value <= MAX_QUANTITY:
        raise Invalid.field("quantity", "Book 1 to 20.")


@dataclass(frozen=True, slots=True)
class FieldErrorOut:
    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ErrorOut:
    """Every refusal: `code` for programs (`not_found`, `invalid`, `sold_out`,
    `insufficient_balance`, `idempotency_key_reused`, `order_not_open`, `not_changeable`,
    `no_agreement` …), `message` for people, `errors` per field on a 422."""

    code: str
    message: str
    errors: list[FieldErrorOut] | None = None


@dataclass(frozen=True)
class PrecheckIn(Cleaned):
    """Can this be booked, and at what price? Rooms: `arrival`..`departure` (nights),
    `quantity` rooms. Cabins: the product's voyage decides the dates. Day tickets:
    `quantity` tickets for `arrival`."""

    product_id: uuid.UUID
    arrival: date
    departure: date | None = None
    quantity: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantity(self.quantity)


@dataclass(frozen=True)
class PassengerApiIn(Cleaned):
    """One person sailing in a cabin, real-name: a resident ID (GB 11643), or a passport
    with birth date, sex (M/F) and nationality (ISO 3166 alpha-3)."""

    name: Annotated[str, Text(60)]
    id_type: Annotated[str, Text(20)] = "resident_id"
    id_number: Annotated[str, Text(40)] = ""
    sex: Annotated[str, Text(1)] = ""
    birth_date: date | None = None
    phone: Annotated[str, Text(32)] = ""
    nationality: Annotated[str, Text(3)] = ""


@dataclass(frozen=True)
class OrderIn(Cleaned):
    """An order for one product of the agreement. The `Idempotency-Key` header makes it
    safe to send again: the same key and body answer the first order; the same key with
    another body is 409 `idempotency_key_reused`. `external_ref` is your own order number,
    echoed in answers and callbacks."""

    product_id: uuid.UUID
    arrival: date
    departure: date | None = None
    quantity: int = 1
    adults: int = 1
    guest_name: Annotated[str, Text(100)] = ""
    guest_phone: Annotated[str, Text(32)] = ""
    id_type: Annotated[str, Text(20)] = "resident_id"
    id_number: Annotated[str, Text(40)] = ""
    passengers: list[PassengerApiIn] = field(default_factory=list)
    external_ref: Annotated[str, Text(64)] = ""
    notes: Annotated[str, Text(500)] = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        _quantity(self.quantity)
        if isinstance(self.adults, bool) or not 1 <= self.adults <= 20:
            raise Invalid.field("adults", "From 1 to 20 adults.")
        if len(self.passengers) > MAX_PASSENGERS:
            raise Invalid.field("passengers", "At most 8 passengers in one cabin.")

    def request(self, idempotency_key: str) -> OrderRequest:
        return OrderRequest(
            product_id=self.product_id,
            arrival=self.arrival,
            departure=self.departure,
            quantity=self.quantity,
            adults=self.adults,
            guest_name=self.guest_name,
            guest_phone=self.guest_phone,
            id_type=self.id_type,
            id_number=self.id_number,
            passengers=tuple(
                PassengerIn(
                    name=p.name,
                    id_type=p.id_type,
                    id_number=p.id_number,
                    sex=p.sex,
                    birth_date=p.birth_date,
                    phone=p.phone,
                    nationality=p.nationality,
                )
                for p in self.passengers
            ),
            idempotency_key=idempotency_key,
            external_ref=self.external_ref,
            notes=self.notes,
        )


@dataclass(frozen=True)
class ChangeIn(Cleaned):
    """New dates for a room or day-ticket order (a cabin sails on its voyage: cancel and
    book again). The number of rooms or tickets is fixed once booked."""

    arrival: date | None = None
    departure: date | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.arrival is None and self.departure is None:
            raise Invalid.field("arrival", "Give the new arrival or departure date.")

    def change(self) -> ChangeRequest:
        return ChangeRequest(arrival=self.arrival, departure=self.departure)


@dataclass(frozen=True)
class CancelIn(Cleaned):
    reason: Annotated[str, Text(200)] = ""


@dataclass(frozen=True, slots=True)
class ProductOut:
    """An authorised product for the asked dates: what is left, the tourist's sale price
    and your settlement price (null when not on sale those dates)."""

    product_id: uuid.UUID
    kind: str  # room | cabin | admission
    name: str
    arrival: date
    departure: date
    available: int
    sale_fen: int | None
    settlement_fen: int | None
    price_mode: str  # net | commission
    needs_passengers: bool
    capacity: int

    @classmethod
    def of(cls, item: CatalogItem) -> ProductOut:
        return cls(
            product_id=item.product_id,
            kind=item.kind,
            name=item.label,
            arrival=item.arrival,
            departure=item.departure,
            available=item.available,
            sale_fen=item.sale_fen,
            settlement_fen=item.settlement_fen,
            price_mode=item.price_mode,
            needs_passengers=item.needs_passengers,
            capacity=item.capacity,
        )


@dataclass(frozen=True, slots=True)
class PrecheckOut:
    """`bookable` false says why in `problem`. `available_fen`: what your prepaid balance
    or credit line still allows; `available_after_fen`: after this order."""

    product_id: uuid.UUID
    kind: str
    name: str
    arrival: date
    departure: date
    quantity: int
    available: int
    sale_fen: int
    settlement_fen: int
    payment_terms: str  # prepaid | credit
    available_fen: int
    available_after_fen: int
    bookable: bool
    problem: str

    @classmethod
    def of(cls, q: QuoteView) -> PrecheckOut:
        return cls(
            product_id=q.product_id,
            kind=q.kind,
            name=q.label,
            arrival=q.arrival,
            departure=q.departure,
            quantity=q.quantity,
            available=q.available,
            sale_fen=q.sale_fen,
            settlement_fen=q.settlement_fen,
            payment_terms=q.terms,
            available_fen=q.available_fen,
            available_after_fen=q.available_after_fen,
            bookable=q.bookable,
            problem=q.problem,
        )


@dataclass(frozen=True, slots=True)
class OrderOut:
    """An order as you see it. `status`: confirmed | cancelled | redeemed (the guest
    checked in, boarded or was admitted). `reservation_code`: what the guest shows."""

    number: str
    status: str
    product_id: uuid.UUID
    kind: str
    name: str
    arrival: date
    departure: date
    quantity: int
    sale_fen: int
    settlement_fen: int
    cancellation_fee_fen: int
    guest_name: str
    external_ref: str
    reservation_code: str
    created_at: datetime
    cancelled_at: datetime | None
    redeemed_at: datetime | None
    cabin_number: str
    passengers: list[str]

    @classmethod
    def of(cls, o: OrderView) -> OrderOut:
        return cls(
            number=o.number,
            status=o.status,
            product_id=o.product_id,
            kind=o.kind,
            name=o.label,
            arrival=o.arrival,
            departure=o.departure,
            quantity=o.quantity,
            sale_fen=o.sale_fen,
            settlement_fen=o.settlement_fen,
            cancellation_fee_fen=o.cancellation_fee_fen,
            guest_name=o.guest_name,
            external_ref=o.external_ref,
            reservation_code=o.reservation_code,
            created_at=o.created_at,
            cancelled_at=o.cancelled_at,
            redeemed_at=o.redeemed_at,
            cabin_number=o.cabin_number,
            passengers=list(o.passengers),
        )
