"""The offline gate's API: the signed pack a gate downloads before it loses the network, and
the batch of scans it queued, uploaded when the network is back (docs/boarding.md)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from modules.boarding import permissions, service
from modules.boarding.models import BoardingVoyage
from modules.boarding.schemas.offline import ScanBatchIn
from tenants.context import Ctx


class OfflineGateApi(Controller):
    path = "/api/v1/boarding"
    tags = ["boarding"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @get(
        "/voyages/{voyage_id:uuid}/offline-pack",
        opt={"guard": permissions.SCANNER, "owns": {"voyage_id": BoardingVoyage}},
        summary="The signed offline pack of a voyage, for a gate without network",
    )
    async def offline_pack(self, ctx: Ctx, voyage_id: FromPath[uuid.UUID]) -> dict[str, object]:
        """The voyage and its port calls, the live passes (passenger's name and cabin, no ID
        numbers), the public keys with their key ids and `verify_until`, the revoked passes,
        `generated_at` and `expires_at`; signed with the enterprise's pack key (Ed25519 over
        the canonical JSON of `payload`)."""
        return await service.offline_pack(ctx.db, ctx.tenant_id, voyage_id)

    @post(
        "/scans:batch",
        opt={"guard": permissions.SCANNER},
        status_code=200,
        summary="Apply a gate's queued offline scans, once and in the device's order",
    )
    async def scans_batch(self, ctx: Ctx, data: JSONBody[ScanBatchIn]) -> service.BatchResult:
        """Each scan answers `accepted`, `duplicate` (applied before: uploading a batch again
        changes nothing), `refused` with its reason, or `conflict` (another gate had already
        moved the passenger: reported for the purser, never counted twice)."""
        return await service.apply_scan_batch(
            ctx.db,
            ctx.tenant_id,
            device_id=data.device_id,
            voyage_id=data.voyage_id,
            scans=[scan.queued() for scan in data.scans],
            actor=ctx.actor,
        )
