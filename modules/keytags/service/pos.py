"""The touch POS page of an outlet's tablet: what it shows (the outlet's price list as big
buttons, its latest sales with their void state) and the form token that makes a double tap
charge once (the token is the page's device id, `web:<token>`, at sequence 0: the same
token sent twice is a replay; each answer hands the page a new one)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.keytags import domain
from modules.keytags.models import Outlet, OutletItem
from modules.keytags.repository.charges import ChargeRepository
from modules.keytags.service.catalog import rules

FORM_DEVICE_PREFIX = "web:"


def new_form_token() -> str:
    return secrets.token_hex(12)


def form_device(token: str) -> str:
    """The device id a POS form's charge is kept under (its token, checked)."""
    token = (token or "").strip()
    if not 16 <= len(token) <= 48 or not all(c in "0123456789abcdef" for c in token):
        raise Invalid.field("token", "This page is out of date: reload it and charge again.")
    return FORM_DEVICE_PREFIX + token


@dataclass(frozen=True, slots=True)
class RecentSale:
    charge_id: uuid.UUID
    visit_number: str
    guest_name: str
    description: str
    amount_fen: int
    recorded_at: datetime
    voided: bool
    voidable: bool  # by the outlet now, without a manager


@dataclass(frozen=True, slots=True)
class PosView:
    outlet: Outlet
    items: list[OutletItem]
    recent: list[RecentSale]
    void_minutes: int


async def pos_outlets(db: AsyncSession, tid: TenantId) -> list[Outlet]:
    """The outlets a tablet may be set up as (active ones)."""
    return await ChargeRepository(db, tid).outlets()


async def pos_view(db: AsyncSession, tid: TenantId, outlet_id: uuid.UUID) -> PosView:
    repo = ChargeRepository(db, tid)
    outlet = await repo.outlet(outlet_id)
    if outlet is None:
        raise NotFound()
    return PosView(outlet, await repo.items(outlet_id), *await _recent(db, tid, outlet_id))


async def recent_sales(
    db: AsyncSession, tid: TenantId, outlet_id: uuid.UUID
) -> tuple[list[RecentSale], int]:
    """The outlet's latest sales and its void window in minutes."""
    return await _recent(db, tid, outlet_id)


async def _recent(
    db: AsyncSession, tid: TenantId, outlet_id: uuid.UUID
) -> tuple[list[RecentSale], int]:
    minutes = (await rules(db, tid)).outlet_void_minutes
    now = clock.now()
    rows = await ChargeRepository(db, tid).recent(outlet_id)
    sales = [
        RecentSale(
            charge_id=c.id,
            visit_number=number,
            guest_name=name,
            description=c.description,
            amount_fen=c.amount_fen,
            recorded_at=c.recorded_at,
            voided=void_id is not None,
            voidable=void_id is None and not domain.void_needs_manager(c.recorded_at, now, minutes),
        )
        for c, number, name, void_id in rows
    ]
    return sales, minutes
