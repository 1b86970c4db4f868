"""All SQL of guest services, filtered by the tenant it was built for (row-level security is
the second lock). Reads for the terminal always filter by the stay as well: a device sees
its own stay's rows and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from app.db.base import Base
from modules.guestservices.domain import OPEN_STATUSES, ComplaintStatus
from modules.guestservices.models import (
    Complaint,
    MenuItem,
    Rating,
    RoomOrder,
    RoomOrderLine,
    ServiceRequest,
    ServiceRequestEvent,
)
from tenants.models import User
from tenants.repository import TenantScopedRepository

Row = TypeVar("Row", ServiceRequest, RoomOrder, Complaint)


class GuestServicesRepository(TenantScopedRepository):
    async def save(self, *objects: Base) -> None:
        """Insert new rows (tenant from this repository) and flush changed ones."""
        for obj in objects:
            if getattr(obj, "tenant_id", None) is None:
                self.add(obj)
        await self.db.flush()

    async def one(
        self,
        model: type[Row],
        row_id: uuid.UUID,
        *,
        stay_id: uuid.UUID | None = None,
        for_update: bool = False,
    ) -> Row | None:
        """A request, order or complaint; with `stay_id`, only if it belongs to that stay
        (what a terminal may touch). `for_update` serialises a guest's cancel with a clerk's
        acknowledge, so exactly one of them wins."""
        stmt = self.scoped(model).where(model.id == row_id)
        if stay_id is not None:
            stmt = stmt.where(model.stay_id == stay_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.db.execute(stmt)).scalar_one_or_none()

    # Service requests --------------------------------------------------------------------

    async def requests(
        self, *, stay_id: uuid.UUID | None = None, statuses: Iterable[str] | None = None
    ) -> Sequence[ServiceRequest]:
        stmt = self.scoped(ServiceRequest)
        if stay_id is not None:
            stmt = stmt.where(ServiceRequest.stay_id == stay_id)
        if statuses is not None:
            stmt = stmt.where(ServiceRequest.status.in_(list(statuses)))
        stmt = stmt.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        return (await self.db.execute(stmt.limit(200))).scalars().all()

    async def open_request_of_kind(self, stay_id: uuid.UUID, kind: str) -> ServiceRequest | None:
        stmt = (
            self.scoped(ServiceRequest)
            .where(
                ServiceRequest.stay_id == stay_id,
                ServiceRequest.kind == kind,
                ServiceRequest.status.in_(OPEN_STATUSES),
            )
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def request_counts(self) -> dict[str, int]:
        stmt = (
            select(ServiceRequest.status, func.count())
            .where(ServiceRequest.tenant_id == self.tenant_id)
            .group_by(ServiceRequest.status)
        )
        return {row[0]: int(row[1]) for row in (await self.db.execute(stmt)).all()}

    async def events(self, request_ids: Iterable[uuid.UUID]) -> Sequence[Any]:
        """Status history with the staff member's name, oldest first."""
        wanted = list(request_ids)
        if not wanted:
            return []
        stmt = (
            select(ServiceRequestEvent, User.display_name)
            .outerjoin(User, User.id == ServiceRequestEvent.by_user_id)
            .where(
                ServiceRequestEvent.tenant_id == self.tenant_id,
                ServiceRequestEvent.request_id.in_(wanted),
            )
            .order_by(ServiceRequestEvent.created_at, ServiceRequestEvent.id)
        )
        return (await self.db.execute(stmt)).all()

    # Menus and orders --------------------------------------------------------------------

    async def menu_items(
        self, *, available_only: bool = False, ids: Iterable[uuid.UUID] | None = None
    ) -> Sequence[MenuItem]:
        stmt = self.scoped(MenuItem)
        if available_only:
            stmt = stmt.where(MenuItem.available.is_(True))
        if ids is not None:
            stmt = stmt.where(MenuItem.id.in_(list(ids)))
        stmt = stmt.order_by(MenuItem.menu.desc(), MenuItem.sort_order, MenuItem.name)
        return (await self.db.execute(stmt)).scalars().all()

    async def menu_item(self, item_id: uuid.UUID) -> MenuItem | None:
        return await self.get(MenuItem, item_id)

    async def any_menu_item(self) -> bool:
        stmt = select(MenuItem.id).where(MenuItem.tenant_id == self.tenant_id).limit(1)
        return (await self.db.execute(stmt)).first() is not None

    async def orders(
        self, *, stay_id: uuid.UUID | None = None, statuses: Iterable[str] | None = None
    ) -> Sequence[RoomOrder]:
        stmt = self.scoped(RoomOrder)
        if stay_id is not None:
            stmt = stmt.where(RoomOrder.stay_id == stay_id)
        if statuses is not None:
            stmt = stmt.where(RoomOrder.status.in_(list(statuses)))
        stmt = stmt.order_by(RoomOrder.created_at.desc(), RoomOrder.id.desc())
        return (await self.db.execute(stmt.limit(200))).scalars().all()

    async def order_lines(self, order_ids: Iterable[uuid.UUID]) -> Sequence[RoomOrderLine]:
        wanted = list(order_ids)
        if not wanted:
            return []
        stmt = (
            self.scoped(RoomOrderLine)
            .where(RoomOrderLine.order_id.in_(wanted))
            .order_by(RoomOrderLine.created_at, RoomOrderLine.id)
        )
        return (await self.db.execute(stmt)).scalars().all()

    # Ratings and complaints --------------------------------------------------------------

    async def ratings_of_stay(self, stay_id: uuid.UUID) -> Sequence[Rating]:
        stmt = self.scoped(Rating).where(Rating.stay_id == stay_id)
        return (await self.db.execute(stmt)).scalars().all()

    async def rating_averages(self, since: datetime) -> Sequence[Any]:
        """Count and mean score per subject since a moment, computed in SQL."""
        stmt = (
            select(Rating.subject, func.count(), func.avg(Rating.score))
            .where(Rating.tenant_id == self.tenant_id, Rating.created_at >= since)
            .group_by(Rating.subject)
            .order_by(Rating.subject)
        )
        return (await self.db.execute(stmt)).all()

    async def recent_ratings(self, since: datetime, limit: int = 50) -> Sequence[Any]:
        stmt = (
            self.scoped(Rating)
            .where(Rating.created_at >= since)
            .order_by(Rating.created_at.desc())
            .limit(limit)
        )
        return (await self.db.execute(stmt)).scalars().all()

    async def complaints(
        self, *, stay_id: uuid.UUID | None = None, statuses: Iterable[str] | None = None
    ) -> Sequence[Complaint]:
        stmt = self.scoped(Complaint)
        if stay_id is not None:
            stmt = stmt.where(Complaint.stay_id == stay_id)
        if statuses is not None:
            stmt = stmt.where(Complaint.status.in_(list(statuses)))
        stmt = stmt.order_by(Complaint.created_at.desc(), Complaint.id.desc())
        return (await self.db.execute(stmt.limit(200))).scalars().all()

    async def count_open_complaints_before(self, before: datetime) -> int:
        stmt = select(func.count()).where(
            Complaint.tenant_id == self.tenant_id,
            Complaint.status == ComplaintStatus.OPEN,
            Complaint.created_at < before,
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def count_requests(self, status: str) -> int:
        stmt = select(func.count()).where(
            ServiceRequest.tenant_id == self.tenant_id, ServiceRequest.status == status
        )
        return int((await self.db.execute(stmt)).scalar_one())

    async def user_names(self, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
        wanted = [i for i in set(ids) if i is not None]
        if not wanted:
            return {}
        stmt = select(User.id, User.display_name).where(User.id.in_(wanted))
        return {row[0]: row[1] for row in (await self.db.execute(stmt)).all()}
