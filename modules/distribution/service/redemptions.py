"""Redemptions: a distributed booking used (a hotel guest checked in, a cruise passenger
boarded, an online spa ticket admitted) marks its order redeemed and tells the distributor.

The modules that see the guest arrive publish an event (`app.events`) in their own
transaction; these handlers run inside it, so the order's state, the `order.redeemed`
callback and its delivery job commit with the check-in, the scan or the admission — or not
at all. Reconciliation (sold-not-redeemed, redeemed-not-sold) reads `redeemed_at`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock, events
from app.db.engine import TenantId
from modules.distribution.repository.callbacks import CallbacksRepository
from modules.distribution.service.callbacks import ORDER_REDEEMED, enqueue_callback


async def redeem(db: AsyncSession, tid: TenantId, reservation_id: uuid.UUID, how: str) -> bool:
    """Marks the distribution order behind the reservation redeemed, once (a second scan or
    a party admitted in two groups changes nothing), and queues its `order.redeemed`
    callback. False when the reservation is not a distribution order's, or already used."""
    repo = CallbacksRepository(db, tid)
    order = await repo.order_by_reservation(reservation_id, lock=True)
    if order is None or order.status != "confirmed":
        return False
    now = clock.now()
    order.status, order.redeemed_at = "redeemed", now
    await repo.flush()
    await enqueue_callback(
        db,
        tid,
        distributor_id=order.distributor_id,
        order_id=order.id,
        event_type=ORDER_REDEEMED,
        data={
            "order_id": str(order.id),
            "external_ref": order.external_ref,
            "redeemed_at": now.isoformat().replace("+00:00", "Z"),
            "redeemed_by": how,  # check_in | boarding | admission
        },
    )
    return True


def _handler(how: str) -> events.Handler:
    async def handle(db: AsyncSession, tid: TenantId, payload: Mapping[str, Any]) -> None:
        await redeem(db, tid, uuid.UUID(str(payload["reservation_id"])), how)

    handle.__name__ = f"redeem_on_{how}"
    return handle


EVENT_HANDLERS: dict[str, events.Handler] = {
    "reservations.checked_in": _handler("check_in"),
    "boarding.boarded": _handler("boarding"),
    "keytags.admitted": _handler("admission"),
}
