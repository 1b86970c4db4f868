"""The gangway's API for gate devices and scanners: one scan, judged and written at once."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from modules.boarding import permissions
from modules.boarding.schemas.scans import ScanIn, ScanOut
from modules.boarding.service import record_scan
from tenants.context import Ctx


class ScansApi(Controller):
    path = "/api/v1/boarding"
    tags = ["boarding"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @post(
        "/scans",
        opt={"guard": permissions.SCANNER},
        status_code=200,
        summary="Scan a boarding pass at a gangway",
    )
    async def scan(self, ctx: Ctx, data: JSONBody[ScanIn]) -> ScanOut:
        """Boards (`embark`) or lets ashore (`disembark`) the pass's passenger at a port call
        of the voyage (the current one when `port_call_id` is left out). Answers 200 with
        `outcome` accepted or refused and the `reason` (already_aboard, not_aboard,
        wrong_voyage, wrong_port, not_yet_valid, expired, revoked, forged, unknown,
        cancelled), the passenger's name and cabin and the count aboard; every scan is
        recorded. Idempotent on (device_id, device_seq): the same scan again answers the
        first answer (`replayed`), another code under the same number is 409
        `device_seq_reused`. Another enterprise's voyage is 404."""
        result = await record_scan(
            ctx.db,
            ctx.tenant_id,
            code=data.code,
            voyage_id=data.voyage_id,
            port_call_id=data.port_call_id,
            direction=data.direction,
            device_id=data.device_id,
            device_seq=data.device_seq,
            scanned_at=data.scanned_at,
            actor=ctx.actor,
        )
        return ScanOut.of(result)


ROUTES = [ScansApi]
