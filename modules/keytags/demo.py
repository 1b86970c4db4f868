"""Demo data of the keytags module for the demo hot-spring resort (`make run`, never
production): 重庆北碚缙云温泉度假酒店 on the slope of 缙云山.

- its rules (lost tag ¥50, cash deposit ¥500, 30 minutes to pass the exit gate once settled,
  an outlet voids its own sale within 10 minutes);
- ticket types: 成人票 ¥368 on weekdays, ¥398 at weekends and on public holidays; 儿童票
  (1.1–1.4 m) and 长者票 (65 and over) at half; 夜场票 from 18:00 (six hours); every ticket
  covers its time, then ¥20 per started hour after a 15-minute grace (REFERENCE.md §5.3, §7);
  adults' and children's tickets are also sold online (keytags keeps their unit types in step);
- the public holidays of 2026 as announced (and the working weekends of 调休); of 2027 only
  the statutory days whose dates are fixed (元旦, 劳动节, 国庆) until the year's arrangement
  is announced;
- changing rooms 男宾 M001–M120, 女宾 F001–F120, 亲子 J001–J030; 300 RFID tags (UIDs
  04A3000001…, printed numbers 0001…);
- five outlets with Chongqing prices: 缙云餐厅, 泉畔水吧 (the "餐饮吧台 POS" key's outlet),
  养生按摩 (a concession, the resort keeps 30 %), 私汤 by the hour, 泉畔小铺; five members
  with prepaid balances;
- today: twelve guests in the resort with lockers and charges at the restaurant, the bar, the
  massage rooms and the private pools (one lost her tag: it is blocked, a replacement carries
  her tab on, with the lost-tag fee), and two who have paid and gone out through the gate;
- last month: a few hundred visits, settled and closed, with their charges, bindings and
  payments, from which the resort's `hot_spring_monthly` report is filed.

Through the module's services where a person would act (admission, charges); the set-up rows
and last month's history are written in bulk (hundreds of rows in a few statements). Runs
again without duplicates: what exists is left alone, today's guests are admitted once a day,
last month once.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import SYSTEM, Actor
from app.db.base import uuid7
from app.db.engine import TenantId
from modules.keytags import domain, service
from modules.keytags.models import (
    CalendarDay,
    Charge,
    KeyTag,
    LockerSection,
    Outlet,
    OutletItem,
    Shift,
    Tender,
    TicketType,
    Visit,
    VisitTag,
)
from modules.keytags.repository.catalog import CatalogRepository
from modules.keytags.repository.demo import DemoRepository
from modules.keytags.schemas.desk import PersonInput
from modules.keytags.schemas.setup import ItemInput, OutletInput
from modules.keytags.schemas.tickets import TicketInput
from tenants import service as tenants

log = logging.getLogger("zhilv.keytags")

# The set-up ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoTicket:
    code: str
    name: str
    name_en: str
    category: str
    weekday_yuan: int
    weekend_yuan: int  # weekends and public holidays
    description: str
    base_minutes: int = 720
    credit_limit_yuan: int = 500
    sold_from: time | None = None
    sold_online: bool = False


TICKETS = (
    DemoTicket(
        "ADULT", "成人票", "Adult", "adult", 368, 398,
        "12小时内不限次泡汤，超时每小时20元（15分钟内不计）", sold_online=True,
    ),
    DemoTicket(
        "CHILD", "儿童票", "Child", "child", 184, 199,
        "身高1.1–1.4米，须由成人陪同；1.1米以下免票", credit_limit_yuan=200, sold_online=True,
    ),
    DemoTicket(
        "SENIOR", "长者票", "Senior", "senior", 184, 199, "65周岁及以上，凭身份证",
    ),
    DemoTicket(
        "EVENING", "夜场票", "After 18:00", "evening", 198, 228,
        "18:00后入场，含6小时，超时每小时20元", base_minutes=360, sold_from=time(18, 0),
    ),
)  # fmt: skip

# 国务院办公厅 2026 arrangement: the holidays, and the weekends worked instead (调休).
HOLIDAYS_2026 = (
    ("元旦", date(2026, 1, 1), date(2026, 1, 3)),
    ("春节", date(2026, 2, 15), date(2026, 2, 23)),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6)),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5)),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21)),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27)),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7)),
)
WORKING_WEEKENDS_2026 = (
    ("元旦调休上班", date(2026, 1, 4)),
    ("春节调休上班", date(2026, 2, 14)),
    ("春节调休上班", date(2026, 2, 28)),
    ("劳动节调休上班", date(2026, 5, 9)),
    ("国庆节调休上班", date(2026, 9, 20)),
    ("国庆节调休上班", date(2026, 10, 10)),
)
# 2027: only the statutory days (全国年节及纪念日放假办法) on fixed dates; the lunar
# holidays and the year's 调休 wait for the State Council's announcement.
HOLIDAYS_2027 = (
    ("元旦", date(2027, 1, 1), date(2027, 1, 1)),
    ("劳动节", date(2027, 5, 1), date(2027, 5, 2)),
    ("国庆节", date(2027, 10, 1), date(2027, 10, 3)),
)

SECTIONS = (
    ("M", "男宾更衣室", "male", 120),
    ("F", "女宾更衣室", "female", 120),
    ("J", "亲子更衣室", "family", 30),
)
TAG_PREFIX = "04A3"
TAGS = 300


def tag_uid(n: int) -> str:
    """The demo's RFID tag n as a desk reader types it (04A3000001 …)."""
    return f"{TAG_PREFIX}{n:06X}"


