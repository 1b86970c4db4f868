"""Day tickets sold online through reservations, the way boarding sells voyages: every ticket
type sold online is a reservations unit type (kind 'admission', one person a unit) whose
calendar carries, for the next 180 days, the ticket's price on each date's kind of day; the
guest's page holds the tickets of an order (one reservation per ticket type, each with its own
code the desk redeems) and pays each through the reservations pay step."""

from __future__ import annotations

import hmac
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.keytags import domain
from modules.keytags.models import TicketType
from modules.keytags.repository.tickets import TicketsRepository
from modules.keytags.schemas.tickets import OrderLine, TicketOffer
from modules.keytags.service.catalog import day_kinds, prices
from modules.reservations import service as reservations
from tenants.service import tenant_settings

UNIT_KIND = "admission"
HORIZON_DAYS = 180
# Tickets a new date of the calendar opens with (the reservations calendar can change it).
DAILY_TICKETS = 500
SALE_DAYS = 60  # the guest picks today up to 60 days ahead
MAX_PER_TYPE = 20
RATE_PLAN = "rack"
SOURCE = "booking_page"
HOLD_MINUTES = 20
MOBILE = re.compile(r"^(\+?[0-9]{6,15}|1[3-9][0-9]{9})$", re.ASCII)


async def resort_today(db: AsyncSession, tenant_id: TenantId) -> date:
    """Today in the resort's time zone (the business date the desk works in)."""
    return clock.today(clock.tz_of(await tenant_settings(db, tenant_id)))


@dataclass(frozen=True, slots=True)
class ResortContact:
    """The resort as its guests' papers name it: its name, street address and phone (the
    enterprise settings; address and phone empty until the owner gives them)."""

    name: str
    address: str
    phone: str


async def resort_contact(db: AsyncSession, tenant_id: TenantId) -> ResortContact:
    found = await tenant_settings(db, tenant_id)
    return ResortContact(name=found.name, address=found.address, phone=found.phone)


def unit_code(ticket: TicketType) -> str:
    return f"SPA-{ticket.code}"


async def sync_online_ticket(
    db: AsyncSession,
    tenant_id: TenantId,
    ticket: TicketType,
    *,
    today: date | None = None,
    reopen: bool = False,
) -> None:
    """Keep the ticket's online sale in step with it: a ticket type sold online gets its
    reservations unit type (made once) and the inventory of the next 180 days at each date's
    price (weekday, weekend or holiday by the calendar); dates already on sale keep their
    totals and sold counts, only their prices move. A ticket no longer sold online (or
    inactive) has its dates closed, so nothing more is sold; what was sold stays valid.
    `reopen` (a ticket put back on sale) opens its dates again; otherwise a date a manager
    closed in the reservations calendar stays closed. Re-run when the prices or the
    calendar change."""
    today = today or await resort_today(db, tenant_id)
    end = today + timedelta(days=HORIZON_DAYS - 1)
    selling = ticket.sold_online and ticket.active
    if ticket.unit_type_id is None:
        if not selling:
            return
        reopen = True
        ticket.unit_type_id = await _unit_type(db, tenant_id, ticket)
        await db.flush()
    else:  # a renamed ticket is sold (and its bookings shown) under its new name
        await reservations.rename_unit_type(
            db,
            tenant_id,
            ticket.unit_type_id,
            name=ticket.name,
            description=ticket.description,
            sort_order=ticket.sort_order,
        )
    unit_type_id = ticket.unit_type_id
    if not selling:
        await reservations.set_calendar(
            db, tenant_id, unit_type_id=unit_type_id, start=today, end=end, closed=True
        )
        return
    await _open_new_days(db, tenant_id, unit_type_id, today)
    kinds = await day_kinds(db, tenant_id, today, end)
    price = prices(ticket)
    for start, stop, fen in _runs([(d, price.on(k)) for d, k in sorted(kinds.items())]):
        await reservations.set_calendar(
            db,
            tenant_id,
            unit_type_id=unit_type_id,
            start=start,
            end=stop,
            price_fen=fen,
            closed=False if reopen else None,
        )


