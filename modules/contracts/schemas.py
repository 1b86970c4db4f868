"""What the contracts module hands to other modules and pages (views), and the draft form
it reads. Other modules import these through `modules.contracts.service`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.errors import Invalid
from modules.contracts import domain


@dataclass(frozen=True, slots=True)
class PersonInput:
    name: str
    id_type: str
    id_number: str
    phone: str = ""
    is_lead: bool = False


@dataclass(frozen=True, slots=True)
class DayInput:
    day_no: int
    route: str = ""
    sights: str = ""
    transport: str = ""
    lodging: str = ""
    meals: str = ""
    free_time: str = ""


@dataclass(frozen=True, slots=True)
class DraftInput:
    """A draft as typed by an agent: every field optional except the contract type, so a
    draft can be saved half-done; the completeness check says what is still missing."""

    contract_type: str = "domestic_group"
    route_name: str = ""
    departure: str = ""
    destinations: tuple[str, ...] = ()
    start_date: date | None = None
    end_date: date | None = None
    nights: int | None = None
    min_group_size: int | None = None
    transport_standard: str = ""
    lodging_standard: str = ""
    meal_standard: str = ""
    free_time: str = ""
    price_total_fen: int | None = None
    payment_deadline: date | None = None
    payment_method: str = ""
    insurance: str = ""
    insurer: str = ""
    policy_no: str = ""
    dispute_resolution: str = ""
    dispute_body: str = ""
    sold_by_agent: bool = False
    selling_agency: str = ""
    delegated: bool = False
    ground_operator: str = ""
    guide_ids: tuple[uuid.UUID, ...] = ()
    guide_fee_fen: int | None = None
    agency_licence_no: str = ""
    agency_address: str = ""
    agency_phone: str = ""
    lead_phone: str = ""
    lead_email: str = ""
    other_terms: str = ""
    tourists: tuple[PersonInput, ...] = ()
    days: tuple[DayInput, ...] = ()


TEXT_FIELDS = (
    "route_name", "departure", "transport_standard", "lodging_standard", "meal_standard",
    "free_time", "payment_method", "insurance", "insurer", "policy_no", "dispute_resolution",
    "dispute_body", "selling_agency", "ground_operator", "agency_licence_no", "agency_address",
    "agency_phone", "lead_phone", "lead_email", "other_terms",
)  # fmt: skip
DAY_FIELDS = ("route", "sights", "transport", "lodging", "meals", "free_time")
Form = Mapping[str, Sequence[str]]


class _Reader:
    """Reads a multi-valued form, collecting every problem instead of stopping at one."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.errors: list[dict[str, str]] = []

    def one(self, name: str) -> str:
        values = self.form.get(name) or [""]
        return str(values[0]).strip()

    def many(self, name: str) -> list[str]:
        return [str(v).strip() for v in self.form.get(name) or []]

    def fail(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "code": "invalid", "message": message})

    def typed(self, name: str, value: str, parse: Callable[[str], Any], message: str) -> Any:
        if not value:
            return None
        try:
            return parse(value)
        except ValueError:
            self.fail(name, message)
            return None

    def day(self, name: str) -> date | None:
        return self.typed(name, self.one(name), date.fromisoformat, "Enter a date (YYYY-MM-DD).")

    def count(self, name: str) -> int | None:
        value: int | None = self.typed(name, self.one(name), int, "Enter a whole number.")
        if value is not None and not 0 <= value <= 10_000:
            self.fail(name, "Enter a whole number.")
            return None
        return value

    def money(self, name: str) -> int | None:
        text = self.one(name)
        if not text:
            return None
        fen = domain.parse_yuan(text)
        if fen is None:
            self.fail(name, "Enter an amount in yuan, such as 3980 or 3980.50.")
        return fen

    def uuids(self, name: str) -> tuple[uuid.UUID, ...]:
        found = []
        for value in self.many(name):
            try:
                found.append(uuid.UUID(value))
            except ValueError:
                self.fail(name, "Choose from the list.")
        return tuple(dict.fromkeys(found))


def _tourists(r: _Reader) -> tuple[PersonInput, ...]:
    names, types, numbers, phones = (
        r.many("t_name"), r.many("t_id_type"), r.many("t_id_number"), r.many("t_phone")
    )  # fmt: skip
    keys, lead = r.many("t_key"), r.one("lead_key") or r.one("lead_index") or "0"
    rows = []
    for i, name in enumerate(names):
        number = numbers[i] if i < len(numbers) else ""
        if not name and not number:
            continue  # an empty row added and left blank
        rows.append(
            PersonInput(
                name=name,
                id_type=types[i] if i < len(types) else "resident_id",
                id_number=number.upper(),
                phone=phones[i] if i < len(phones) else "",
                is_lead=(keys[i] if i < len(keys) else str(i)) == lead,
            )
        )
    if rows and not any(p.is_lead for p in rows):
        first = rows[0]
        rows[0] = PersonInput(first.name, first.id_type, first.id_number, first.phone, True)
    return tuple(rows)


