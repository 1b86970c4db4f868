"""The gangway in the console, for the purser's phone or a tablet with a scanner:

- `/console/boarding/voyages/{voyage_id}/gangway`: choose the port call and the direction,
  scan (a USB/HID scanner types into the focused box and ends with Enter, or the device's
  camera reads the QR code) and see big green 允许登船 with the name and cabin, or big red
  with the reason; the count aboard and the port call's counts refresh by themselves.
  Scans are posted (htmx, CSRF-protected) to the same `record_scan` as the API, with the
  browser's own device id and sequence number.
- `/console/boarding/voyages/{voyage_id}/aboard`: counts per port call, the all-aboard list
  before leaving a port (who went ashore here and is not back, who was to board here and
  never came) and the muster headcount by deck and cabin.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from app import clock
from app.web.errors import is_htmx
from modules.boarding import permissions
from modules.boarding.domain import ScanDirection
from modules.boarding.models import BoardingVoyage
from modules.boarding.schemas.scans import GangwayScanForm, ScanOut
from modules.boarding.service import all_aboard, gangway_view, record_scan
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

VOYAGE = {"voyage_id": BoardingVoyage}
RECENT_SCANS = 8
REFRESH_SECONDS = 10


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


class GangwayController(Controller):
    path = "/console/boarding/voyages/{voyage_id:uuid}"
    opt = {"guard": permissions.GANGWAY, "owns": VOYAGE}  # noqa: RUF012 - read per class
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: RequestContext,
        voyage_id: uuid.UUID,
        *,
        port_call_id: uuid.UUID | None,
        direction: ScanDirection,
        verdict: ScanOut | None = None,
    ) -> Template:
        gangway = await gangway_view(ctx.db, ctx.tenant_id, voyage_id, recent=RECENT_SCANS)
        chosen = gangway.call(port_call_id) or gangway.call(gangway.current_call_id)
        return console_page(
            request,
            ctx,
            "boarding/gangway/gangway.html",
            active="boarding",
            gangway=gangway,
            chosen=chosen,
            direction=direction,
            directions=list(ScanDirection),
            verdict=verdict,
            tz=clock.tz_of(ctx.tenant),
            refresh=REFRESH_SECONDS,
        )

    @get("/gangway", opt={"camera": True})
    async def gangway(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        port_call_id: FromQuery[str | None] = None,
        direction: FromQuery[str | None] = None,
    ) -> Template:
        """The scanning page (the camera is allowed on this page only)."""
        move = ScanDirection.parse(direction) or ScanDirection.EMBARK
        return await self._page(
            request, ctx, voyage_id, port_call_id=_uuid(port_call_id), direction=move
        )

    @post("/gangway/scans", opt={"camera": True})
    async def scan(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        data: URLEncodedBody[GangwayScanForm],
    ) -> Template:
        """One scan from the page: the verdict fragment (and the counts, out of band), or
        the whole page again when the browser posted without htmx."""
        result = await record_scan(
            ctx.db,
            ctx.tenant_id,
            code=data.code,
            voyage_id=voyage_id,
            port_call_id=data.call_id(),
            direction=data.direction,
            device_id=data.device_id,
            device_seq=data.seq(),
            scanned_at=None,
            actor=ctx.actor,
        )
        verdict = ScanOut.of(result)
        if not is_htmx(request):
            return await self._page(
                request,
                ctx,
                voyage_id,
                port_call_id=result.port_call_id,
                direction=result.direction,
                verdict=verdict,
            )
        gangway = await gangway_view(ctx.db, ctx.tenant_id, voyage_id, recent=RECENT_SCANS)
        return Template(
            template_name="boarding/_partials/gangway_verdict.html",
            context={
                "verdict": verdict,
                "gangway": gangway,
                "chosen": gangway.call(result.port_call_id),
                "tz": clock.tz_of(ctx.tenant),
                "oob": True,
            },
        )

    @get("/gangway/counts")
    async def counts(
        self, ctx: Ctx, voyage_id: FromPath[uuid.UUID], port_call_id: FromQuery[str | None] = None
    ) -> Template:
        """The live counts alone, polled by the page."""
        gangway = await gangway_view(ctx.db, ctx.tenant_id, voyage_id, recent=RECENT_SCANS)
        chosen = gangway.call(_uuid(port_call_id)) or gangway.call(gangway.current_call_id)
        return Template(
            template_name="boarding/_partials/gangway_counts.html",
            context={"gangway": gangway, "chosen": chosen, "tz": clock.tz_of(ctx.tenant)},
        )

    @get("/aboard")
    async def aboard(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        port_call_id: FromQuery[str | None] = None,
    ) -> Template:
        """Counts per port call, the all-aboard list of a port call, the muster."""
        check = await all_aboard(ctx.db, ctx.tenant_id, voyage_id, _uuid(port_call_id))
        return console_page(
            request,
            ctx,
            "boarding/gangway/aboard.html",
            active="boarding",
            check=check,
            tz=clock.tz_of(ctx.tenant),
        )


ROUTES = [GangwayController]
