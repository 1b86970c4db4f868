"""Small helpers the group pages share."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.errors import AppError
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from modules.groups.service import Actor
from tenants.context import RequestContext

T = TypeVar("T")
ROLES = frozenset({"manager", "agent"})


def actor(ctx: RequestContext) -> Actor:
    return Actor(user_id=ctx.principal.user_id, ip=ctx.ip)


def today(ctx: RequestContext) -> date:
    """The enterprise's date (departure days are local days)."""
    return clock.today(clock.tz_of(ctx.tenant))


def prefix(ctx: RequestContext) -> str:
    from modules.groups import domain

    return domain.group_no_prefix(ctx.tenant.slug if ctx.tenant else "")


async def attempt(db: AsyncSession, call: Awaitable[T]) -> T:
    """Run a service call in a savepoint: when it refuses the form, whatever it had
    written is undone, and the page re-rendered with the errors commits nothing of it."""
    async with db.begin_nested():
        return await call


def _message(error: dict[str, object]) -> str:
    params = error.get("params")
    values = {k: str(v) for k, v in params.items()} if isinstance(params, dict) else {}
    return translate(str(error.get("message", "")), **values)


def field_errors(exc: AppError) -> dict[str, list[str]]:
    """An error's messages translated, by field (several per field: each contract that
    cannot join says why); the error's own message under `_`."""
    found: dict[str, list[str]] = {"_": [translate(exc.message)]}
    for error in exc.errors or []:
        found.setdefault(str(error.get("field") or "_"), []).append(_message(error))
    return found