async def _unit_type(db: AsyncSession, tenant_id: TenantId, ticket: TicketType) -> uuid.UUID:
    taken = {t.code for t in await reservations.list_unit_types(db, tenant_id)}
    code, n = unit_code(ticket), 1
    while code in taken:
        n += 1
        code = f"{unit_code(ticket)}-{n}"
    made = await reservations.create_unit_type(
        db,
        tenant_id,
        code=code,
        name=ticket.name,
        kind=UNIT_KIND,
        capacity=1,
        base_price_fen=ticket.price_weekday_fen,
        description=ticket.description,
        sort_order=ticket.sort_order,
    )
    return made.id


async def _open_new_days(
    db: AsyncSession, tenant_id: TenantId, unit_type_id: uuid.UUID, today: date
) -> None:
    """Dates of the horizon not yet on sale open with `DAILY_TICKETS` (others untouched)."""
    missing: list[tuple[date, int]] = []
    start = today
    while start < today + timedelta(days=HORIZON_DAYS):
        days = min(62, (today + timedelta(days=HORIZON_DAYS) - start).days)
        grid = await reservations.calendar(
            db, tenant_id, start=start, days=days, unit_type_id=unit_type_id
        )
        cells = grid.rows[0].cells if grid.rows else tuple(None for _ in grid.days)
        for day, cell in zip(grid.days, cells, strict=False):
            if cell is None:
                missing.append((day, 0))
        start += timedelta(days=days)
    for first, last, _ in _runs(missing):
        await reservations.set_calendar(
            db, tenant_id, unit_type_id=unit_type_id, start=first, end=last, total=DAILY_TICKETS
        )


def _runs(days: Sequence[tuple[date, int]]) -> list[tuple[date, date, int]]:
    """Consecutive dates with the same value, as (first, last, value)."""
    runs: list[tuple[date, date, int]] = []
    for day, value in days:
        if runs and runs[-1][2] == value and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day, value)
        else:
            runs.append((day, day, value))
    return runs


async def sync_all_online_tickets(
    db: AsyncSession, tenant_id: TenantId, *, today: date | None = None
) -> None:
    """Every ticket type's online sale again (after the calendar changed)."""
    today = today or await resort_today(db, tenant_id)
    for ticket in await TicketsRepository(db, tenant_id).ticket_types():
        if ticket.unit_type_id is not None or (ticket.sold_online and ticket.active):
            await sync_online_ticket(db, tenant_id, ticket, today=today)


# The guest's sale --------------------------------------------------------------------------


def sale_days(today: date) -> tuple[date, date]:
    """The dates a guest may pick: today up to 60 days ahead."""
    return today, today + timedelta(days=SALE_DAYS)


async def ticket_offers(db: AsyncSession, tenant_id: TenantId, day: date) -> list[TicketOffer]:
    """The ticket types on sale online for the date, at that day's price, with how many
    are left (none when the day is closed or sold out)."""
    tickets = [
        t
        for t in await TicketsRepository(db, tenant_id).ticket_types(online_only=True)
        if t.unit_type_id is not None
    ]
    if not tickets:
        return []
    try:
        found = await reservations.search_availability(
            db,
            tenant_id,
            arrival=day,
            departure=day + timedelta(days=1),
            adults=1,
            kind=UNIT_KIND,
            rate_plan_code=RATE_PLAN,
        )
    except Invalid:  # no rack rate plan: nothing can be sold online
        return []
    by_type = {o.unit_type_id: o for o in found}
    offers = []
    for t in tickets:
        offer = by_type.get(t.unit_type_id)  # type: ignore[arg-type]
        if offer is None or offer.available < 1:
            continue
        offers.append(
            TicketOffer(
                ticket_type_id=t.id,
                unit_type_id=offer.unit_type_id,
                code=t.code,
                name=t.name,
                name_en=t.name_en,
                category=domain.TicketCategory(t.category),
                description=t.description,
                price_fen=offer.total_fen,
                available=offer.available,
                base_minutes=t.base_minutes,
            )
        )
    return offers


