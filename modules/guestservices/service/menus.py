"""The room-service and minibar menus staff keep in the console."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.web.input import read_int
from modules.frontdesk import service as frontdesk
from modules.guestservices import domain
from modules.guestservices.models import MenuItem
from modules.guestservices.repository import GuestServicesRepository
from modules.guestservices.schemas import MenuItemForm, MenuItemView

__all__ = ["get_menu_item", "menu", "save_menu_item"]


def item_view(row: MenuItem) -> MenuItemView:
    return MenuItemView(
        id=row.id,
        menu=row.menu,
        category=row.category,
        name=row.name,
        description=row.description,
        price_fen=row.price_fen,
        available=row.available,
        sort_order=row.sort_order,
    )


async def menu(
    db: AsyncSession, tenant_id: TenantId, *, available_only: bool = False
) -> dict[str, tuple[MenuItemView, ...]]:
    """Items by menu (room service first), in the order staff set. The terminal asks for
    the available ones only; the console sees all."""
    rows = await GuestServicesRepository(db, tenant_id).menu_items(available_only=available_only)
    return {
        m: tuple(item_view(r) for r in rows if r.menu == m)
        for m in domain.MENUS
        if any(r.menu == m for r in rows)
    }


async def get_menu_item(db: AsyncSession, tenant_id: TenantId, item_id: uuid.UUID) -> MenuItemView:
    row = await GuestServicesRepository(db, tenant_id).menu_item(item_id)
    if row is None:
        raise NotFound()
    return item_view(row)


def _validated(form: MenuItemForm) -> dict[str, object]:
    errors = []
    name = form.name.strip()
    if not name or len(name) > 80:
        errors.append(domain.field("name", "Enter the item's name (at most 80 characters)."))
    if form.menu not in domain.MENUS:
        errors.append(domain.field("menu", "Choose a menu."))
    if len(form.category.strip()) > 40:
        errors.append(domain.field("category", "At most 40 characters."))
    if len(form.description.strip()) > 300:
        errors.append(domain.field("description", "At most 300 characters."))
    price = None
    try:
        price = frontdesk.parse_amount(form.price, "price")
    except Invalid:
        errors.append(domain.field("price", "Enter a price in yuan, such as 28 or 28.50."))
    sort_order = read_int(form.sort_order.strip() or "0", minimum=-9999, maximum=9999)
    if sort_order is None:
        errors.append(domain.field("sort_order", "Enter a whole number."))
    if errors:
        raise Invalid(errors=errors)
    return {
        "menu": form.menu,
        "category": form.category.strip(),
        "name": name,
        "description": form.description.strip(),
        "price_fen": price,
        "available": form.available in ("1", "on", "true"),
        "sort_order": sort_order,
    }


async def save_menu_item(
    db: AsyncSession, tenant_id: TenantId, form: MenuItemForm, item_id: uuid.UUID | None = None
) -> MenuItemView:
    """Add an item, or change one. A price change applies to later orders only: each
    order line keeps the price it was charged at."""
    values = _validated(form)
    repo = GuestServicesRepository(db, tenant_id)
    row = MenuItem() if item_id is None else await repo.menu_item(item_id)
    if row is None:
        raise NotFound()
    for key, value in values.items():
        setattr(row, key, value)
    await repo.save(row)
    return item_view(row)
