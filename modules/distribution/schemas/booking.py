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

from app.web.input import Cleaned, Text

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
