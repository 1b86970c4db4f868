"""Packages an agency sells across enterprises: the sale form (composed at the counter),
what the saga needs for each part, and the views the console shows."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from app.enums import LabelledEnum
from app.errors import Invalid
from app.i18n import gettext
from app.identifiers import resident_id_problem
from app.web.input import Cleaned, Secret, Text, read_date, read_fen, read_int

MAX_PARTS = 4
MAX_TRAVELLERS = 9
MAX_NIGHTS = 30
MAX_TOTAL_FEN = 100_000_000  # ¥1,000,000 for one package
PHONE = re.compile(r"\+?[0-9][0-9\- ]{4,19}", re.ASCII)


class PackageStatus(LabelledEnum):
    BOOKING = "booking", "Being booked"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Package failed"
    CANCELLED = "cancelled", "Cancelled"


class PartStatus(LabelledEnum):
    PENDING = "pending", "Waiting for its turn"
    BOOKED = "booked", "Booked at the supplier"
    FAILED = "failed", "Refused by the supplier"
    COMPENSATED = "compensated", "Released (package failed)"
    CANCELLED = "cancelled", "Cancelled"


class PriceBasis(LabelledEnum):
    PERSON = "person", "Per person"
    PACKAGE = "package", "Per package"


@dataclass(frozen=True, slots=True)
class Traveller:
    name: str
    id_number: str


@dataclass(frozen=True, slots=True)
class PartRequest:
    """One part as the agent composed it: which of its suppliers' authorised products (the
    agreement names the supplier), the dates and how many. Kept on the part (JSON) so a
    resumed saga books exactly what was sold."""

    agreement_id: uuid.UUID
    product_id: uuid.UUID
    arrival: date
    nights: int
    quantity: int

    @property
    def departure(self) -> date:
        return self.arrival + timedelta(days=max(self.nights, 1))

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement_id": str(self.agreement_id),
            "product_id": str(self.product_id),
            "arrival": self.arrival.isoformat(),
            "nights": self.nights,
            "quantity": self.quantity,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PartRequest:
        return cls(
            agreement_id=uuid.UUID(data["agreement_id"]),
            product_id=uuid.UUID(data["product_id"]),
            arrival=date.fromisoformat(data["arrival"]),
            nights=int(data["nights"]),
            quantity=int(data["quantity"]),
        )


@dataclass(frozen=True, slots=True)
class PackageSale:
    """A package sold to a tourist: the lead (real name, phone), everyone travelling (real
    names for the cruise), the agency's own price, and the parts."""

    name: str
    lead: Traveller
    phone: str
    travellers: tuple[Traveller, ...]
    total_fen: int
    parts: tuple[PartRequest, ...]
    key: str
    card_token: str


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, name: str, message: str) -> None:
        self.items.append({"field": name, "code": "invalid", "message": message})

    def check(self) -> None:
        if self.items:
            raise Invalid(errors=self.items)