@dataclass(frozen=True, slots=True)
class DemoOutlet:
    code: str
    name: str
    kind: str
    items: tuple[tuple[str, str, str, int], ...]  # code, name, unit, yuan
    concessionaire: str = ""
    commission_bp: int = 0


RESTAURANT, BAR, MASSAGE, POOL, SHOP = "CANTING", "SHUIBA", "ANMO", "SITANG", "XIAOPU"
OUTLETS = (
    DemoOutlet(RESTAURANT, "缙云餐厅", "restaurant", (
        ("MXW", "毛血旺", "item", 68), ("LZJ", "歌乐山辣子鸡", "item", 78),
        ("HGR", "回锅肉", "item", 48), ("ZSJT", "缙云竹笋炖鸡汤", "item", 88),
        ("DHF", "北碚豆花饭", "item", 28), ("XM", "重庆小面", "item", 18),
        ("SLF", "酸辣粉", "item", 16), ("HTCB", "红糖糍粑", "item", 22),
        ("MF", "米饭", "item", 3),
    )),
    DemoOutlet(BAR, "泉畔水吧", "bar", (
        ("XGZ", "鲜榨西瓜汁", "item", 28), ("NMC", "手打柠檬茶", "item", 22),
        ("CQPJ", "重庆啤酒", "item", 15), ("YZS", "椰子水", "item", 25),
        ("MGHC", "玫瑰花茶（壶）", "item", 38), ("BF", "红糖冰粉", "item", 15),
        ("GP", "时令果盘", "item", 48), ("KQS", "矿泉水", "item", 8),
    )),
    DemoOutlet(MASSAGE, "养生按摩", "massage", (
        ("TN60", "全身推拿 60分钟", "use", 198), ("ZL60", "中药足疗 60分钟", "use", 128),
        ("JJ30", "肩颈舒缓 30分钟", "use", 98), ("JY90", "精油SPA 90分钟", "use", 398),
        ("CE", "采耳", "use", 68),
    ), concessionaire="重庆北碚康悦养生服务有限公司", commission_bp=3000),
    DemoOutlet(POOL, "私汤", "pool", (
        ("ST2", "双人私汤", "hour", 168), ("ST4", "家庭私汤（4人）", "hour", 268),
    )),
    DemoOutlet(SHOP, "泉畔小铺", "shop", (
        ("YY", "泳衣", "item", 128), ("YM", "泳帽", "item", 25), ("YJ", "泳镜", "item", 45),
        ("FSD", "防水手机袋", "item", 20), ("TC", "缙云山甜茶", "item", 58),
    )),
)  # fmt: skip

