"""Orders to the room: the room-service and minibar menus staff keep, and a guest's order
charged to the stay's folio in the same transaction as the order itself.

Each item line of an order becomes one folio line ("重庆小面 ×2", its amount, under the
Dining or Minibar outlet), so the bill says what was eaten; the order line keeps the folio
line's id."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.frontdesk import service as frontdesk
from modules.guestservices import domain
from modules.guestservices.models import MenuItem, RoomOrder, RoomOrderLine
from modules.guestservices.repository import GuestServicesRepository
from modules.guestservices.schemas import OrderView
from modules.guestservices.service.views import in_house_stay, order_view

__all__ = ["advance_order", "order_queue", "parse_quantities", "place_order", "stay_orders"]


def parse_quantities(quantities: Mapping[str, str]) -> dict[uuid.UUID, int]:
    """The guest's quantities by menu item; blank or 0 is not ordered. Field errors name
    the item's field (`qty_<id>`) so the terminal can mark it."""
    wanted: dict[uuid.UUID, int] = {}
    errors = []
    for key, text in quantities.items():
        qty = domain.parse_quantity(text)
        if qty == 0:
            continue
        try:
            item_id = uuid.UUID(key)
        except ValueError:
            item_id = None
        if qty is None or item_id is None:
            errors.append(domain.field(f"qty_{key}", "Enter a quantity from 0 to 20."))
        elif qty:
            wanted[item_id] = qty
    if errors:
        raise Invalid(errors=errors)
    if not wanted:
        raise Invalid.field("quantities", "Choose at least one item.")
    return wanted


def _menu_order(item: MenuItem) -> tuple[int, int, str]:
    return (domain.MENUS.index(item.menu), item.sort_order, item.name)


def _check_items(wanted: dict[uuid.UUID, int], items: dict[uuid.UUID, MenuItem]) -> None:
    for item_id in wanted:
        item = items.get(item_id)
        if item is None:
            raise Invalid.field(f"qty_{item_id}", "This item is not on the menu.")
        if not item.available:
            raise Conflict(_("Sorry, %(name)s is not available right now.", name=item.name))


async def place_order(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    stay_id: uuid.UUID,
    quantities: Mapping[str, str],
    note: str = "",
    device_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> OrderView:
    """Order from the terminal and charge the stay at once: the order, its lines and their
    folio charges are written together or not at all (a charge refused because the guest
    has just checked out takes the order with it)."""
    now = now or clock.now()
    wanted = parse_quantities(quantities)
    if len(note.strip()) > 500:
        raise Invalid.field("note", "Too long.")
    stay = await in_house_stay(db, tenant_id, stay_id)
    repo = GuestServicesRepository(db, tenant_id)
    items = {i.id: i for i in await repo.menu_items(ids=wanted)}
    _check_items(wanted, items)
    ordered = sorted(wanted.items(), key=lambda kv: _menu_order(items[kv[0]]))
    order = RoomOrder(
        stay_id=stay.id,
        unit_id=stay.unit_id,
        unit_number=stay.unit_number,
        guest_name=stay.guest_name,
        status=domain.OrderStatus.NEW,
        total_fen=sum(items[i].price_fen * q for i, q in ordered),
        note=note.strip(),
        device_id=device_id,
        created_at=now,
        status_changed_at=now,
    )
    await repo.save(order)
    lines = [await _charge(db, tenant_id, order, items[i], q, now) for i, q in ordered]
    await repo.save(*lines)
    return order_view(order, lines, now)


async def _charge(
    db: AsyncSession,
    tenant_id: TenantId,
    order: RoomOrder,
    item: MenuItem,
    qty: int,
    now: datetime,
) -> RoomOrderLine:
    """One item of the order as one charge on the folio ("重庆小面 ×2"), under the menu's
    outlet, and the order line that remembers the price and the folio line."""
    charge = await frontdesk.post_charge(
        db,
        tenant_id,
        stay_id=order.stay_id,
        description=f"{item.name} ×{qty}",
        amount_fen=item.price_fen * qty,
        source=domain.MENU_SOURCES[item.menu],
    )
    return RoomOrderLine(
        order_id=order.id,
        menu_item_id=item.id,
        name=item.name,
        unit_price_fen=item.price_fen,
        quantity=qty,
        amount_fen=item.price_fen * qty,
        folio_line_id=charge.id,
        created_at=now,
    )


async def advance_order(
    db: AsyncSession,
    tenant_id: TenantId,
    order_id: uuid.UUID,
    action: str,
    *,
    by_user_id: uuid.UUID | None,
    now: datetime | None = None,
) -> OrderView:
    """The kitchen starts an order or marks it delivered."""
    now = now or clock.now()
    if action not in domain.ORDER_ACTIONS:
        raise Invalid.field("action", "Unknown action.")
    target, allowed_from = domain.ORDER_ACTIONS[action]
    repo = GuestServicesRepository(db, tenant_id)
    row = await repo.one(RoomOrder, order_id, for_update=True)
    if row is None:
        raise NotFound()
    if row.status not in allowed_from:
        raise Conflict("This order has already moved on; the list is refreshed.")
    row.status, row.status_changed_at, row.status_changed_by = target, now, by_user_id
    await repo.save(row)
    return order_view(row, await repo.order_lines([row.id]), now)


async def stay_orders(
    db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID, *, now: datetime | None = None
) -> tuple[OrderView, ...]:
    """This stay's orders only (the terminal's list), newest first."""
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    rows = await repo.orders(stay_id=stay_id)
    scores = {
        r.order_id: r.score for r in await repo.ratings_of_stay(stay_id) if r.order_id is not None
    }
    return await _with_lines(repo, rows, now, scores)


async def order_queue(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    status: str | None = None,
    now: datetime | None = None,
) -> tuple[OrderView, ...]:
    """The kitchen's queue: orders not yet delivered, oldest first (or one status)."""
    now = now or clock.now()
    repo = GuestServicesRepository(db, tenant_id)
    statuses = (status,) if status in domain.ORDER_STATUSES else domain.OPEN_ORDER_STATUSES
    rows = sorted(await repo.orders(statuses=statuses), key=lambda r: r.created_at)
    if status == domain.OrderStatus.DELIVERED:
        rows.reverse()
    return await _with_lines(repo, rows, now, {})


async def _with_lines(
    repo: GuestServicesRepository,
    orders: Sequence[RoomOrder],
    now: datetime,
    scores: Mapping[uuid.UUID, int],
) -> tuple[OrderView, ...]:
    by_order: dict[uuid.UUID, list[RoomOrderLine]] = defaultdict(list)
    for line in await repo.order_lines(o.id for o in orders):
        by_order[line.order_id].append(line)
    return tuple(order_view(o, by_order[o.id], now, scores.get(o.id)) for o in orders)
