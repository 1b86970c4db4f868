"""Demo data of the guestservices module for `make run` (never production). Idempotent.

Hotels and cruise lines get a room-service (or cabin-service) menu and a minibar; the
guests the front desk's demo checked in have asked for a few things and one has
complained, so the console's queues are not empty. Once the enterprise has any menu item
this changes nothing, so restarts do not pile up requests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from modules.frontdesk import service as frontdesk
from modules.guestservices.repository import GuestServicesRepository
from modules.guestservices.schemas import ComplaintForm, MenuItemForm, RequestForm
from modules.guestservices.service import (
    advance_request,
    file_complaint,
    request_service,
    save_menu_item,
)

# (category, name, description, price in yuan)
HOTEL_ROOM_SERVICE = (
    ("面食", "重庆小面", "麻辣鲜香，豌杂可选", "28.00"),
    ("面食", "酸辣粉", "红薯粉，酸辣开胃", "22.00"),
    ("面食", "担担面", "芽菜肉臊，微辣", "26.00"),
    ("火锅", "老火锅套餐", "牛油锅底配毛肚、鸭肠、黄喉，两人份", "168.00"),
)
CRUISE_CABIN_SERVICE = (
    ("茶点", "江景下午茶", "三峡沱茶配重庆小点心，两人份", "68.00"),
    ("夜宵", "长江鱼片粥", "现熬鱼片粥", "38.00"),
    ("夜宵", "重庆小面", "麻辣鲜香", "28.00"),
    ("水果", "时令水果拼盘", "当季水果", "48.00"),
)
MINIBAR = (
    ("酒水", "山城啤酒", "500 毫升", "15.00"),
    ("饮料", "矿泉水", "550 毫升", "5.00"),
    ("饮料", "可乐", "330 毫升听装", "8.00"),
    ("茶叶", "沱茶", "重庆沱茶一盒，可带走", "38.00"),
)


async def _menus(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    dishes = HOTEL_ROOM_SERVICE if "hotel" in kinds else CRUISE_CABIN_SERVICE
    for menu, items in (("room_service", dishes), ("minibar", MINIBAR)):
        for order, (category, name, description, price) in enumerate(items, start=1):
            form = MenuItemForm(
                menu=menu,
                category=category,
                name=name,
                description=description,
                price=price,
                available="1",
                sort_order=str(order * 10),
            )
            await save_menu_item(db, tenant_id, form)


async def _guests_asking(db: AsyncSession, tenant_id: TenantId, tz: str) -> None:
    """Requests and a complaint from the guests checked in today (none when nobody is)."""
    desk = await frontdesk.desk_day(db, tenant_id, day=None, tz=tz)
    stays = sorted((s for s in desk.stays.values() if s.in_house), key=lambda s: s.unit_number)
    if not stays:
        return
    first = stays[0]
    towels = RequestForm(kind="towels", note="两条浴巾")
    await request_service(db, tenant_id, stay_id=first.id, form=towels, tz=tz)
    complaint = ComplaintForm(
        category="noise", body="隔壁房间深夜喧哗，影响休息。", contact_phone="13508300001"
    )
    await file_complaint(db, tenant_id, stay_id=first.id, form=complaint)
    last = stays[-1]
    wakeup = RequestForm(kind="wakeup", at="07:00")
    await request_service(db, tenant_id, stay_id=last.id, form=wakeup, tz=tz)
    cleaned = await request_service(
        db, tenant_id, stay_id=last.id, form=RequestForm(kind="housekeeping"), tz=tz
    )
    await advance_request(db, tenant_id, cleaned.id, "done", by_user_id=None)


async def seed_demo(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...], *, tz: str = clock.DEFAULT_TZ
) -> bool:
    """Menus and a lived-in queue for hotels and cruise lines; False when not one of them
    or already seeded."""
    if not any(k in ("hotel", "cruise") for k in kinds):
        return False
    if await GuestServicesRepository(db, tenant_id).any_menu_item():
        return False
    await _menus(db, tenant_id, kinds)
    await _guests_asking(db, tenant_id, tz)
    return True
