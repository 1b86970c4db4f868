"""Factories for the boarding module: a ship, a voyage as the purser runs it (with its port
calls), a passenger on the manifest. Rows are written directly so these work before and
beside the services; service-level factories build on them."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from modules.boarding.domain import DOWNSTREAM_CALLS
from modules.boarding.models import (
    BoardingPass,
    BoardingVoyage,
    CrewMember,
    ManifestChange,
    Passenger,
    PassKey,
    PortCall,
    Scan,
    Ship,
    ShipCabin,
)
from tenants.models import Tenant
from tests.factories.reservations import RESIDENT_ID, make_reservation, make_voyage
from tests.factories.rows import add_row

_seq = itertools.count(1)


_add = add_row


async def make_ship(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> Ship:
    n = next(_seq)
    fields: dict[str, Any] = {
        "code": f"SJSH{n}",
        "name": "世纪神话",
        "decks": 6,
        "passenger_capacity": 408,
        "length_m": 142,
        "built_year": 2013,
        **overrides,
    }
    return await _add(db, tenant, Ship(**fields))


async def make_boarding_voyage(
    db: AsyncSession,
    *,
    tenant: Tenant,
    days_ahead: int = 40,
    ship: Ship | None = None,
    **overrides: Any,
) -> BoardingVoyage:
    """A downstream voyage 朝天门 → 宜昌 sailing `days_ahead` days from today at 21:00
    Chongqing time, boarding 18:00–20:30, with its seven port calls."""
    ship = ship or await make_ship(db, tenant=tenant)
    depart = clock.today() + timedelta(days=days_ahead)
    sold = await make_voyage(db, tenant=tenant, depart_on=depart, ship=ship.name)
    zone = clock.zone()

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(depart + timedelta(days=day), time(hour, minute), zone)

    voyage = await _add(
        db,
        tenant,
        BoardingVoyage(
            id=sold.id,
            ship_id=ship.id,
            number=overrides.pop("number", sold.code[:16]),
            boarding_opens_at=overrides.pop("boarding_opens_at", at(0, 18)),
            boarding_closes_at=overrides.pop("boarding_closes_at", at(0, 20, 30)),
            sails_at=overrides.pop("sails_at", at(0, 21)),
            arrives_at=overrides.pop("arrives_at", at(3, 12)),
            **overrides,
        ),
    )
    for seq, code in enumerate(DOWNSTREAM_CALLS):
        last = seq == len(DOWNSTREAM_CALLS) - 1
        await _add(
            db,
            tenant,
            PortCall(
                voyage_id=voyage.id,
                seq=seq,
                port_code=code,
                arrives_at=None if seq == 0 else at(min(seq, 3), 8),
                departs_at=None if last else (at(0, 21) if seq == 0 else at(min(seq, 3), 11)),
                embarking=seq == 0,
                disembarking=seq > 0,
                boarding_opens_at=at(0, 18) if seq == 0 else None,
                boarding_closes_at=at(0, 20, 30) if seq == 0 else None,
            ),
        )
    return voyage


async def first_call(db: AsyncSession, voyage: BoardingVoyage) -> PortCall:
    from sqlalchemy import select

    return (
        await db.execute(
            select(PortCall).where(
                PortCall.tenant_id == voyage.tenant_id,
                PortCall.voyage_id == voyage.id,
                PortCall.seq == 0,
            )
        )
    ).scalar_one()


async def make_passenger(
    db: AsyncSession, *, tenant: Tenant, voyage: BoardingVoyage | None = None, **overrides: Any
) -> Passenger:
    voyage = voyage or await make_boarding_voyage(db, tenant=tenant)
    reservation = await make_reservation(db, tenant=tenant)
    call = await first_call(db, voyage)
    fields: dict[str, Any] = {
        "voyage_id": voyage.id,
        "reservation_id": reservation.id,
        "boarding_call_id": call.id,
        "name": "张伟",
        "sex": "M",
        "id_type": "resident_id",
        "id_number": RESIDENT_ID,
        "birth_date": datetime(1990, 3, 7).date(),
        "phone": "13800138000",
        "is_lead": True,
        **overrides,
    }
    return await _add(db, tenant, Passenger(**fields))


# The route-isolation walker: one row of each table for a tenant -------------------------


async def _ship(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_ship(db, tenant=tenant)).id


async def _cabin(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    ship = await make_ship(db, tenant=tenant)
    cabin = ShipCabin(
        ship_id=ship.id,
        number="A-201",
        deck=2,
        grade_code="STD-BAL",
        grade_name="标准阳台房",
        berths=2,
    )
    return (await _add(db, tenant, cabin)).id


async def _voyage(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_boarding_voyage(db, tenant=tenant)).id


async def _port_call(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await first_call(db, await make_boarding_voyage(db, tenant=tenant))).id


async def _crew(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    voyage = await make_boarding_voyage(db, tenant=tenant)
    member = CrewMember(voyage_id=voyage.id, name="王强", role="captain", id_number=RESIDENT_ID)
    return (await _add(db, tenant, member)).id


async def _passenger(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_passenger(db, tenant=tenant)).id


async def _key(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    key = PassKey(kid=f"k{next(_seq)}", public_key=b"\0" * 32, private_key_sealed="sealed")
    return (await _add(db, tenant, key)).id


async def _pass(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    passenger = await make_passenger(db, tenant=tenant)
    now = clock.now()
    row = BoardingPass(
        passenger_id=passenger.id,
        voyage_id=passenger.voyage_id,
        port_call_id=passenger.boarding_call_id,
        kid="k1",
        valid_from=now,
        valid_until=now + timedelta(days=2),
    )
    return (await _add(db, tenant, row)).id


async def _scan(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    passenger = await make_passenger(db, tenant=tenant)
    row = Scan(
        voyage_id=passenger.voyage_id,
        passenger_id=passenger.id,
        direction="embark",
        device_id=f"gate-{next(_seq)}",
        device_seq=1,
        scanned_at=clock.now(),
        outcome="refused",
        reason="not_yet_valid",
    )
    return (await _add(db, tenant, row)).id


async def _change(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    passenger = await make_passenger(db, tenant=tenant)
    row = ManifestChange(
        voyage_id=passenger.voyage_id, passenger_id=passenger.id, action="edit", field="phone"
    )
    return (await _add(db, tenant, row)).id


TABLE_FACTORIES = {
    "ships": _ship,
    "ship_cabins": _cabin,
    "boarding_voyages": _voyage,
    "boarding_port_calls": _port_call,
    "crew_members": _crew,
    "passengers": _passenger,
    "boarding_pass_keys": _key,
    "boarding_passes": _pass,
    "boarding_scans": _scan,
    "manifest_changes": _change,
}
