"""Things that happened, told in the same transaction to whoever listens.

A module that records something other modules care about (a reservation checked in, a
passenger boarded, a spa ticket admitted) publishes an event; a module that cares subscribes a
handler. The publisher never imports the listener (modules never import each other in a
circle), and the handler runs inside the publisher's transaction, so what it writes (a
callback to a distributor, enqueued as a job) commits or rolls back with the cause.

The composition root (`app.main`, `workers.app`) subscribes the handlers modules export as
`EVENT_HANDLERS` (a mapping of event name to handler). Events are named
`"<module>.<what happened>"`; the payload is JSON-able ids and values.

Events published so far:

- `reservations.checked_in` {reservation_id}: a reservation's guest checked in (hotel desk),
- `boarding.boarded` {reservation_id, passenger_id}: a passenger of a cruise booking boarded,
- `keytags.admitted` {reservation_id, visit_id}: an online spa ticket was admitted at the desk.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId

Handler = Callable[[AsyncSession, TenantId, Mapping[str, Any]], Awaitable[None]]

_handlers: dict[str, list[Handler]] = {}


def subscribe(name: str, handler: Handler) -> None:
    """Add a handler for `name` (once: subscribing the same handler again changes nothing)."""
    handlers = _handlers.setdefault(name, [])
    if handler not in handlers:
        handlers.append(handler)


def subscribe_all(handlers: Mapping[str, Handler]) -> None:
    for name, handler in handlers.items():
        subscribe(name, handler)


async def publish(db: AsyncSession, tenant_id: TenantId, name: str, **payload: Any) -> None:
    """Run every handler of `name` now, in the caller's transaction and tenant binding.
    A handler that raises fails the caller's transaction: the cause and its consequences
    commit together or not at all."""
    for handler in _handlers.get(name, ()):
        await handler(db, tenant_id, payload)
