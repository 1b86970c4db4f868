"""What a supplier sells that an agreement may authorise, and at what sale price today:
room types on each active rate plan, cabin grades on their voyage, admission (spa ticket)
types. Read through the reservations service only."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from modules.distribution.schemas.agreements import ProductChoice
from modules.reservations import service as reservations

LOOKAHEAD_DAYS = 62  # the calendar's widest window


def _key(
    unit_type_id: uuid.UUID, rate_plan_id: uuid.UUID | None, voyage_id: uuid.UUID | None
) -> str:
    return f"{unit_type_id}:{rate_plan_id or '-'}:{voyage_id or '-'}"


def _plan_price(rack_fen: int, plan: reservations.RatePlanView) -> int:
    if plan.net_price_fen is not None:
        return plan.net_price_fen
    return rack_fen - (rack_fen * plan.discount_bp + 5000) // 10000


async def _lowest_racks(db: AsyncSession, tid: TenantId) -> dict[uuid.UUID, int]:
    """Each unit type's lowest calendar price over the coming weeks (a net price is checked
    against the cheapest night it may be sold on)."""
    grid = await reservations.calendar(db, tid, start=clock.today(), days=LOOKAHEAD_DAYS)
    lowest: dict[uuid.UUID, int] = {}
    for row in grid.rows:
        prices = [c.price_fen for c in row.cells if c is not None]
        lowest[row.unit_type.id] = min(prices) if prices else row.unit_type.base_price_fen
    return lowest


async def product_choices(db: AsyncSession, tid: TenantId) -> list[ProductChoice]:
    """Every product the supplier could authorise, with its current (lowest coming) sale
    price; room types pair with each active rate plan other than a distributor net plan."""
    types = [t for t in await reservations.list_unit_types(db, tid) if t.active]
    plans = [p for p in await reservations.list_rate_plans(db, tid) if p.active]
    racks = await _lowest_racks(db, tid)
    out: list[ProductChoice] = []
    for t in types:
        rack = racks.get(t.id, t.base_price_fen)
        if t.kind == "room":
            for p in plans:
                if p.kind == "distributor_net":
                    continue
                out.append(
                    ProductChoice(
                        _key(t.id, p.id, None),
                        t.id,
                        p.id,
                        None,
                        f"{t.name} · {p.name}",
                        t.kind,
                        _plan_price(rack, p),
                    )
                )
        elif t.kind == "cabin" and t.voyage_id is not None:
            name = f"{t.name} · {t.voyage_code or ''}".strip(" ·")
            out.append(
                ProductChoice(
                    _key(t.id, None, t.voyage_id), t.id, None, t.voyage_id, name, t.kind, rack
                )
            )
        elif t.kind == "admission":
            out.append(
                ProductChoice(_key(t.id, None, None), t.id, None, None, t.name, t.kind, rack)
            )
    return out