async def buy_tickets(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    day: date,
    counts: dict[uuid.UUID, int],
    name: str,
    phone: str,
    hold_minutes: int = HOLD_MINUTES,
) -> list[reservations.ReservationView]:
    """Hold an order's tickets while the guest pays: one reservation per ticket type (its
    quantity the number of people), each with its own code the desk redeems; all or none
    (a sold-out type refuses the order). Paying confirms each reservation."""
    first, last = sale_days(await resort_today(db, tenant_id))
    errors: list[dict[str, str]] = []
    if not first <= day <= last:
        errors.append(_error("day", "Choose a date from today to 60 days ahead."))
    wanted = {tid: n for tid, n in counts.items() if n > 0}
    if any(not 0 <= n <= MAX_PER_TYPE for n in counts.values()):
        errors.append(_error("tickets", "At most 20 tickets of each type."))
    elif not wanted:
        errors.append(_error("tickets", "Choose at least one ticket.", "required"))
    if not name.strip():
        errors.append(_error("guest_name", "Enter the name of the person buying.", "required"))
    elif len(name.strip()) > 100:
        errors.append(_error("guest_name", "Use at most 100 characters.", "too_long"))
    if not MOBILE.match(phone.strip()):
        errors.append(_error("guest_phone", "Enter a mobile number, such as 13800138000."))
    if errors:
        raise Invalid(errors=errors)
    offers = {o.ticket_type_id: o for o in await ticket_offers(db, tenant_id, day)}
    for tid, n in wanted.items():
        offer = offers.get(tid)
        if offer is None or offer.available < n:
            raise reservations.SoldOut()
    plan = await reservations.rate_plan_for(db, tenant_id, RATE_PLAN)
    guest = reservations.GuestDetails(name=name.strip(), phone=phone.strip())
    held = []
    for tid, n in sorted(wanted.items(), key=lambda i: list(offers).index(i[0])):
        held.append(
            await reservations.create_hold(
                db,
                tenant_id,
                unit_type_id=offers[tid].unit_type_id,
                rate_plan_id=plan.id,
                arrival=day,
                departure=day + timedelta(days=1),
                adults=n,
                guest=guest,
                source=SOURCE,
                hold_minutes=hold_minutes,
                quantity=n,
            )
        )
    return held


def _error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


async def ticket_order(
    db: AsyncSession, tenant_id: TenantId, reservation_id: uuid.UUID, code: str
) -> list[OrderLine] | None:
    """The day tickets of an order for whoever has one of its links and that code: the
    reservation itself first, then the buyer's other day tickets for the same date (same
    mobile), each with its own code. None when the code is wrong or it is not a day
    ticket."""
    try:
        shown = await reservations.get_reservation(db, tenant_id, reservation_id)
    except NotFound:
        return None
    given = code.strip().upper().replace(" ", "").encode()
    if shown.kind != UNIT_KIND or not hmac.compare_digest(shown.code.upper().encode(), given):
        return None
    same_day = await reservations.search_reservations(
        db,
        tenant_id,
        term=shown.guest_phone,
        arrival_from=shown.arrival,
        arrival_to=shown.arrival,
        per_page=50,
    )
    others = [
        r
        for r in same_day
        if r.id != shown.id
        and r.kind == UNIT_KIND
        and r.guest_phone == shown.guest_phone
        and r.status in ("held", "confirmed", "checked_in")
    ]
    return [_line(r) for r in (shown, *sorted(others, key=lambda r: r.created_at))]


def _line(r: reservations.ReservationView) -> OrderLine:
    return OrderLine(
        reservation_id=r.id,
        code=r.code,
        status=r.status,
        payment_state=r.payment_state,
        ticket_name=r.unit_type_name,
        quantity=r.quantity,
        total_fen=r.total_fen,
        paid_fen=r.paid_fen,
        day=r.arrival,
    )
