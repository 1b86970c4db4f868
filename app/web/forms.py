"""Form helpers every module's console and terminal pages share: a service call in a
savepoint, and a refusal's messages keyed by field for the form that is shown again."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError
from app.i18n import gettext as translate  # runtime msgids (errors), not literals

T = TypeVar("T")


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