@dataclass
class PackageSaleForm(Cleaned):
    """The 打包产品 sale form. Each part is `pN_product` ("<agreement id>:<product id>",
    a choice from the agency's authorised products), `pN_arrival`, `pN_nights` (0 for a
    day ticket or a cruise: the product's own length applies), `pN_quantity`."""

    name: Annotated[str, Text(100)] = ""
    tourist_name: Annotated[str, Text(50)] = ""
    tourist_id: Annotated[str, Text(18)] = ""
    tourist_phone: Annotated[str, Text(20)] = ""
    companions: Annotated[str, Text(600, multiline=True)] = ""
    basis: Annotated[str, Text(10)] = "person"
    price: Annotated[str, Text(16)] = ""
    key: Annotated[str, Text(64)] = ""
    card_token: Secret = ""
    p1_product: Annotated[str, Text(80)] = ""
    p1_arrival: Annotated[str, Text(10)] = ""
    p1_nights: Annotated[str, Text(3)] = ""
    p1_quantity: Annotated[str, Text(3)] = ""
    p2_product: Annotated[str, Text(80)] = ""
    p2_arrival: Annotated[str, Text(10)] = ""
    p2_nights: Annotated[str, Text(3)] = ""
    p2_quantity: Annotated[str, Text(3)] = ""
    p3_product: Annotated[str, Text(80)] = ""
    p3_arrival: Annotated[str, Text(10)] = ""
    p3_nights: Annotated[str, Text(3)] = ""
    p3_quantity: Annotated[str, Text(3)] = ""
    p4_product: Annotated[str, Text(80)] = ""
    p4_arrival: Annotated[str, Text(10)] = ""
    p4_nights: Annotated[str, Text(3)] = ""
    p4_quantity: Annotated[str, Text(3)] = ""

    def values(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if k != "card_token"}

    def parse(self, today: date) -> PackageSale:
        e = _Errors()
        name = self.name
        if not name:
            e.add("name", gettext("This field is required."))
        lead = _traveller(e, "tourist", self.tourist_name, self.tourist_id)
        if not PHONE.fullmatch(self.tourist_phone):
            e.add("tourist_phone", gettext("Enter a phone number in digits."))
        travellers = (lead, *_companions(e, self.companions))
        basis = self.basis if self.basis in ("person", "package") else ""
        if not basis:
            e.add("basis", gettext("Choose one from the list."))
        price = read_fen(self.price)
        if price is None or price <= 0:
            e.add("price", gettext("Enter an amount in yuan, such as 688 or 688.50."))
            price = 0
        total = price * len(travellers) if basis == "person" else price
        if total > MAX_TOTAL_FEN:
            e.add("price", gettext("At most ¥1,000,000.00 for one package."))
        parts = tuple(p for n in range(1, MAX_PARTS + 1) if (p := self._part(e, n, today)))
        if not parts and not any(i["field"].startswith("p") for i in e.items):
            e.add("p1_product", gettext("Add at least one product to the package."))
        if not re.fullmatch(r"[0-9A-Za-z\-]{8,64}", self.key, re.ASCII):
            e.add("key", gettext("Reload the page and submit the form again."))
        e.check()
        return PackageSale(
            name=name,
            lead=lead,
            phone=self.tourist_phone,
            travellers=travellers,
            total_fen=total,
            parts=parts,
            key=self.key,
            card_token=self.card_token.strip(),
        )

    def _part(self, e: _Errors, n: int, today: date) -> PartRequest | None:
        raw = getattr(self, f"p{n}_product")
        if not raw:
            return None
        ids = _ids(raw)
        if ids is None:
            e.add(f"p{n}_product", gettext("Choose one from the list."))
        arrival = read_date(getattr(self, f"p{n}_arrival"))
        if arrival is None or arrival < today:
            e.add(f"p{n}_arrival", gettext("Choose a date from today on."))
        nights = read_int(getattr(self, f"p{n}_nights") or "0", minimum=0, maximum=MAX_NIGHTS)
        if nights is None:
            e.add(
                f"p{n}_nights",
                gettext("Enter a whole number from %(low)s to %(high)s.", low=0, high=MAX_NIGHTS),
            )
        quantity = read_int(getattr(self, f"p{n}_quantity") or "1", minimum=1, maximum=20)
        if quantity is None:
            e.add(
                f"p{n}_quantity",
                gettext("Enter a whole number from %(low)s to %(high)s.", low=1, high=20),
            )
        if ids is None or arrival is None or nights is None or quantity is None:
            return None
        return PartRequest(ids[0], ids[1], arrival, nights, quantity)


def _ids(raw: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    agreement, _, product = raw.partition(":")
    try:
        return uuid.UUID(agreement), uuid.UUID(product)
    except ValueError:
        return None


def _traveller(e: _Errors, prefix: str, name: str, id_number: str) -> Traveller:
    if not name:
        e.add(f"{prefix}_name", gettext("This field is required."))
    number = id_number.strip().upper()
    problem = resident_id_problem(number)
    if problem:
        e.add(f"{prefix}_id", gettext(problem))
    return Traveller(name, number)


def _companions(e: _Errors, text: str) -> list[Traveller]:
    """One companion a line: name, then the resident ID number (space or comma between)."""
    found: list[Traveller] = []
    for line in (x.strip() for x in text.splitlines()):
        if not line:
            continue
        name, _, number = line.replace(",", " ").replace("，", " ").rpartition(" ")
        number = number.strip().upper()
        if not name.strip() or len(name.strip()) > 50 or resident_id_problem(number):
            e.add("companions", gettext("Write each companion as: name, ID number."))
            return found
        found.append(Traveller(name.strip(), number))
    if len(found) + 1 > MAX_TRAVELLERS:
        e.add("companions", gettext("At most %(n)s people in one package.", n=MAX_TRAVELLERS))
    return found


@dataclass(frozen=True, slots=True)
class PartView:
    seq: int
    supplier_name: str
    description: str
    status: str
    order_number: str
    sale_fen: int
    settlement_fen: int
    error: str
    request: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PackageView:
    id: uuid.UUID
    number: str
    name: str
    status: str
    tourist_name: str
    tourist_phone: str
    total_fen: int
    failure: str
    created_at: datetime
    payment_status: str = ""
    parts: list[PartView] = field(default_factory=list)

    @property
    def settlement_fen(self) -> int:
        return sum(p.settlement_fen for p in self.parts if p.status == "booked")


@dataclass(frozen=True, slots=True)
class ProductChoice:
    """One of the agency's suppliers' authorised products, as the sale form lists it."""

    value: str  # "<agreement id>:<product id>"
    supplier_tenant_id: uuid.UUID
    supplier_name: str
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class SaleFormView:
    """What the sale form offers: the products, and the card field's provider settings."""

    choices: list[ProductChoice]
    publishable_key: str
    js_url: str
    stripe_account: str = ""  # the agency's connected account: the hold is a direct charge