def _days(r: _Reader) -> tuple[DayInput, ...]:
    columns = {f: r.many(f"d_{f}") for f in DAY_FIELDS}
    count = max((len(v) for v in columns.values()), default=0)
    rows: list[DayInput] = []
    for i in range(count):
        values = {f: (columns[f][i] if i < len(columns[f]) else "") for f in DAY_FIELDS}
        if any(values.values()):
            rows.append(DayInput(day_no=len(rows) + 1, **values))
    return tuple(rows)


def parse_draft_form(form: Form) -> DraftInput:
    """The draft form (tourists and days as repeated row fields) into a DraftInput, or
    Invalid with every field that could not be read."""
    r = _Reader(form)
    destinations = tuple(d for d in re.split(r"[,，、;；\n]+", r.one("destinations")) if d.strip())
    values: dict[str, Any] = {name: r.one(name) for name in TEXT_FIELDS}
    values.update(
        contract_type=r.one("contract_type") or "domestic_group",
        destinations=tuple(d.strip() for d in destinations),
        start_date=r.day("start_date"),
        end_date=r.day("end_date"),
        nights=r.count("nights"),
        min_group_size=r.count("min_group_size"),
        price_total_fen=r.money("price_total"),
        guide_fee_fen=r.money("guide_fee"),
        payment_deadline=r.day("payment_deadline"),
        sold_by_agent=r.one("sold_by_agent") in ("1", "on", "true"),
        delegated=r.one("delegated") in ("1", "on", "true"),
        guide_ids=r.uuids("guide_ids"),
        tourists=_tourists(r),
        days=_days(r),
    )
    if r.errors:
        raise Invalid(errors=r.errors)
    return DraftInput(**values)


@dataclass(frozen=True, slots=True)
class CancelInput:
    canceller: str
    reason: str
    notice_date: date | None
    actual_cost_fen: int | None = None


def parse_cancel_form(form: Form) -> CancelInput:
    r = _Reader(form)
    found = CancelInput(
        canceller=r.one("canceller"),
        reason=r.one("reason"),
        notice_date=r.day("notice_date"),
        actual_cost_fen=r.money("actual_cost"),
    )
    if r.errors:
        raise Invalid(errors=r.errors)
    return found


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilingState:
    """Where a contract's filing with the bureau stands (read from the filings module)."""

    filing_id: uuid.UUID
    kind: str
    state: str  # held | waiting | pending | paused | accepted | rejected | conflicted | superseded
    receipt_no: str | None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class SigningView:
    """What the tourist sees on the phone before signing: exactly the frozen text."""

    contract_id: uuid.UUID
    status: str
    version: int
    document_html: str  # safe HTML rendered by our template from the frozen snapshot
    document_sha256: str
    agency_name: str
    lead_name: str
    masked_phone: str
    e_number: str | None
    code_sent_at: datetime | None
    code_expires_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class PublicContractView:
    """What anyone holding the e-number and its verification code may see."""

    e_number: str
    status: str
    agency_name: str
    start_date: date | None
    end_date: date | None
    tourist_count: int
    lead_name_masked: str
    tourists_masked: tuple[str, ...]
    filing_state: str | None
    receipt_no: str | None
    has_pdf: bool
    signed_at: datetime | None
    route_name: str = ""
    version: int = 1


@dataclass(frozen=True, slots=True)
class ContractSummary:
    """A signed contract as the groups module sees it."""

    id: uuid.UUID
    e_number: str | None
    status: str
    start_date: date | None
    end_date: date | None
    tourist_count: int
    lead_name: str
    destinations: tuple[str, ...]
    route_name: str = ""


@dataclass(frozen=True, slots=True)
class ContractRow:
    id: uuid.UUID
    e_number: str | None
    status: str
    contract_type: str
    route_name: str
    start_date: date | None
    end_date: date | None
    tourist_count: int
    lead_name: str
    price_total_fen: int | None
    filing: FilingState | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ContractList:
    rows: tuple[ContractRow, ...]
    status: str | None
    filing_state: str | None
    date_from: date | None
    date_to: date | None
    search: str
    page: int
    has_next: bool
    counts: dict[str, int] = field(default_factory=dict)
