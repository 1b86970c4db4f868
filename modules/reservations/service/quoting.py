"""Quoting: a stay priced night by night under a rate plan and checked against the
calendar's restrictions, and the availability search over every type."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid
from modules.reservations import domain
from modules.reservations.domain import DayTerms, PlanTerms, VoyageStatus
from modules.reservations.repository import BookingRepository
from modules.reservations.schemas import NightPrice, Offer
from modules.reservations.service.errors import NotBookable, SoldOut
from modules.reservations.service.views import terms


@dataclass(frozen=True, slots=True)
class Quote:
    """A stay priced under a plan, ready to be sold."""

    unit_type_id: uuid.UUID
    unit_type_code: str
    unit_type_name: str
    kind: str
    voyage_id: uuid.UUID | None
    rate_plan_id: uuid.UUID
    rate_plan_code: str
    rate_plan_name: str
    plan: PlanTerms
    days: tuple[DayTerms, ...]
    nights: tuple[tuple[date, int], ...]  # per unit
    total_fen: int
    deposit_fen: int


def _day(row: Any) -> DayTerms:
    return DayTerms(
        day=row.day,
        total=row.total,
        sold=row.sold,
        price_fen=row.price_fen,
        closed=row.closed,
        closed_to_arrival=row.closed_to_arrival,
        min_stay=row.min_stay,
    )


def _check_problem(problem: str | None) -> None:
    if problem is None:
        return
    message = domain.PROBLEM_MESSAGES[problem]
    if problem in ("no_nights", "too_long"):
        raise Invalid.field("departure", message, problem)
    if problem == "sold_out":
        raise SoldOut()
    raise NotBookable(message, code=problem)


async def quote(
    repo: BookingRepository,
    *,
    unit_type_id: uuid.UUID,
    rate_plan_id: uuid.UUID,
    arrival: date,
    departure: date,
    adults: int,
    children: int,
    quantity: int = 1,
    own: dict[date, int] | None = None,
) -> Quote:
    """Price a stay and check it can be sold; `own` gives back units this reservation
    already holds per date (when it is being modified)."""
    check_request(arrival, departure, quantity)
    rows = await repo.quote(unit_type_id, rate_plan_id, arrival, departure)
    return price_rows(
        rows,
        arrival=arrival,
        departure=departure,
        adults=adults,
        children=children,
        quantity=quantity,
        own=own,
    )


def check_request(arrival: date, departure: date, quantity: int) -> None:
    if departure <= arrival:
        _check_problem("no_nights")
    if not 1 <= quantity <= 20:
        raise Invalid.field("quantity", "Book between 1 and 20 units at a time.")


def price_rows(
    rows: Sequence[Any],
    *,
    arrival: date,
    departure: date,
    adults: int,
    children: int,
    quantity: int = 1,
    own: dict[date, int] | None = None,
) -> Quote:
    """A quote from the repository's quote rows (the type, the plan, one row per date)."""
    if not rows:
        raise Invalid.field("unit_type_id", "Unknown unit type or rate plan.", "unknown")
    head = rows[0]
    if not head.active or not head.plan_active:
        raise Invalid.field("unit_type_id", "This unit type or rate plan is not on sale.")
    if head.voyage_id is not None:
        if head.voyage_status != VoyageStatus.SCHEDULED:
            raise NotBookable("This voyage is cancelled.", code="voyage_cancelled")
        if (arrival, departure) != (head.depart_on, head.arrive_on):
            raise Invalid.field("arrival", "Cabins are sold for the whole voyage.", "voyage")
    if not domain.fits_party(head.capacity, quantity, adults, children):
        raise Invalid.field("adults", "Too many guests for this unit type.", "capacity")
    given = own or {}
    days = [_day(r) for r in rows if r.day is not None]
    days = [
        DayTerms(
            d.day,
            d.total,
            d.sold - given.get(d.day, 0),
            d.price_fen,
            d.closed,
            d.closed_to_arrival,
            d.min_stay,
        )
        for d in days
    ]
    _check_problem(
        domain.stay_problem(days, arrival=arrival, departure=departure, quantity=quantity)
    )
    plan = terms(_PlanRow(head))
    nights = domain.price_nights([(d.day, d.price_fen) for d in days], plan)
    return Quote(
        unit_type_id=head.unit_type_id,
        unit_type_code=head.code,
        unit_type_name=head.name,
        kind=head.kind,
        voyage_id=head.voyage_id,
        rate_plan_id=head.rate_plan_id,
        rate_plan_code=head.plan_code,
        rate_plan_name=head.plan_name,
        plan=plan,
        days=tuple(days),
        nights=tuple(nights),
        total_fen=domain.stay_total(nights, quantity),
        deposit_fen=domain.deposit_due(plan, nights, quantity),
    )


class _PlanRow:
    """The plan columns of a quote row under the names `terms` reads."""

    def __init__(self, row: Any) -> None:
        self.kind = row.plan_kind
        self.discount_bp = row.discount_bp
        self.net_price_fen = row.net_price_fen
        self.free_cancel_hours = row.free_cancel_hours
        self.cancel_fee_kind = row.cancel_fee_kind
        self.cancel_fee_bp = row.cancel_fee_bp
        self.deposit_kind = row.deposit_kind
        self.deposit_bp = row.deposit_bp


async def offers(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    arrival: date,
    departure: date,
    adults: int,
    children: int,
    quantity: int,
    kind: str | None,
    voyage_id: uuid.UUID | None,
    plan_row: Any,
) -> list[Offer]:
    """Every type that can be sold for these dates and this party, priced under the plan."""
    rows = await BookingRepository(db, tenant_id).availability(arrival, departure, kind, voyage_id)
    plan = terms(plan_row)
    policy = domain.describe_cancellation(plan, sailing=voyage_id is not None or kind == "cabin")
    result: list[Offer] = []
    for group in _by_type(rows):
        head = group[0]
        if head.voyage_id is not None and (
            head.voyage_status != VoyageStatus.SCHEDULED
            or (arrival, departure) != (head.depart_on, head.arrive_on)
        ):
            continue
        if not domain.fits_party(head.capacity, quantity, adults, children):
            continue
        days = [_day(r) for r in group]
        if domain.stay_problem(days, arrival=arrival, departure=departure, quantity=quantity):
            continue
        nights = domain.price_nights([(d.day, d.price_fen) for d in days], plan)
        result.append(
            Offer(
                unit_type_id=head.id,
                code=head.code,
                name=head.name,
                kind=head.kind,
                capacity=head.capacity,
                nights=tuple(NightPrice(d, p) for d, p in nights),
                total_fen=domain.stay_total(nights, quantity),
                available=min(d.free for d in days),
                rate_plan_id=plan_row.id,
                rate_plan_code=plan_row.code,
                rate_plan_name=plan_row.name,
                deposit_fen=domain.deposit_due(plan, nights, quantity),
                cancellation_policy=policy,
                voyage_id=head.voyage_id,
                description=head.description,
            )
        )
    return result


def _by_type(rows: Sequence[Any]) -> list[list[Any]]:
    groups: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.id, []).append(row)
    return list(groups.values())
