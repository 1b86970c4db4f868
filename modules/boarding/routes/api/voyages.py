"""Voyages through the API: a gate device or a partner finds the voyage and its port calls
(the gangway's scans and the offline pack name them)."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from litestar import Controller, get
from litestar.params import FromPath, FromQuery

from app import clock
from app.errors import Invalid
from app.web.input import read_date
from modules.boarding import permissions, service
from modules.boarding.domain import VoyageStatus
from modules.boarding.schemas.voyages import VoyageOut
from tenants.context import Ctx

VOYAGE = {"voyage_id": "boarding_voyages"}


class VoyagesApi(Controller):
    path = "/api/v1/boarding/voyages"
    tags = ["boarding"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @get("/", opt={"guard": permissions.SCANNER}, summary="List voyages")
    async def voyages(
        self, ctx: Ctx, sails_on: FromQuery[str] = "", status: FromQuery[str] = ""
    ) -> list[VoyageOut]:
        """Voyages by sailing time with their port calls: those sailing on `sails_on`
        (YYYY-MM-DD, the enterprise's date), else from yesterday on; `status` filters
        (planned, boarding, sailing, arrived, cancelled). Times are ISO 8601 with offset."""
        tz = clock.tz_of(ctx.tenant)
        day = read_date(sails_on) if sails_on else clock.today(tz) - timedelta(days=1)
        errors = []
        if day is None:
            errors.append(
                {"field": "sails_on", "code": "invalid", "message": "Enter a date as 2026-12-24."}
            )
        wanted = VoyageStatus.parse(status) if status else None
        if status and wanted is None:
            errors.append({"field": "status", "code": "invalid", "message": "Choose a status."})
        if errors or day is None:
            raise Invalid(errors=errors)
        start = datetime.combine(day, time(0), clock.zone(tz))
        voyages = await service.list_voyages(
            ctx.db,
            ctx.tenant_id,
            sails_from=start,
            sails_until=start + timedelta(days=1) if sails_on else None,
            statuses=[wanted] if wanted else (),
        )
        return [VoyageOut.of(v) for v in voyages]

    @get(
        "/{voyage_id:uuid}", opt={"guard": permissions.SCANNER, "owns": VOYAGE}, summary="A voyage"
    )
    async def voyage(self, ctx: Ctx, voyage_id: FromPath[uuid.UUID]) -> VoyageOut:
        """One voyage with its port calls (404 for another enterprise's)."""
        return VoyageOut.of(await service.get_voyage(ctx.db, ctx.tenant_id, voyage_id))


ROUTES = [VoyagesApi]
