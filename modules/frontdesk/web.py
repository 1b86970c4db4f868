"""Small helpers the front desk's pages share."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from litestar import Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from modules.frontdesk import domain
from modules.frontdesk.service import Actor
from tenants.context import RequestContext

T = TypeVar("T")


def actor(ctx: RequestContext) -> Actor:
    return Actor(user_id=ctx.principal.user_id, ip=ctx.ip)


def tz(ctx: RequestContext) -> str:
    return ctx.tenant.timezone if ctx.tenant else "Asia/Shanghai"


async def attempt(db: AsyncSession, call: Awaitable[T]) -> T:
    """Run a service call in a savepoint: when it refuses the form, whatever it had
    written is undone, and the page re-rendered with the errors commits nothing of it."""
    async with db.begin_nested():
        return await call


def field_errors(exc: AppError) -> dict[str, str]:
    """An `Invalid`'s field errors translated, keyed by field; other errors under `_`."""
    found = {
        str(e["field"]): translate(str(e.get("message", "")))
        for e in exc.errors or []
        if e.get("field")
    }
    if not found:
        found["_"] = translate(exc.message)
    return found


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