MEMBERS = (
    ("JY00000001", "刘芳", "13983012345", "金卡", 2000),
    ("JY00000002", "陈晓东", "13608312266", "金卡", 1500),
    ("JY00000003", "王秀英", "15923087781", "银卡", 800),
    ("JY00000004", "周建华", "18623190036", "钻石卡", 5000),
    ("JY00000005", "邓丽君", "13752345509", "银卡", 300),
)

# Today's guests ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Guest:
    name: str
    ticket: str
    section: str  # M, F, J
    tab_mode: str  # postpay, cash_deposit, member
    minutes_ago: int
    charges: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()  # outlet, (item, qty)
    card_no: str = ""


IN_RESORT = (
    Guest("张伟", "ADULT", "M", "postpay", 290, (
        (BAR, (("XGZ", 2),)), (RESTAURANT, (("MXW", 1), ("MF", 2))), (MASSAGE, (("TN60", 1),)),
    )),
    Guest("李娜", "ADULT", "F", "postpay", 280, (
        (POOL, (("ST2", 2),)), (BAR, (("MGHC", 1),)),
    )),
    Guest("王磊", "ADULT", "M", "cash_deposit", 250, (
        (RESTAURANT, (("LZJ", 1), ("DHF", 1))), (BAR, (("CQPJ", 3),)),
    )),
    Guest("王小雨", "CHILD", "J", "postpay", 250, ((BAR, (("BF", 1),)), (SHOP, (("YM", 1),)))),
    Guest("刘芳", "ADULT", "F", "member", 230, (
        (MASSAGE, (("JY90", 1),)), (BAR, (("YZS", 1),)),
    ), card_no="JY00000001"),
    Guest("陈静", "ADULT", "F", "postpay", 200, (
        (SHOP, (("YY", 1),)), (RESTAURANT, (("XM", 1), ("HTCB", 1))), (BAR, (("NMC", 2),)),
    )),
    Guest("赵国强", "SENIOR", "M", "postpay", 180, (
        (MASSAGE, (("ZL60", 1),)), (BAR, (("MGHC", 1),)),
    )),
    Guest("孙倩", "ADULT", "F", "cash_deposit", 150, ((POOL, (("ST4", 1),)),)),
    Guest("黄志明", "ADULT", "M", "postpay", 120, (
        (RESTAURANT, (("ZSJT", 1), ("HGR", 1), ("MF", 2))), (BAR, (("GP", 1),)),
    )),
    Guest("杨帆", "ADULT", "M", "postpay", 90, ((MASSAGE, (("JJ30", 1),)),)),
    Guest("吴婷", "ADULT", "F", "postpay", 60, ((BAR, (("XGZ", 1),)),)),
    Guest("郑浩", "ADULT", "M", "postpay", 25, ()),
)  # fmt: skip
# 陈静 lost her tag after her shopping and lunch: blocked, replaced, her tab carried on.
LOST_TAG_GUEST = "陈静"
GONE = (
    Guest("何雪", "ADULT", "F", "postpay", 330, (
        (RESTAURANT, (("DHF", 1),)), (BAR, (("NMC", 1),)),
    )),
    Guest("罗斌", "SENIOR", "M", "postpay", 320, ((MASSAGE, (("ZL60", 1),)),)),
)  # fmt: skip


@dataclass(slots=True)
class MonthSummary:
    """What the demo seeded for last month, as the monthly report counts it."""

    period: str = ""
    visits: int = 0
    key_tags_issued: int = 0
    admission_revenue_fen: int = 0
    outlet_net_fen: int = 0
    overage_fen: int = 0
    stay_minutes: list[int] = field(default_factory=list)

    @property
    def consumption_revenue_fen(self) -> int:
        return self.outlet_net_fen + self.overage_fen

    @property
    def average_stay_minutes(self) -> int:
        if not self.stay_minutes:
            return 0
        return round(sum(self.stay_minutes) / len(self.stay_minutes))


@dataclass(slots=True)
class DemoSpa:
    """What one run made (empty parts were there already)."""

    admitted_today: int = 0
    last_month: MonthSummary | None = None


