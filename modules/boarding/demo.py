"""Demo data of the boarding module, through its own services (`make run`, never production).

The demo cruise line sails two ships of the 世纪 fleet on the Three Gorges route, each with a
cabin plan of 标准阳台房 (A-2xx, deck 2), 行政套房 (B-3xx, deck 3) and 总统套房 (C-50x,
deck 5); the line's cabins are only sold through these voyages:

- 世纪神话 arrived at 宜昌 two days ago (arrived, with its actual port times),
- 世纪神话 boarding today at 朝天门 (boarding; `voyage_boarding_today` finds it),
- 世纪荣耀 leaving 朝天门 tomorrow evening (planned),
- 世纪神话 on the next Saturdays, so the booking page has sailings to choose from.

Idempotent: a voyage already there (the ship sailing that day) is left alone, and a ship
still away on an older demo voyage is skipped rather than double-booked.
"""

from __future__ import annotations

import itertools
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import SYSTEM
from app.db.engine import TenantId
from app.errors import Conflict, Invalid
from app.identifiers import id_check_char
from modules.boarding import service
from modules.boarding.domain import VOYAGE_MOVES, Direction, ScanOutcome, VoyageStatus
from modules.boarding.models import BoardingPass
from modules.boarding.service import booking
from modules.boarding.service.keys import signing_key
from modules.reservations import service as reservations

log = logging.getLogger("zhilv.boarding")

SATURDAY = 5
SATURDAY_SAILINGS = 3


@dataclass(frozen=True, slots=True)
class DemoGrade:
    code: str
    name: str
    deck: int
    numbers: str
    berths: int
    features: tuple[str, ...]
    price_yuan: int  # per cabin per night


GRADES = (
    DemoGrade("STD-BAL", "标准阳台房", 2, "A-201~A-280", 2, ("balcony", "river_view"), 1580),
    DemoGrade("EXEC", "行政套房", 3, "B-301~B-320", 2, ("balcony", "river_view"), 3280),
    DemoGrade("PRES", "总统套房", 5, "C-501~C-504", 3, ("balcony", "river_view", "quiet"), 6880),
)
SHIPS = (
    # code, name, decks, passengers, length, built
    ("SJSH", "世纪神话", 6, 408, 142, 2013),
    ("SJRY", "世纪荣耀", 6, 398, 142, 2014),
)
PRICES = {g.code: g.price_yuan * 100 for g in GRADES}


async def seed_demo(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...], *, today: date | None = None
) -> None:
    """A cruise line's ships and voyages (the passengers and passes come from the other
    parts' demos, on `voyage_boarding_today`)."""
    if "cruise" not in kinds:
        return
    today = today or clock.today()
    myth, glory = [await _ship(db, tenant_id, *spec) for spec in SHIPS]
    await _voyage(db, tenant_id, myth, today - timedelta(days=5), VoyageStatus.ARRIVED)
    await _voyage(db, tenant_id, myth, today, VoyageStatus.BOARDING)
    await _voyage(db, tenant_id, glory, today + timedelta(days=1), VoyageStatus.PLANNED)
    first = today + timedelta(days=7 + (SATURDAY - today.weekday()) % 7)
    for week in range(SATURDAY_SAILINGS):
        await _voyage(db, tenant_id, myth, first + timedelta(weeks=week), VoyageStatus.PLANNED)


async def voyage_boarding_today(
    db: AsyncSession, tenant_id: TenantId, *, today: date | None = None
) -> service.VoyageView | None:
    """The demo voyage boarding at 朝天门 today (for the demo passengers and passes)."""
    today = today or clock.today()
    zone = clock.zone()
    start = datetime.combine(today, time(0), zone)
    for voyage in await service.list_voyages(
        db, tenant_id, sails_from=start, sails_until=start + timedelta(days=1)
    ):
        if voyage.status == VoyageStatus.BOARDING:
            return voyage
    return None


async def _ship(
    db: AsyncSession,
    tenant_id: TenantId,
    code: str,
    name: str,
    decks: int,
    passengers: int,
    length: int,
    built: int,
) -> service.ShipView:
    ship = await service.ship_by_code(db, tenant_id, code)
    if ship is None:
        ship = await service.create_ship(
            db,
            tenant_id,
            code=code,
            name=name,
            decks=decks,
            passenger_capacity=passengers,
            length_m=length,
            built_year=built,
        )
    if ship.cabins == 0:
        await service.add_cabins(
            db,
            tenant_id,
            ship.id,
            [
                service.CabinInput(n, g.deck, g.code, g.name, g.berths, g.features)
                for g in GRADES
                for n in service.expand_numbers(g.numbers)
            ],
        )
    return ship


