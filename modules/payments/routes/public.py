"""The payment provider's webhook."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, post

from modules.payments import permissions, service
from tenants.context import Ctx

log = logging.getLogger("zhilv.payments")


@post(
    "/webhooks/stripe",
    opt={"guard": permissions.PROVIDER},
    include_in_schema=False,
    status_code=200,
)
async def stripe_webhook(request: Request[Any, Any, Any], ctx: Ctx) -> Response[dict[str, bool]]:
    """Stripe's deliveries: 200 once the event is stored (or was already), 400 when the
    signature does not verify, so Stripe retries only what we did not take."""
    outcome = await service.receive_webhook(
        ctx.db, await request.body(), request.headers.get("stripe-signature")
    )
    log.info("stripe webhook %s", outcome, extra={"fields": {"outcome": outcome}})
    return Response({"received": True}, status_code=200)


ROUTES: list[object] = [stripe_webhook]
