"""Views and console forms of distributors, agreements and authorised products."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from app.enums import LabelledEnum
from app.errors import Invalid
from app.i18n import gettext
from app.identifiers import normalize_uscc, uscc_problem
from app.web.input import Cleaned, Text, read_date, read_fen
from modules.distribution.domain import Cycle, PaymentTerms, PriceMode

MAX_CREDIT_FEN = 100_000_000_00  # ¥100,000,000
PHONE = re.compile(r"\+?[0-9\- ]{5,20}", re.ASCII)
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,185}\.[A-Za-z]{2,}")
URL = re.compile(r"https?://[^\s/]+(/\S*)?", re.ASCII)


class AgreementStatus(LabelledEnum):
    ACTIVE = "active", "In effect"
    SUSPENDED = "suspended", "Sales paused"
    ENDED = "ended", "Ended"


class DistributorKind(LabelledEnum):
    TENANT = "tenant", "Agency on the platform"
    EXTERNAL = "external", "External partner (API)"


class Errors:
    """Field messages collected while reading a form; `check()` refuses with all of them."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "code": "invalid", "message": message})

    def check(self) -> None:
        if self.items:
            raise Invalid(errors=self.items)

    def required(self, field: str, text: str) -> str:
        if not text.strip():
            self.add(field, gettext("This field is required."))
        return text.strip()

    def fen(
        self, field: str, text: str, *, positive: bool = False, maximum: int = MAX_CREDIT_FEN
    ) -> int:
        found = read_fen(text)
        if found is None or found < 0 or (positive and found <= 0) or found > maximum:
            self.add(field, gettext("Enter an amount in yuan, such as 688 or 688.50."))
            return 0
        return found

    def percent_bp(self, field: str, text: str) -> int:
        """A percentage such as 12 or 12.5, in basis points (0 to 100%)."""
        found = read_fen(text)  # two decimals, ASCII digits: the same shape as money
        if found is None or not 0 <= found <= 10_000:
            self.add(field, gettext("Enter a percentage from 0 to 100, such as 12 or 12.5."))
            return 0
        return found

    def day(self, field: str, text: str, *, required: bool = True) -> date | None:
        if not text.strip() and not required:
            return None
        found = read_date(text)
        if found is None:
            self.add(field, gettext("Enter a date as YYYY-MM-DD."))
        return found

    def choice(self, field: str, text: str, allowed: tuple[str, ...]) -> str:
        if text not in allowed:
            self.add(field, gettext("Choose one from the list."))
        return text

    def uuid(self, field: str, text: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(text.strip())
        except ValueError:
            self.add(field, gettext("Choose one from the list."))
            return None


# Views --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DistributorView:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    status: str
    partner_tenant_id: uuid.UUID | None
    upline_tenant_id: uuid.UUID | None
    credit_code: str
    contact_name: str
    contact_phone: str
    contact_email: str
    api_key_id: uuid.UUID | None
    callback_url: str
    has_callback_secret: bool


@dataclass(frozen=True, slots=True)
class AgreementView:
    id: uuid.UUID
    number: str
    supplier_tenant_id: uuid.UUID
    distributor_id: uuid.UUID
    partner_tenant_id: uuid.UUID | None
    upline_tenant_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    level: int
    status: str
    valid_from: date
    valid_to: date | None
    payment_terms: str
    credit_limit_fen: int
    cycle: str
    may_appoint: bool
    platform_fee_bp: int
    notes: str
    end_reason: str
    distributor_name: str = ""
    supplier_name: str = ""
    parent_status: str = ""  # a sub-agreement's upline agreement: sales stop while it is not active

    def in_force(self, on: date) -> bool:
        return (
            self.status == "active"
            and self.valid_from <= on
            and (self.valid_to is None or on <= self.valid_to)
        )


@dataclass(frozen=True, slots=True)
class ProductView:
    id: uuid.UUID
    agreement_id: uuid.UUID
    unit_type_id: uuid.UUID
    rate_plan_id: uuid.UUID | None
    voyage_id: uuid.UUID | None
    name: str
    kind: str
    price_mode: str
    net_price_fen: int | None
    commission_bp: int | None
    active: bool
    sale_fen: int | None = None  # the current sale price, where the page shows it


@dataclass(frozen=True, slots=True)
class ProductChoice:
    """Something the supplier sells that an agreement may authorise: `key` names it in a
    form (`<unit_type>:<rate_plan or ->:<voyage or ->`)."""

    key: str
    unit_type_id: uuid.UUID
    rate_plan_id: uuid.UUID | None
    voyage_id: uuid.UUID | None
    name: str
    kind: str
    sale_fen: int


@dataclass(frozen=True, slots=True)
class AgreementTerms:
    valid_from: date
    valid_to: date | None
    payment_terms: str
    credit_limit_fen: int
    cycle: str
    may_appoint: bool
    platform_fee_bp: int
    notes: str


@dataclass(frozen=True, slots=True)
class Price:
    mode: str
    net_fen: int | None
    commission_bp: int | None


# Forms --------------------------------------------------------------------------------


@dataclass
class DistributorForm(Cleaned):
    kind: Annotated[str, Text(10)] = "tenant"
    partner: Annotated[str, Text(40)] = ""  # the agency tenant's id (chosen from a search)
    name: Annotated[str, Text(100)] = ""
    credit_code: Annotated[str, Text(18)] = ""
    contact_name: Annotated[str, Text(60)] = ""
    contact_phone: Annotated[str, Text(32)] = ""
    contact_email: Annotated[str, Text(254)] = ""

    def parse(self) -> tuple[str, uuid.UUID | None, str, str, tuple[str, str, str]]:
        e = Errors()
        kind = e.choice("kind", self.kind, tuple(k.value for k in DistributorKind))
        partner = None
        name = self.name.strip()
        code = normalize_uscc(self.credit_code) if self.credit_code.strip() else ""
        if kind == DistributorKind.TENANT:
            partner = e.uuid("partner", self.partner) if self.partner.strip() else None
            if partner is None and not any(i["field"] == "partner" for i in e.items):
                e.add("partner", gettext("Choose an agency from the search."))
        elif kind == DistributorKind.EXTERNAL:
            e.required("name", name)
            problem = uscc_problem(code) if code else None
            if problem:
                e.add("credit_code", gettext(problem))
        phone = self.contact_phone.strip()
        if phone and not PHONE.fullmatch(phone):
            e.add("contact_phone", gettext("Enter a phone number in digits."))
        email = self.contact_email.strip()
        if email and not EMAIL.fullmatch(email):
            e.add("contact_email", gettext("Enter an e-mail address."))
        e.check()
        return kind, partner, name, code, (self.contact_name.strip(), phone, email)


@dataclass
class AgreementForm(Cleaned):
    distributor_id: Annotated[str, Text(40)] = ""
    valid_from: Annotated[str, Text(10)] = ""
    valid_to: Annotated[str, Text(10)] = ""
    payment_terms: Annotated[str, Text(8)] = "prepaid"
    credit_limit: Annotated[str, Text(16)] = ""
    cycle: Annotated[str, Text(8)] = "monthly"
    may_appoint: Annotated[str, Text(3)] = ""
    platform_fee: Annotated[str, Text(8)] = ""
    notes: Annotated[str, Text(500)] = ""

    def parse(self) -> tuple[uuid.UUID | None, AgreementTerms]:
        e = Errors()
        distributor = e.uuid("distributor_id", self.distributor_id)
        start = e.day("valid_from", self.valid_from)
        end = e.day("valid_to", self.valid_to, required=False)
        if start and end and end < start:
            e.add("valid_to", gettext("The end date is before the start date."))
        terms = e.choice("payment_terms", self.payment_terms, tuple(p.value for p in PaymentTerms))
        credit = 0
        if terms == PaymentTerms.CREDIT:
            credit = e.fen("credit_limit", self.credit_limit, positive=True)
        elif self.credit_limit.strip() and read_fen(self.credit_limit) not in (0, None):
            e.add("credit_limit", gettext("A credit limit goes with credit terms only."))
        cycle = e.choice("cycle", self.cycle, tuple(c.value for c in Cycle))
        fee = e.percent_bp("platform_fee", self.platform_fee) if self.platform_fee.strip() else 0
        e.check()
        assert start is not None
        return distributor, AgreementTerms(
            start,
            end,
            terms,
            credit,
            cycle,
            self.may_appoint in ("on", "1", "yes"),
            fee,
            self.notes.strip(),
        )


@dataclass
class AmendForm(Cleaned):
    """What may change in a signed agreement: its end, the credit limit (credit terms), notes.
    Payment terms and the cycle stay as signed (statements and balances depend on them)."""

    valid_to: Annotated[str, Text(10)] = ""
    credit_limit: Annotated[str, Text(16)] = ""
    notes: Annotated[str, Text(500)] = ""

    def parse(self) -> tuple[date | None, int | None, str]:
        e = Errors()
        end = e.day("valid_to", self.valid_to, required=False)
        limit = e.fen("credit_limit", self.credit_limit) if self.credit_limit.strip() else None
        e.check()
        return end, limit, self.notes.strip()


@dataclass
class PriceForm(Cleaned):
    product: Annotated[str, Text(120)] = ""  # a ProductChoice key
    price_mode: Annotated[str, Text(10)] = "net"
    net_price: Annotated[str, Text(16)] = ""
    commission: Annotated[str, Text(8)] = ""

    def parse(self) -> tuple[str, Price]:
        e = Errors()
        key = e.required("product", self.product)
        mode = e.choice("price_mode", self.price_mode, tuple(m.value for m in PriceMode))
        if mode == PriceMode.NET:
            price = Price(mode, e.fen("net_price", self.net_price, positive=True), None)
        else:
            price = Price(mode, None, e.percent_bp("commission", self.commission))
        e.check()
        return key, price


@dataclass
class EndForm(Cleaned):
    reason: Annotated[str, Text(200)] = ""

    def parse(self) -> str:
        e = Errors()
        reason = e.required("reason", self.reason)
        e.check()
        return reason


@dataclass
class CallbackForm(Cleaned):
    callback_url: Annotated[str, Text(500)] = ""

    def parse(self) -> str:
        e = Errors()
        url = self.callback_url.strip()
        if url and not URL.fullmatch(url):
            e.add("callback_url", gettext("Enter an address starting with https://."))
        e.check()
        return url


@dataclass
class AppointForm(Cleaned):
    """A first-level distributor appoints a sub-distributor: the agency, the end date (within
    its own agreement's), and the sub-distributor's price for each product."""

    partner: Annotated[str, Text(40)] = ""
    valid_to: Annotated[str, Text(10)] = ""

    def parse(self) -> tuple[uuid.UUID | None, date | None]:
        e = Errors()
        partner = e.uuid("partner", self.partner)
        end = e.day("valid_to", self.valid_to, required=False)
        e.check()
        return partner, end