async def _voyage(
    db: AsyncSession,
    tenant_id: TenantId,
    ship: service.ShipView,
    sails_on: date,
    status: VoyageStatus,
) -> service.VoyageView | None:
    for voyage in await service.list_voyages(db, tenant_id, ship_id=ship.id):
        if voyage.depart_on == sails_on:
            return voyage
    try:
        async with db.begin_nested():
            voyage = await service.create_voyage(
                db,
                tenant_id,
                ship_id=ship.id,
                sails_on=sails_on,
                prices=PRICES,
                direction=Direction.DOWNSTREAM,
                past_ok=True,
            )
    except Invalid as exc:  # the ship is still away on an older demo voyage
        log.info("demo voyage of %s on %s skipped: %s", ship.name, sails_on, exc.errors)
        return None
    if status == VoyageStatus.ARRIVED:
        await _log_port_times(db, tenant_id, voyage)
    for step in (VoyageStatus.BOARDING, VoyageStatus.SAILING, VoyageStatus.ARRIVED):
        if voyage.status == status or step not in VOYAGE_MOVES[voyage.status]:
            break
        voyage = await service.move_voyage(db, tenant_id, voyage.id, step)
    return voyage


async def _log_port_times(
    db: AsyncSession, tenant_id: TenantId, voyage: service.VoyageView
) -> None:
    """A past voyage's actual times: a few minutes off the timetable, as on the river."""
    for n, call in enumerate(voyage.port_calls):
        late = timedelta(minutes=(7 * n) % 25)
        await service.record_port_time(
            db,
            tenant_id,
            voyage.id,
            call.id,
            arrived_at=call.arrives_at + late if call.arrives_at else None,
            departed_at=call.departs_at + late if call.departs_at else None,
        )


# Demo people (helper R): passengers, passes, gangway scans and the voyage report ----------
#
# Called after the bureau registration is seeded (devtools/demo.py), so the arrived
# voyage's report is filed at once. Idempotent: a voyage that has passengers already is
# left as it is, and the report is filed once (the voyage remembers its filing).

PEOPLE_SEED = 11643
BOARDING_TODAY_CABINS = (("STD-BAL", 2, 62), ("STD-BAL", 1, 4), ("EXEC", 2, 8), ("PRES", 3, 2))
TOMORROW_CABINS = (("STD-BAL", 2, 9), ("EXEC", 2, 3))
ARRIVED_CABINS = (("STD-BAL", 2, 50), ("EXEC", 2, 8), ("PRES", 3, 2))
ABOARD_TODAY = 64  # of the passengers boarding today, already scanned aboard
ARRIVED_NO_SHOWS = 2  # booked on the arrived voyage, never came to the pier
ASHORE_AT_FENGDU = 40  # went ashore at 丰都 (鬼城) and came back

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾"
)
MALE_NAMES = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "斌",
    "建国", "志强", "国华", "建华", "文博", "俊杰", "海涛", "晓东", "宏伟", "德明", "永福",
)  # fmt: skip
FEMALE_NAMES = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "琳", "倩", "颖",
    "秀英", "桂兰", "玉兰", "丽华", "晓燕", "欣怡", "红梅", "海燕", "美玲", "静怡", "淑珍",
)  # fmt: skip
CHILD_NAMES = ("子轩", "梓萱", "一诺", "浩然", "欣妍", "宇航", "诗涵", "俊熙")
# Where the guests come from (GB/T 2260): mostly Chongqing, then the usual source cities.
HOME_DISTRICTS = (
    "500103", "500105", "500106", "500107", "500108", "500112", "500101", "510104",
    "510107", "110105", "310115", "440106", "420106", "330106", "320102", "610113",
)  # fmt: skip
FOREIGN_CABINS = (
    # (name, nationality, passport, sex, birth date) per person of one cabin
    (("John Miller", "USA", "568123947", "M", date(1961, 4, 12)),
     ("Susan Miller", "USA", "568123948", "F", date(1963, 9, 30))),
    (("Hans Becker", "DEU", "C4F7J2K91", "M", date(1970, 2, 3)),
     ("Anna Becker", "DEU", "C4F7J2L08", "F", date(1972, 11, 21))),
    (("Yuki Tanaka", "JPN", "TS2781645", "F", date(1985, 6, 8)),),
)  # fmt: skip
CREW = (
    ("captain", "冉光荣"), ("officer", "向东"), ("officer", "谭明远"), ("engineer", "熊长江"),
    ("engineer", "秦川"), ("purser", "郑佳"), ("hospitality", "邓晓雪"), ("hospitality", "龚丽"),
    ("hospitality", "牟春燕"), ("guide", "冉小波"), ("guide", "覃雨"), ("medical", "陈医生"),
)  # fmt: skip


