"""SQL of reconciliation: the distribution orders whose service date (arrival, sailing, visit)
falls in a period, with their agreement and distributor, to hold against the reservations'
redemption states."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text

from tenants.repository import TenantScopedRepository


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: uuid.UUID
    number: str
    reservation_id: uuid.UUID | None
    status: str
    arrival: date
    departure: date
    guest_name: str
    settlement_fen: int
    redeemed_at: datetime | None
    agreement_number: str
    distributor_name: str


_ORDERS = text(
    """
    SELECT o.id, o.number, o.reservation_id, o.status, o.arrival, o.departure, o.guest_name,
           o.settlement_fen, o.redeemed_at, a.number AS agreement_number,
           d.name AS distributor_name
    FROM dist_orders o
    JOIN dist_agreements a ON a.tenant_id = o.tenant_id AND a.id = o.agreement_id
    JOIN distributors d ON d.tenant_id = o.tenant_id AND d.id = o.distributor_id
    WHERE o.tenant_id = :t AND o.arrival >= :start AND o.arrival < :end
    ORDER BY o.arrival, o.number
    """
)

_BY_RESERVATION = text(
    """
    SELECT o.reservation_id, o.number, o.status
    FROM dist_orders o
    WHERE o.tenant_id = :t AND o.reservation_id = ANY(CAST(:ids AS uuid[]))
    """
)


class ReconciliationRepository(TenantScopedRepository):
    async def orders(self, start: date, end: date) -> list[OrderRow]:
        params = {"t": self.tenant_id, "start": start, "end": end}
        return [OrderRow(**r._mapping) for r in await self.db.execute(_ORDERS, params)]

    async def orders_of(self, reservation_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Order status by reservation, for reservations whose order lies outside the
        period's arrivals (an order moved to other dates keeps its reservation)."""
        if not reservation_ids:
            return {}
        rows = await self.db.execute(
            _BY_RESERVATION, {"t": self.tenant_id, "ids": [str(i) for i in reservation_ids]}
        )
        return {r.reservation_id: r.status for r in rows}