@dataclass(slots=True)
class _Resort:
    tickets: dict[str, TicketType]
    sections: dict[str, LockerSection]
    outlets: dict[str, Outlet]
    items: dict[tuple[uuid.UUID, str], OutletItem]
    desk: Actor
    cashier: Actor


async def seed_demo(
    db: AsyncSession,
    tenant_id: TenantId,
    kinds: tuple[str, ...],
    *,
    pos_key_id: uuid.UUID | None = None,
) -> DemoSpa:
    """The resort's key-tag set-up, today's guests and last month's visits (a hot spring
    only). `pos_key_id` is the bar's POS key (the "餐饮吧台 POS" demo key)."""
    made = DemoSpa()
    if "hot_spring" not in kinds:
        return made
    repo = DemoRepository(db, tenant_id)
    resort = await _set_up(db, tenant_id, repo)
    if pos_key_id is not None and resort.outlets[BAR].api_key_id != pos_key_id:
        await repo.link_outlet_key(resort.outlets[BAR].id, pos_key_id)
    made.last_month = await _last_month(db, tenant_id, repo, resort)
    made.admitted_today = await _today(db, tenant_id, repo, resort)
    return made


async def pos_outlet(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]
) -> Outlet | None:
    """The demo resort's bar (its POS page is the one `make run` prints), if there is one."""
    if "hot_spring" not in kinds:
        return None
    return (await DemoRepository(db, tenant_id).outlets()).get(BAR)


async def _set_up(db: AsyncSession, tenant_id: TenantId, repo: DemoRepository) -> _Resort:
    """The set-up through the module's services, each part only when it is missing (the
    holiday calendar in one statement: the calendar service re-prices the online sale on
    every call)."""
    staff = await _staff(db, tenant_id)
    if not await _has_settings(db, tenant_id):
        await service.save_rules(
            db,
            tenant_id,
            lost_tag_fee_fen=5000,
            default_deposit_fen=50000,
            exit_window_minutes=30,
            outlet_void_minutes=10,
        )
    await repo.insert_missing(CalendarDay, _calendar_rows(), ("day",))
    tickets = await repo.ticket_types()
    for order, t in enumerate(TICKETS):
        if t.code not in tickets:
            tickets[t.code] = await service.create_ticket_type(db, tenant_id, _ticket(t, order))
        elif tickets[t.code].sold_online:  # its online sale reaches 180 days from today
            await service.sync_online_ticket(db, tenant_id, tickets[t.code])
    sections = await repo.sections()
    counts = await repo.locker_counts()
    for order, (code, name, kind, total) in enumerate(SECTIONS):
        if code not in sections:
            sections[code] = await service.create_section(
                db, tenant_id, code=code, name=name, kind=kind, sort_order=order
            )
        if not counts.get(sections[code].id):
            numbers = [f"{code}{n:03d}" for n in range(1, total + 1)]
            await service.add_lockers(db, tenant_id, sections[code].id, numbers)
    if len(await repo.tags(TAG_PREFIX)) < TAGS:
        stock = [(tag_uid(n), f"{n:04d}") for n in range(1, TAGS + 1)]
        await service.register_tags(db, tenant_id, "rfid", stock)
    outlets = await repo.outlets()
    items = await repo.items()
    for order, o in enumerate(OUTLETS):
        if o.code not in outlets:
            outlets[o.code] = await service.create_outlet(
                db,
                tenant_id,
                OutletInput(
                    code=o.code,
                    name=o.name,
                    kind=o.kind,
                    concession=bool(o.concessionaire),
                    concessionaire=o.concessionaire,
                    commission_bp=o.commission_bp,
                    sort_order=order,
                ),
            )
        outlet_id = outlets[o.code].id
        for n, (code, name, unit, yuan) in enumerate(o.items):
            if (outlet_id, code) not in items:
                items[(outlet_id, code)] = await service.add_item(
                    db,
                    tenant_id,
                    outlet_id,
                    ItemInput(
                        code=code, name=name, name_en="", unit=unit, price_fen=yuan * 100,
                        sort_order=n,
                    ),
                )  # fmt: skip
    cashier = staff.get("cashier", SYSTEM)
    await _members(db, tenant_id, repo, cashier)
    return _Resort(
        tickets=tickets,
        sections=sections,
        outlets=outlets,
        items=items,
        desk=staff.get("front_desk", SYSTEM),
        cashier=cashier,
    )


