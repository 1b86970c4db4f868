"""The outlets' API: a sale on a guest's tag, a void, the tag look-up, and an offline
reader's queued sales. Each outlet calls with its own key (`pos:charge`); the outlet is the
one the key is linked to."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from modules.keytags import permissions, service
from modules.keytags.models import Charge
from modules.keytags.schemas.charges import (
    BatchEntryOut,
    ChargeBatchIn,
    ChargeBatchOut,
    ChargeIn,
    ChargeOut,
    TagOut,
    VoidIn,
    VoidOut,
)
from tenants.context import Ctx


class ChargesApi(Controller):
    path = "/api/v1/keytags"
    tags = ["keytags"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @post(
        "/charges",
        opt={"guard": permissions.POS_API},
        status_code=200,
        summary="Charge items on a guest's key tag",
    )
    async def charge(self, ctx: Ctx, data: JSONBody[ChargeIn]) -> ChargeOut:
        """Charges the outlet's items (codes of its active price list; a per-hour item's
        `qty` is the hours) on the tag's open visit and answers the charge with the guest's
        tab, limit and what remains. Refused with nothing written: `unknown_tag` (404),
        `tag_blocked`, `visit_closed`, `over_limit` (409, the message says what remains),
        `unknown_item` (422); a key linked to no outlet is 403 `no_outlet`. Idempotent on
        (device_id, device_seq): the same sale again answers the first charge
        (`replayed`), another sale under the same number is 409 `device_seq_reused`."""
        result = await service.charge(
            ctx.db,
            ctx.tenant_id,
            tag_uid=data.tag,
            items=data.wanted(),
            device_id=data.device_id,
            device_seq=data.device_seq,
            occurred_at=data.occurred_at,
            actor=ctx.actor,
        )
        return ChargeOut.of(result)

    @post(
        "/charges:batch",
        opt={"guard": permissions.POS_API},
        status_code=200,
        summary="Apply a reader's queued offline charges, once and in the device's order",
    )
    async def charges_batch(self, ctx: Ctx, data: JSONBody[ChargeBatchIn]) -> ChargeBatchOut:
        """Each queued sale answers `applied`, `duplicate` (applied or recorded before:
        uploading a batch again changes nothing), `conflict` (the limit, a blocked, closed or
        unknown tag: recorded for the cashier, never dropped) or `rejected` (an item not on
        the price list, a sequence number used for another sale)."""
        result = await service.apply_charge_batch(
            ctx.db,
            ctx.tenant_id,
            device_id=data.device_id,
            charges=[queued.queued() for queued in data.charges],
            actor=ctx.actor,
        )
        return ChargeBatchOut(
            device_id=result.device_id,
            applied=result.count("applied"),
            duplicates=result.count("duplicate"),
            conflicts=result.count("conflict"),
            rejected=result.count("rejected"),
            results=[BatchEntryOut.of(entry) for entry in result.results],
        )

    @post(
        "/charges/{charge_id:uuid}/void",
        opt={"guard": permissions.POS_API, "owns": {"charge_id": Charge}},
        status_code=200,
        summary="Void one of the outlet's charges within its void window",
    )
    async def void(
        self, ctx: Ctx, charge_id: FromPath[uuid.UUID], data: JSONBody[VoidIn]
    ) -> VoidOut:
        """Writes a reversing row and moves the tab back. Within the outlet's window
        (set-up: 10 minutes by default); later 403 `void_needs_manager` (a manager voids it
        in the console). A second void is 409 `already_voided`; another outlet's charge 404."""
        result = await service.void_charge(
            ctx.db, ctx.tenant_id, charge_id, actor=ctx.actor, reason=data.reason
        )
        return VoidOut.of(result)

    @get(
        "/tags/{uid:str}",
        opt={"guard": permissions.POS_API},
        summary="A key tag as a POS shows it",
    )
    async def tag(self, ctx: Ctx, uid: FromPath[str]) -> TagOut:
        """The guest's visit number, name, tab and remaining limit, with `status` open
        (chargeable), blocked, closed or unknown."""
        return TagOut.of(await service.look_up_tag(ctx.db, ctx.tenant_id, uid))


ROUTES = [ChargesApi]
