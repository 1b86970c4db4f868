"""Demo data of the terminals module for `make run` (never production). Idempotent: a
tenant that already has terminals is left alone.

Hotels get terminals in two occupied rooms and one empty room, information pages (Wi-Fi,
breakfast, gym), scenic spots near 解放碑 and an announcement. Cruise lines get cabin
terminals on the first voyage, every voyage's ports of call (REFERENCE §5.2) and an
announcement for the first voyage. The terminals are paired, but nobody knows their
tokens: in development open `/terminal/<slug>/demo/<room>` (or the console's "open as
this terminal" button), which re-keys that room's terminal for the browser."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.security.tokens import digest, new_secret
from app.settings import get_settings
from modules.frontdesk import service as frontdesk
from modules.reservations import service as reservations
from modules.terminals.models import (
    Announcement,
    InfoPage,
    PortCall,
    ScenicSpot,
    TerminalDevice,
)
from modules.terminals.repository import ContentRepository, DeviceRepository

log = logging.getLogger("zhilv.demo")

HOTEL_PAGES = (
    (
        "wifi",
        "无线网络 Wi-Fi",
        "网络名称：JFB-Guest\n\n密码：jfb88886666\n\n全酒店覆盖，如无法连接请致电前台（内线 0）。",
    ),
    (
        "dining",
        "早餐",
        "自助早餐 6:30–10:00，2楼 山城餐厅。\n\n凭房卡用餐；儿童身高 1.2 米以下免费。",
    ),
    (
        "facilities",
        "健身房",
        "5楼健身房 24 小时开放，凭房卡进入。\n\n泳池 6:00–22:00，请穿着泳帽。",
    ),
    (
        "hours",
        "退房与行李",
        "退房时间为中午 12:00，如需延迟退房请联系前台。\n\n大堂可免费寄存行李。",
    ),
)
HOTEL_SPOTS = (
    ("解放碑步行街", "重庆的城市地标，商圈与美食街环绕人民解放纪念碑。", "全天开放", 0, 300),
    (
        "洪崖洞",
        "依山而建的吊脚楼群，夜景灯光最负盛名，建议傍晚前往。",
        "全天开放，亮灯约 18:30–23:00",
        0,
        1500,
    ),
    (
        "长江索道",
        "1989 年投入运营的跨江客运索道，连接渝中新华路与南岸上新街，可俯瞰两江。",
        "请以现场公告为准",
        2000,
        900,
    ),
)
CRUISE_PAGES = (
    (
        "wifi",
        "船上无线网络",
        "网络名称：SJSH-Guest\n\n密码：shenhua2026\n\n航行经过峡谷时信号可能中断。",
    ),
    (
        "dining",
        "餐厅与用餐时间",
        "三楼 长江餐厅：早餐 7:00–8:30，午餐 12:00–13:30，晚餐 18:00–19:30。",
    ),
    ("facilities", "上岸须知", "上岸游览请随身携带登船卡与身份证，并按广播通知的时间返船。"),
)


@dataclass(frozen=True)
class Call:
    day: int
    port: str
    arrive: time | None
    depart: time | None
    activity: str


# REFERENCE §5.2: the typical 4-day / 3-night downstream schedule, Chongqing → Yichang.
ITINERARY = (
    Call(1, "重庆朝天门", None, time(21, 0), "18:00 起登船，夜游两江"),
    Call(2, "丰都", time(8, 0), time(11, 0), "上岸游览丰都鬼城"),
    Call(2, "石宝寨（忠县）", time(16, 0), time(18, 0), "自费项目；晚间船长欢迎酒会"),
    Call(3, "白帝城（奉节）", time(7, 30), time(10, 0), "自费项目；约 11:00 经瞿塘峡夔门"),
    Call(3, "巫山小三峡", time(13, 30), time(18, 0), "换乘小船游览大宁河"),
    Call(4, "三峡大坝", time(8, 0), time(11, 0), "坛子岭、185 平台"),
    Call(4, "宜昌", time(12, 0), None, "离船"),
)


async def seed_demo(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    """Terminals and their content for the demo hotel and the demo cruise line."""
    if "hotel" not in kinds and "cruise" not in kinds:
        return
    if await DeviceRepository(db, tenant_id).devices():
        return
    content = ContentRepository(db, tenant_id)
    if "cruise" in kinds:
        rooms = await _cruise(db, tenant_id, content)
    else:
        rooms = await _hotel(db, tenant_id, content, spots="hot_spring" not in kinds)
    await content.flush()
    log.info(
        "demo terminals in %s: open one from the console (Terminals, 'open as this "
        "terminal') or at %s/terminal/<enterprise code>/demo/<room>",
        ", ".join(rooms),
        get_settings().base_url,
    )


async def _devices(
    db: AsyncSession, tenant_id: TenantId, units: list[reservations.UnitView]
) -> list[str]:
    """Paired terminals (their secrets thrown away: the demo path re-keys them)."""
    repo = DeviceRepository(db, tenant_id)
    now = clock.now()
    for unit in units:
        repo.add(
            TerminalDevice(
                name=f"{unit.number} 客房终端",
                unit_id=unit.id,
                secret_hash=digest(new_secret()),
                paired_at=now,
            )
        )
    return [u.number for u in units]


def _pages(content: ContentRepository, pages: tuple[tuple[str, str, str], ...]) -> None:
    for order, (category, title, body) in enumerate(pages):
        content.add(
            InfoPage(title=title, body=body, category=category, sort_order=order, published=True)
        )


async def _hotel(
    db: AsyncSession, tenant_id: TenantId, content: ContentRepository, *, spots: bool
) -> list[str]:
    units = [u for u in await reservations.list_units(db, tenant_id) if u.kind == "room"]
    occupied = [u for u in units if await frontdesk.current_stay_for_unit(db, tenant_id, u.id)]
    empty = [u for u in units if u not in occupied][:1]
    _pages(content, HOTEL_PAGES)
    for order, (name, text, hours, ticket, metres) in enumerate(HOTEL_SPOTS if spots else ()):
        content.add(
            ScenicSpot(
                name=name,
                description=text,
                opening_hours=hours,
                ticket_fen=ticket,
                distance_m=metres,
                sort_order=order,
                published=True,
            )
        )
    now = clock.now()
    content.add(
        Announcement(
            body="今晚 18:00–21:00 行政酒廊欢乐时光，住店客人凭房卡免费享用",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=30),
        )
    )
    return await _devices(db, tenant_id, [*occupied[:2], *empty])


async def _cruise(db: AsyncSession, tenant_id: TenantId, content: ContentRepository) -> list[str]:
    voyages = await reservations.list_voyages(db, tenant_id)
    if not voyages:
        return []
    _pages(content, CRUISE_PAGES)
    for voyage in voyages:
        for c in ITINERARY:
            content.add(
                PortCall(
                    voyage_id=voyage.id,
                    day_no=c.day,
                    port=c.port,
                    arrive_time=c.arrive,
                    depart_time=c.depart,
                    activity=c.activity,
                )
            )
    # The cabins of the voyage under way today (the demo's boarding one), else the first.
    today = clock.today()
    first = next((v for v in voyages if v.depart_on <= today < v.arrive_on), voyages[0])
    now = clock.now()
    content.add(
        Announcement(
            body="明早 08:00 游轮抵达丰都，可上岸游览鬼城（约 3 小时）",
            voyage_id=first.id,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=30),
        )
    )
    cabins = [u for u in await reservations.list_units(db, tenant_id) if u.voyage_id == first.id]
    return await _devices(db, tenant_id, cabins[:3])