def _ticket(t: DemoTicket, order: int) -> TicketInput:
    return TicketInput(
        code=t.code,
        name=t.name,
        name_en=t.name_en,
        category=domain.TicketCategory(t.category),
        price_weekday_fen=t.weekday_yuan * 100,
        price_weekend_fen=t.weekend_yuan * 100,
        price_holiday_fen=t.weekend_yuan * 100,
        base_minutes=t.base_minutes,
        grace_minutes=15,
        overage_fen_per_hour=2000,
        credit_limit_fen=t.credit_limit_yuan * 100,
        sold_from=t.sold_from,
        description=t.description,
        sold_online=t.sold_online,
        sort_order=order,
        active=True,
    )


async def _has_settings(db: AsyncSession, tenant_id: TenantId) -> bool:
    return await CatalogRepository(db, tenant_id).settings() is not None


def _calendar_rows() -> list[dict[str, Any]]:
    rows = []
    for name, first, last in (*HOLIDAYS_2026, *HOLIDAYS_2027):
        day = first
        while day <= last:
            rows.append({"id": uuid7(), "day": day, "kind": "holiday", "name": name})
            day += timedelta(days=1)
    for name, day in WORKING_WEEKENDS_2026:
        rows.append({"id": uuid7(), "day": day, "kind": "weekday", "name": name})
    return rows


async def _members(
    db: AsyncSession, tenant_id: TenantId, repo: DemoRepository, cashier: Actor
) -> None:
    """Member cards opened and topped up at the till (a top-up is money in a cashier's
    shift: with no cashier to take it, the cards stay at zero)."""
    existing = await repo.members()
    for card_no, name, phone, level, yuan in MEMBERS:
        if card_no in existing:
            continue
        member = await service.create_member(
            db, tenant_id, card_no=card_no, name=name, phone=phone, level=level
        )
        if cashier.user_id is not None:
            await service.top_up(
                db, tenant_id, member.id, yuan * 100, method="wechat", actor=cashier
            )


async def _staff(db: AsyncSession, tenant_id: TenantId) -> dict[str, Actor]:
    """The first active staff member of each role, as the actor of the desk's work."""
    found: dict[str, Actor] = {}
    for row in await tenants.list_staff(db, tenant_id):
        role = row.membership.role
        if role not in found:
            found[role] = Actor(user_id=row.user.id, name=row.user.display_name or "")
    return found


# Today ---------------------------------------------------------------------------------