class _People:
    """Invented but valid people: GB 11643 resident IDs (check digit, date of birth and
    sex agreeing), mainland mobile numbers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - invented people, not secrets
        self.serial = itertools.count(11)

    def resident_id(self, born: date, male: bool) -> str:
        district = self.rng.choice(HOME_DISTRICTS)
        n = next(self.serial) % 100
        sex_digit = self.rng.choice("13579" if male else "02468")
        first17 = f"{district}{born:%Y%m%d}{n:02d}{sex_digit}"
        return first17 + id_check_char(first17)

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def adult(self, sails_on: date, *, male: bool, lead: bool) -> service.PassengerInput:
        age = self.rng.randint(24, 72)
        born = date(sails_on.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        given = self.rng.choice(MALE_NAMES if male else FEMALE_NAMES)
        return service.PassengerInput(
            name=self.rng.choice(SURNAMES) + given,
            id_number=self.resident_id(born, male),
            phone=self.phone() if lead or self.rng.random() < 0.5 else "",
        )

    def child(self, sails_on: date, surname: str) -> service.PassengerInput:
        male = self.rng.random() < 0.5
        born = date(sails_on.year - self.rng.randint(5, 10), self.rng.randint(1, 12), 15)
        return service.PassengerInput(
            name=surname + self.rng.choice(CHILD_NAMES), id_number=self.resident_id(born, male)
        )

    def cabin(self, sails_on: date, size: int, *, family: bool) -> list[service.PassengerInput]:
        lead = self.adult(sails_on, male=self.rng.random() < 0.5, lead=True)
        people = [lead]
        if size >= 2:
            people.append(self.adult(sails_on, male=not _male(lead.id_number), lead=False))
        if size >= 3:
            people.append(
                self.child(sails_on, lead.name[0])
                if family
                else self.adult(sails_on, male=self.rng.random() < 0.5, lead=False)
            )
        return people


def _male(resident_id: str) -> bool:
    return int(resident_id[16]) % 2 == 1


def _foreign(cabin: tuple[tuple[str, str, str, str, date], ...], phone: str) -> list[Any]:
    return [
        service.PassengerInput(
            name=name,
            id_type="passport",
            id_number=number,
            sex=sex,
            birth_date=born,
            nationality=country,
            phone=phone if i == 0 else "",
        )
        for i, (name, country, number, sex, born) in enumerate(cabin)
    ]


async def seed_demo_people(
    db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...], *, today: date | None = None
) -> None:
    """The demo cruise line's people: about 150 passengers with passes on the voyage boarding
    today at 朝天门 (some already scanned aboard), a few bookings on tomorrow's, and the
    voyage that arrived two days ago as it happened (booked, boarded, ashore at 丰都 and
    back, off at 宜昌), its crew, and its `cruise_voyage` report filed with the bureau."""
    if "cruise" not in kinds:
        return
    today = today or clock.today()
    people = _People(PEOPLE_SEED)
    arrived = await _voyage_on(db, tenant_id, today - timedelta(days=5), VoyageStatus.ARRIVED)
    if arrived is not None:
        booked = await _book_cabins(db, tenant_id, arrived, ARRIVED_CABINS, people, foreign=1)
        if booked:
            await _add_crew(db, tenant_id, arrived)
            await _replay_voyage(db, tenant_id, arrived, booked)
        outcome = await service.file_voyage_report(db, tenant_id, arrived.id, force=True)
        log.info("demo voyage report of %s: %s", arrived.number, outcome)
    boarding = await voyage_boarding_today(db, tenant_id, today=today)
    if boarding is not None:
        booked = await _book_cabins(
            db, tenant_id, boarding, BOARDING_TODAY_CABINS, people, foreign=len(FOREIGN_CABINS)
        )
        if booked:
            await _add_crew(db, tenant_id, boarding)
            await _board_some(db, tenant_id, boarding, booked)
    tomorrow = await _voyage_on(db, tenant_id, today + timedelta(days=1), VoyageStatus.PLANNED)
    if tomorrow is not None:
        await _book_cabins(db, tenant_id, tomorrow, TOMORROW_CABINS, people, foreign=0)


async def _voyage_on(
    db: AsyncSession, tenant_id: TenantId, sails_on: date, status: VoyageStatus
) -> service.VoyageView | None:
    zone = clock.zone()
    start = datetime.combine(sails_on, time(0), zone)
    for voyage in await service.list_voyages(
        db, tenant_id, sails_from=start, sails_until=start + timedelta(days=1)
    ):
        if voyage.status == status:
            return voyage
    return None


async def _book_cabins(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage: service.VoyageView,
    plan: tuple[tuple[str, int, int], ...],
    people: _People,
    *,
    foreign: int,
) -> list[Any]:
    """Book the voyage's cabins (grade, people per cabin, cabins) unless it has passengers
    already; the passengers booked now (none when it had some)."""
    figures = await service.voyage_figures(db, tenant_id, voyage.id)
    if figures is None or figures.figures["passengers_booked"]:
        return []
    grades = {
        t.code.removesuffix(f"-{voyage.number}"): t
        for t in await reservations.list_unit_types(db, tenant_id, voyage_id=voyage.id)
    }
    sails_on = clock.local_date(voyage.sails_at)
    cabins: list[tuple[str, list[Any]]] = []
    for cabin in FOREIGN_CABINS[:foreign]:
        cabins.append(("EXEC", _foreign(cabin, people.phone())))
    for grade, size, count in plan:
        for _ in range(count - (foreign if grade == "EXEC" else 0)):
            cabins.append((grade, people.cabin(sails_on, size, family=grade == "PRES")))
    booked: list[Any] = []
    for grade, passengers in cabins:
        booked += await _book_one(db, tenant_id, voyage, grades[grade].id, passengers)
    return booked


async def _book_one(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage: service.VoyageView,
    unit_type_id: uuid.UUID,
    passengers: list[Any],
) -> list[Any]:
    """A confirmed cabin booking through the booking service; a sailing whose bookings are
    closed (the voyage that arrived, or today's after boarding closed) gets the same cabin
    and manifest through the booking service's own steps, as the purser keyed it then."""
    try:
        async with db.begin_nested():
            made = await service.book_cabin(
                db,
                tenant_id,
                voyage_id=voyage.id,
                unit_type_id=unit_type_id,
                passengers=passengers,
                source="direct",
            )
        return list(made.passengers)
    except Conflict:
        pass
    sailing = await booking.get_sailing(db, tenant_id, voyage.id)
    grade = await reservations.get_unit_type(db, tenant_id, unit_type_id)
    checked = booking.check_passengers(
        passengers, sails_on=sailing.depart_on, berths=grade.capacity
    )
    children = sum(c.is_child for c in checked)
    lead = checked[0]
    plan = await reservations.rate_plan_for(db, tenant_id, booking.PUBLIC_RATE_PLAN)
    reservation = await reservations.sell(
        db,
        tenant_id,
        reservations.Stay(
            unit_type_id=unit_type_id,
            rate_plan_id=plan.id,
            arrival=sailing.depart_on,
            departure=sailing.arrive_on,
            adults=len(checked) - children,
            children=children,
            guest=reservations.GuestDetails(
                name=lead.name, phone=lead.phone, id_type=lead.id_type, id_number=lead.id_number
            ),
            source="direct",
        ),
    )
    await booking._seat(db, tenant_id, sailing, unit_type_id, reservation.id, checked, None)
    return await service.passengers_of_reservation(db, tenant_id, reservation.id)


async def _add_crew(db: AsyncSession, tenant_id: TenantId, voyage: service.VoyageView) -> None:
    if await service.crew_list(db, tenant_id, voyage.id):
        return
    people = _People(PEOPLE_SEED + 1)  # the same crew on every voyage of the ship
    for role, name in CREW:
        born = date(1975 + len(name), 3, 10)
        await service.add_crew_member(
            db, tenant_id, voyage.id, name=name, role=role,
            id_number=people.resident_id(born, male=role != "hospitality"), phone=people.phone(),
        )  # fmt: skip


async def _board_some(
    db: AsyncSession, tenant_id: TenantId, voyage: service.VoyageView, manifest: list[Any]
) -> None:
    """Passes for everyone boarding today, and the first cabins' passengers scanned aboard
    at the 朝天门 gangway: online when the passes are valid now, else as a gate's queued
    scans at the opening of boarding."""
    issued = await service.issue_passes(
        db, tenant_id, [p.id for p in manifest], reason="demo: booked and pre-checked-in"
    )
    gate = _Gate(voyage, voyage.port_calls[0].id)
    now = clock.now()
    for n, issued_pass in enumerate(issued[:ABOARD_TODAY]):
        online = issued_pass.valid_from <= now < issued_pass.valid_until
        at = now if online else voyage.boarding_opens_at + timedelta(seconds=25 * n)
        await gate.scan(db, tenant_id, issued_pass.code, "embark", at, offline=not online)


class _Gate:
    """The demo's gangway device at one port call, numbering its scans."""

    def __init__(self, voyage: service.VoyageView, call_id: uuid.UUID) -> None:
        self.voyage, self.call_id = voyage, call_id
        self.device = f"demo-gangway-{voyage.number}"
        self.seq = itertools.count(1)

    def at(self, call_id: uuid.UUID) -> _Gate:
        self.call_id = call_id
        return self

    async def scan(
        self,
        db: AsyncSession,
        tenant_id: TenantId,
        code: str,
        direction: str,
        at: datetime,
        *,
        offline: bool,
    ) -> None:
        result = await service.record_scan(
            db, tenant_id, code=code, voyage_id=self.voyage.id, port_call_id=self.call_id,
            direction=direction, device_id=self.device, device_seq=next(self.seq),
            scanned_at=at, actor=SYSTEM, offline=offline,
        )  # fmt: skip
        if result.outcome != ScanOutcome.ACCEPTED:
            log.warning("demo scan not accepted: %s %s", result.outcome, result.reason)


async def _replay_voyage(
    db: AsyncSession, tenant_id: TenantId, voyage: service.VoyageView, manifest: list[Any]
) -> None:
    """The arrived voyage as its gates recorded it (their queued scans, uploaded): everyone
    but the no-shows boarded at 朝天门, some went ashore at 丰都 and came back, everyone
    left the ship at 宜昌. Its passes are the ones it had before it sailed (the passes
    service issues none for an arrived voyage, so they are written as they were)."""
    kid, _private = await signing_key(db, tenant_id)
    first, fengdu, last = voyage.port_calls[0], voyage.port_calls[1], voyage.port_calls[-1]
    valid_from = (voyage.boarding_opens_at - service.PASS_OPENS_BEFORE_BOARDING).replace(
        microsecond=0
    )
    valid_until = (voyage.arrives_at + service.PASS_GRACE_AFTER_ARRIVAL).replace(microsecond=0)
    codes = []
    for passenger in manifest:
        row = BoardingPass(
            tenant_id=tenant_id, passenger_id=passenger.id, voyage_id=voyage.id,
            port_call_id=first.id, kid=kid, valid_from=valid_from, valid_until=valid_until,
        )  # fmt: skip
        db.add(row)
        await db.flush()
        codes.append(await service.pass_code(db, tenant_id, row.id))
    boarded = codes[: len(codes) - ARRIVED_NO_SHOWS]
    opens = voyage.boarding_opens_at
    ashore = (fengdu.arrived_at or fengdu.arrives_at or opens) + timedelta(minutes=20)
    back = (fengdu.departed_at or fengdu.departs_at or ashore) - timedelta(minutes=40)
    off = (last.arrived_at or last.arrives_at or voyage.arrives_at) + timedelta(minutes=15)
    gate = _Gate(voyage, first.id)
    for n, code in enumerate(boarded):
        await gate.scan(db, tenant_id, code, "embark", opens + timedelta(seconds=30 * n),
                        offline=True)  # fmt: skip
    gate.at(fengdu.id)
    for n, code in enumerate(boarded[:ASHORE_AT_FENGDU]):
        await gate.scan(db, tenant_id, code, "disembark", ashore + timedelta(seconds=20 * n),
                        offline=True)  # fmt: skip
    for n, code in enumerate(boarded[:ASHORE_AT_FENGDU]):
        await gate.scan(db, tenant_id, code, "embark", back + timedelta(seconds=20 * n),
                        offline=True)  # fmt: skip
    gate.at(last.id)
    for n, code in enumerate(boarded):
        await gate.scan(db, tenant_id, code, "disembark", off + timedelta(seconds=15 * n),
                        offline=True)  # fmt: skip
