"""Small helpers the front desk's pages share."""

from __future__ import annotations

from typing import Any

from litestar import Response

from app import clock
from modules.frontdesk import domain
from modules.frontdesk.service import Actor
from tenants.context import RequestContext


def actor(ctx: RequestContext) -> Actor:
    return Actor(user_id=ctx.principal.user_id, ip=ctx.ip)


def tz(ctx: RequestContext) -> str:
    return clock.tz_of(ctx.tenant)


def pdf_response(pdf: bytes, filename: str) -> Response[bytes]:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def labels() -> dict[str, Any]:
    """English msgids of every code the pages show (templates translate them)."""
    return {
        "status": domain.RESERVATION_STATUS_LABELS,
        "payment": domain.PAYMENT_STATE_LABELS,
        "line": domain.LINE_KIND_LABELS,
        "source": domain.SOURCE_LABELS,
        "room": domain.ROOM_STATUS_LABELS,
        "feature": {**domain.FEATURE_LABELS, "same_floor": "Keep the party on one floor"},
        "kind": domain.UNIT_KIND_LABELS,
        "method": domain.METHOD_LABELS,
    }
