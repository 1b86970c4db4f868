"""The payments partial the console's reservation page loads."""

from __future__ import annotations

import uuid

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from modules.payments import permissions, service
from tenants.context import Ctx

RESERVATION = "reservation"


@get(
    "/console/reservations/{reservation_id:uuid}/payments",
    opt={"guard": permissions.SEE_PAYMENTS, "owns": {"reservation_id": "reservations"}},
    include_in_schema=False,
)
async def reservation_payments(ctx: Ctx, reservation_id: FromPath[uuid.UUID]) -> Template:
    """The payments partial the reservation page loads with htmx."""
    payments = await service.payments_for(ctx.db, ctx.tenant_id, RESERVATION, reservation_id)
    return Template("payments/_partials/payments.html", context={"payments": payments})


ROUTES: list[object] = [reservation_payments]
