"""Small helpers the guest-services pages share (console and terminal)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from modules.guestservices import domain

T = TypeVar("T")

QUEUE_ROLES = frozenset({"manager", "front_desk"})
MANAGER_ROLES = frozenset({"manager"})


async def attempt(db: AsyncSession, call: Awaitable[T]) -> T:
    """Run a service call in a savepoint: when it refuses the form, whatever it had
    written is undone, and the page re-rendered with the errors commits nothing of it."""
    async with db.begin_nested():
        return await call


def field_errors(exc: AppError) -> dict[str, str]:
    """An error's field messages translated, keyed by field; other errors under `_`."""
    found = {
        str(e["field"]): translate(str(e.get("message", "")))
        for e in exc.errors or []
        if e.get("field")
    }
    if not found:
        found["_"] = translate(exc.message)
    return found


def labels() -> dict[str, Any]:
    """English msgids of every code the pages show (templates translate them)."""
    return {
        "kind": domain.KIND_LABELS,
        "status": domain.STATUS_LABELS,
        "action": domain.ACTION_LABELS,
        "menu": domain.MENU_LABELS,
        "order_status": domain.ORDER_STATUS_LABELS,
        "order_action": domain.ORDER_ACTION_LABELS,
        "category": domain.COMPLAINT_CATEGORY_LABELS,
        "complaint_status": domain.COMPLAINT_STATUS_LABELS,
        "subject": domain.RATING_SUBJECT_LABELS,
    }