async def _today(
    db: AsyncSession, tenant_id: TenantId, repo: DemoRepository, resort: _Resort
) -> int:
    """Twelve guests in the resort and two gone, unless today's guests came already."""
    today = clock.today()
    if await repo.visits_on(today):
        return 0
    now = clock.now()
    # Early in the morning the day is young: the guests came since midnight.
    midnight = datetime.combine(today, time(0), clock.zone())
    since_midnight = int((now - midnight).total_seconds() // 60)
    oldest = max(g.minutes_ago for g in (*IN_RESORT, *GONE))
    scale = min(1.0, max(since_midnight - 5, 1) / oldest)
    free = [t for t in await repo.tags(TAG_PREFIX) if t.status == "available"]
    if len(free) < len(GONE) + len(IN_RESORT) + 1:  # earlier days' guests still hold them
        log.info("demo key tags: too few tags in stock for today's guests, skipped")
        return 0
    tags = iter(free)
    seq = 0
    for guest in (*GONE, *IN_RESORT):
        tag = next(tags)
        opened = now - timedelta(minutes=guest.minutes_ago * scale)
        visit = await _admit(db, tenant_id, repo, resort, guest, tag, opened)
        for n, (outlet_code, lines) in enumerate(guest.charges, start=1):
            seq += 1
            at = opened + (now - opened) * n / (len(guest.charges) + 1)
            if guest.name == LOST_TAG_GUEST and outlet_code == BAR:
                tag = next(tags)
                await _lose_and_replace(
                    db, tenant_id, repo, resort, visit, tag, at - timedelta(minutes=5)
                )
            await _charge(db, tenant_id, resort, tag, outlet_code, lines, seq, at)
        if guest in GONE:
            await _settle_and_leave(db, tenant_id, repo, resort, visit, tag, now)
    return len(GONE) + len(IN_RESORT)


async def _admit(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: DemoRepository,
    resort: _Resort,
    guest: Guest,
    tag: KeyTag,
    opened: datetime,
) -> Visit:
    """Admitted at the desk (the desk's own service), then dated back to when they came."""
    person = PersonInput(
        ticket_type_id=resort.tickets[guest.ticket].id,
        tag_uid=tag.uid,
        section_id=resort.sections[guest.section].id,
        guest_name=guest.name,
    )
    visit = await service.open_visit(
        db,
        tenant_id,
        person,
        actor=resort.desk,
        source="member" if guest.card_no else "walk_in",
        tab_mode=guest.tab_mode,
        card_no=guest.card_no,
    )
    visit.opened_at = visit.gate_in_at = opened
    await repo.backdate_visit(visit.id, opened)
    return visit


async def _charge(
    db: AsyncSession,
    tenant_id: TenantId,
    resort: _Resort,
    tag: KeyTag,
    outlet_code: str,
    lines: tuple[tuple[str, int], ...],
    seq: int,
    at: datetime,
) -> None:
    outlet = resort.outlets[outlet_code]
    await service.charge(
        db,
        tenant_id,
        tag_uid=tag.uid,
        items=[service.ItemQty(code, qty) for code, qty in lines],
        device_id=f"demo-pos-{outlet.code.lower()}-{clock.today():%Y%m%d}",
        device_seq=seq,
        actor=resort.cashier,
        outlet_id=outlet.id,
        occurred_at=at,
    )


async def _lose_and_replace(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: DemoRepository,
    resort: _Resort,
    visit: Visit,
    new_tag: KeyTag,
    at: datetime,
) -> None:
    """The guest lost her tag: blocked at the desk with the lost-tag fee, a new one bound to
    the same visit (the desk's own services), then dated back to when it happened."""
    del resort
    await service.block_tag(db, tenant_id, visit.id, reason="客人报失", actor=SYSTEM)
    await service.replace_tag(db, tenant_id, visit.id, tag_uid=new_tag.uid, actor=SYSTEM)
    await repo.backdate_replacement(visit.id, at)


async def _settle_and_leave(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: DemoRepository,
    resort: _Resort,
    visit: Visit,
    tag: KeyTag,
    now: datetime,
) -> None:
    """Paid at the exit desk by WeChat Pay and out through the gate (the exit desk's and
    the gate's own services), then dated back to a little while ago."""
    await service.settle(db, tenant_id, visit.id, method="wechat", actor=resort.cashier)
    passed = await service.gate(
        db, tenant_id, uid=tag.uid, direction="out", device_id="demo-exit-gate", actor=SYSTEM
    )
    if passed.opened:
        await repo.backdate_exit(visit.id, now - timedelta(minutes=35), now - timedelta(minutes=28))


# Last month ----------------------------------------------------------------------------

# Last month counts as seeded once it has this many visits (fewer: a demo run then).
HISTORY_AT_LEAST = 100
VISITS_BY_KIND = {"weekday": 8, "weekend": 16, "holiday": 22}
TICKET_MIX = ("ADULT",) * 13 + ("CHILD",) * 3 + ("SENIOR",) * 2 + ("EVENING",) * 2
CHARGES_MIX = (0, 0, 0, 1, 1, 1, 1, 2, 2, 3)
OUTLET_MIX = (BAR,) * 8 + (RESTAURANT,) * 6 + (MASSAGE,) * 3 + (POOL,) * 2 + (SHOP,) * 2
PAY_METHODS = ("wechat", "wechat", "wechat", "alipay", "alipay", "card", "cash")
FLOAT_FEN = 50000


def previous_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


@dataclass(slots=True)
class _Month:
    """Last month's rows, table by table, and what they add up to."""

    summary: MonthSummary
    visits: list[dict[str, Any]] = field(default_factory=list)
    bindings: list[dict[str, Any]] = field(default_factory=list)
    charges: list[dict[str, Any]] = field(default_factory=list)
    shifts: list[dict[str, Any]] = field(default_factory=list)
    tenders: list[dict[str, Any]] = field(default_factory=list)


async def _last_month(
    db: AsyncSession, tenant_id: TenantId, repo: DemoRepository, resort: _Resort
) -> MonthSummary | None:
    """Last month's visits, settled and gone, with their charges, written in bulk; then the
    month's report is filed from them. Once: a month that has visits is left alone."""
    first, last = previous_month(clock.today())
    earlier = await repo.visits_by_day(first, last)  # a demo started then has its guests
    if sum(earlier.values()) >= HISTORY_AT_LEAST:
        return None
    kinds = await service.day_kinds(db, tenant_id, first, last)
    tags = [t.id for t in await repo.tags(TAG_PREFIX)]
    month = build_month(resort, kinds, tags, earlier)
    await repo.insert_many(Visit, month.visits)
    await repo.insert_many(VisitTag, month.bindings)
    await repo.insert_many(Charge, [c for c in month.charges if c["kind"] == "charge"])
    await repo.insert_many(Charge, [c for c in month.charges if c["kind"] == "void"])
    await repo.insert_many(Shift, month.shifts)
    await repo.insert_many(Tender, month.tenders)
    await service.file_monthly_report(db, tenant_id, month.summary.period)
    return month.summary


def build_month(
    resort: _Resort,
    kinds: dict[date, domain.DayKind],
    tags: list[uuid.UUID],
    earlier: dict[date, int] | None = None,
) -> _Month:
    """A month of visits, the same every time for the same month (a seeded generator),
    numbered after the `earlier` visits of each day."""
    first = min(kinds)
    rng = random.Random(f"jinyun-{first:%Y-%m}")  # noqa: S311 - invented visits, not secrets
    month = _Month(MonthSummary(period=f"{first:%Y-%m}"))
    zone = clock.zone()
    menu = {
        code: [resort.items[(o.id, c)] for (oid, c) in resort.items if oid == o.id]
        for code, o in resort.outlets.items()
    }
    tag_turn = 0
    for day in sorted(kinds):
        kind = kinds[day]
        shift_id = uuid7() if resort.cashier.user_id else None
        cash = 0
        for seq in range(1, VISITS_BY_KIND[kind.value] + rng.randint(-2, 3) + 1):
            ticket = resort.tickets[rng.choice(TICKET_MIX)]
            if ticket.sold_from is not None:
                start = time(18, rng.randrange(0, 60, 5))
            else:
                start = time(rng.randint(9, 16), rng.randrange(0, 60, 5))
            in_at = datetime.combine(day, start, zone)
            stay = rng.randint(150, 330)
            if rng.random() < 0.05:  # stayed on past the time covered
                stay = ticket.base_minutes + ticket.grace_minutes + rng.randint(20, 150)
            exit_at = in_at + timedelta(minutes=stay)
            settled_at = exit_at - timedelta(minutes=rng.randint(3, 12))
            overage = domain.overage_fen(in_at, settled_at, service.time_rule(ticket))
            admission = service.prices(ticket).on(kind)
            visit_id = uuid7()
            tag_id = tags[tag_turn % len(tags)]
            tag_turn += 1
            tab = 0
            for _n in range(rng.choice(CHARGES_MIX)):
                tab += _history_charge(
                    month, rng, menu, resort, visit_id, tag_id, in_at, settled_at
                )
            bill = admission + overage + tab
            month.visits.append(
                {
                    "id": visit_id,
                    "number": domain.visit_number(day, (earlier or {}).get(day, 0) + seq),
                    "business_date": day,
                    "ticket_type_id": ticket.id,
                    "source": "walk_in",
                    "guest_name": "",
                    "tab_mode": "postpay",
                    "admission_fen": admission,
                    "limit_fen": ticket.credit_limit_fen,
                    "tab_fen": tab,
                    "status": "closed",
                    "opened_at": in_at,
                    "opened_by": resort.desk.user_id,
                    "gate_in_at": in_at,
                    "settled_at": settled_at,
                    "settled_by": resort.cashier.user_id,
                    "overage_fen": overage,
                    "bill_fen": bill,
                    "exit_at": exit_at,
                    "created_at": in_at,
                }
            )
            month.bindings.append(
                {
                    "id": uuid7(),
                    "visit_id": visit_id,
                    "tag_id": tag_id,
                    "bound_at": in_at,
                    "released_at": exit_at,
                    "release_reason": "exit",
                }
            )
            method = rng.choice(PAY_METHODS)
            cash += bill if method == "cash" else 0
            month.tenders.append(
                {
                    "id": uuid7(),
                    "visit_id": visit_id,
                    "shift_id": shift_id,
                    "kind": "payment",
                    "method": method,
                    "amount_fen": bill,
                    "user_id": resort.cashier.user_id,
                    "created_at": settled_at,
                }
            )
            summary = month.summary
            summary.visits += 1
            summary.key_tags_issued += 1
            summary.admission_revenue_fen += admission
            summary.outlet_net_fen += tab
            summary.overage_fen += overage
            summary.stay_minutes.append(stay)
        if shift_id is not None:
            month.shifts.append(
                {
                    "id": shift_id,
                    "user_id": resort.cashier.user_id,
                    "opened_at": datetime.combine(day, time(9, 0), zone),
                    "opening_float_fen": FLOAT_FEN,
                    "closed_at": datetime.combine(day + timedelta(days=1), time(0, 30), zone),
                    "expected_cash_fen": FLOAT_FEN + cash,
                    "counted_cash_fen": FLOAT_FEN + cash,
                }
            )
    return month


def _history_charge(
    month: _Month,
    rng: random.Random,
    menu: dict[str, list[OutletItem]],
    resort: _Resort,
    visit_id: uuid.UUID,
    tag_id: uuid.UUID,
    in_at: datetime,
    settled_at: datetime,
) -> int:
    """One sale at an outlet during the visit (now and then voided at once); its net."""
    outlet = resort.outlets[rng.choice(OUTLET_MIX)]
    picked = rng.sample(menu[outlet.code], k=min(len(menu[outlet.code]), rng.choice((1, 1, 2))))
    lines: list[dict[str, Any]] = [
        {
            "item_id": str(item.id),
            "code": item.code,
            "name": item.name,
            "unit": item.unit,
            "qty": qty,
            "unit_price_fen": item.price_fen,
            "amount_fen": qty * item.price_fen,
        }
        for item in picked
        for qty in (rng.choice((1, 1, 1, 2)),)
    ]
    amount = sum(int(line["amount_fen"]) for line in lines)
    span = max(1, int((settled_at - in_at).total_seconds() // 60) - 30)
    at = in_at + timedelta(minutes=20 + rng.randrange(span))
    device = f"demo-{outlet.code.lower()}-{month.summary.period}"
    charge_id = uuid7()
    month.charges.append(
        {
            "id": charge_id,
            "visit_id": visit_id,
            "tag_id": tag_id,
            "outlet_id": outlet.id,
            "kind": "charge",
            "description": f"{outlet.name}：" + "、".join(str(line["name"]) for line in lines),
            "lines": lines,
            "amount_fen": amount,
            "device_id": device,
            "device_seq": len(month.charges) + 1,
            "occurred_at": at,
            "recorded_at": at,
            "user_id": resort.cashier.user_id,
            "created_at": at,
        }
    )
    if rng.random() >= 0.03:
        return amount
    later = at + timedelta(minutes=rng.randint(1, 8))
    month.charges.append(
        {
            "id": uuid7(),
            "visit_id": visit_id,
            "tag_id": tag_id,
            "outlet_id": outlet.id,
            "kind": "void",
            "description": "撤销：点错了",
            "lines": lines,
            "amount_fen": -amount,
            "voids_charge_id": charge_id,
            "occurred_at": later,
            "recorded_at": later,
            "user_id": resort.cashier.user_id,
            "reason": "点错了",
            "created_at": later,
        }
    )
    return 0
