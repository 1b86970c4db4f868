"""Demo contracts of the demo travel agency (`make run`, never production).

For an agency, `seed_demo` drafts four contracts for Chongqing tourists (synthetic
resident IDs with valid check digits, no real person) and takes them through the real
service: a Wulong karst tour and a Dazu rock-carvings day tour fully signed (so they have
e-numbers, stored PDFs and filings, which the worker delivers to the bureau stand-in), a
Wulong family tour waiting for the tourist, and a Three Gorges cruise still a draft. The
tourist's one-time code is read back from the SMS in the outbox, as the tourist would.
Idempotent: once the agency has any contract it changes nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.identifiers import id_check_char
from app.notifications.service import list_messages
from modules.contracts import service
from modules.contracts.repository import ContractRepository
from modules.contracts.schemas import DayInput, DraftInput, PersonInput

log = logging.getLogger("zhilv.contracts")

AGENCY: dict[str, Any] = {
    "agency_licence_no": "L-CQ-00123",
    "agency_address": "重庆市江北区观音桥步行街9号",
    "agency_phone": "023-67781234",
    "dispute_resolution": "arbitration",
    "dispute_body": "重庆仲裁委员会",
    "payment_method": "微信支付或银行转账至旅行社对公账户",
}
BY_BUS = "全程空调旅游大巴（45座），一人一正座"


def _resident_id(region: str, born: str, sequence: str) -> str:
    """A synthetic resident ID with a valid GB 11643 check digit (no real person)."""
    first17 = f"{region}{born}{sequence}"
    return first17 + id_check_char(first17)


def _person(
    name: str, region: str, born: str, seq: str, phone: str = "", lead: bool = False
) -> PersonInput:
    return PersonInput(name, "resident_id", _resident_id(region, born, seq), phone, lead)


def _wulong(
    start: date, tourists: tuple[PersonInput, ...], guides: tuple[uuid.UUID, ...]
) -> DraftInput:
    hotel = "武隆仙女山华邑酒店（四星级，标准双人间，独立卫浴）"
    return DraftInput(
        contract_type="domestic_group", route_name="武隆喀斯特·仙女山三日游",
        departure="重庆", destinations=("武隆", "仙女山"), start_date=start,
        end_date=start + timedelta(days=2), nights=2, min_group_size=12,
        transport_standard=BY_BUS, lodging_standard="四星级酒店标准双人间，含独立卫浴",
        meal_standard="2早4正，正餐十人一桌十菜一汤", free_time="第2天晚间自由活动约2小时",
        price_total_fen=129800 * len(tourists), payment_deadline=start - timedelta(days=7),
        insurance="agency", insurer="中国人民财产保险股份有限公司重庆市分公司",
        policy_no=f"PICC-CQ-{start:%Y%m%d}-{len(tourists):02d}",
        guide_ids=guides, guide_fee_fen=10000 if guides else None,
        lead_phone=tourists[0].phone, tourists=tourists,
        days=(
            DayInput(1, "重庆→武隆", "天生三桥（游览不少于150分钟）", BY_BUS, hotel,
                     "午餐、晚餐", "无"),
            DayInput(2, "武隆→仙女山→武隆", "仙女山国家森林公园（不少于180分钟）", BY_BUS,
                     hotel, "早中晚三餐", "晚间自由活动约2小时"),
            DayInput(3, "武隆→重庆", "芙蓉洞（不少于90分钟）", BY_BUS, "", "早餐、午餐", "无"),
        ),
        **AGENCY,
    )  # fmt: skip


def _dazu(start: date, tourists: tuple[PersonInput, ...]) -> DraftInput:
    return DraftInput(
        contract_type="day_tour", route_name="大足石刻一日游", departure="重庆",
        destinations=("大足",), start_date=start, end_date=start, nights=0, min_group_size=8,
        transport_standard=BY_BUS, meal_standard="含午餐一正（十菜一汤）",
        free_time="无自由活动", price_total_fen=39800 * len(tourists),
        payment_deadline=start - timedelta(days=3), insurance="self",
        lead_phone=tourists[0].phone, tourists=tourists,
        days=(DayInput(1, "重庆→大足→重庆", "宝顶山石刻（不少于150分钟）；北山石刻（不少于60分钟）",
                       BY_BUS, "", "午餐", "无"),),
        **AGENCY,
    )  # fmt: skip


def _three_gorges(start: date, tourists: tuple[PersonInput, ...]) -> DraftInput:
    """A draft still missing its payment terms (the checklist shows it)."""
    cabin = "长江三峡游轮阳台标准间"
    return DraftInput(
        contract_type="domestic_group", route_name="长江三峡游轮五日游",
        departure="重庆", destinations=("丰都", "奉节", "巫山", "宜昌"), start_date=start,
        end_date=start + timedelta(days=4), nights=4, min_group_size=20,
        transport_standard="五星级游轮，阳台标准间", lodging_standard="游轮阳台标准间，独立卫浴",
        meal_standard="船上自助餐", free_time="游轮上每日下午自由活动",
        lead_phone=tourists[0].phone, tourists=tourists,
        days=tuple(DayInput(i + 1, place, sights, "游轮", cabin, "早中晚三餐", "下午自由活动")
                   for i, (place, sights) in enumerate((
                       ("重庆朝天门登船", "船上安全说明会（不少于30分钟）"),
                       ("丰都", "丰都鬼城名山（不少于120分钟）"),
                       ("奉节", "白帝城（不少于120分钟）；瞿塘峡（船上观赏）"),
                       ("巫山", "小三峡（不少于180分钟）；巫峡（船上观赏）"),
                       ("宜昌", "三峡大坝（不少于150分钟）"),
                   ))),
        **AGENCY,
    )  # fmt: skip


async def _code_from_phone(db: AsyncSession, tenant_id: TenantId, used: set[uuid.UUID]) -> str:
    """The newest signing code, as the tourist reads it in the SMS (messages of one
    transaction share their time, so the ones already used are remembered)."""
    page = await list_messages(db, tenant_id, channel="sms")
    for message in page.messages:
        if message.purpose == "signing_code" and message.id not in used:
            found = re.findall(r"(?<!\d)(\d{6})(?!\d)", message.body)
            if found:
                used.add(message.id)
                return str(found[-1])  # after the agency's name, which may hold digits
    raise RuntimeError("no signing code was sent")


async def _signed(
    db: AsyncSession, tenant_id: TenantId, data: DraftInput, used: set[uuid.UUID]
) -> str:
    actor = service.Actor(user_id=None, name="杨雪")
    contract_id = await service.create_draft(db, tenant_id, data, actor=actor)
    link = await service.send_to_tourist(db, tenant_id, contract_id, actor=actor)
    secret = link.url.split("token=", 1)[1].split(".", 1)[1]
    await service.send_signing_code(db, tenant_id, secret, ip="127.0.0.1")
    code = await _code_from_phone(db, tenant_id, used)
    await service.tourist_sign(
        db, tenant_id, secret, code, ip="127.0.0.1", user_agent="Demo (iPhone; 微信内置浏览器)"
    )
    return await service.countersign(db, tenant_id, contract_id, actor=actor)


async def seed_demo(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    """Four contracts for an agency's demo (see the module docstring); nothing twice."""
    if "agency" not in kinds:
        return
    if sum((await ContractRepository(db, tenant_id).counts_by_status()).values()):
        return
    today = clock.today()
    trip_end = today + timedelta(days=14)
    guides = tuple(
        g.id
        for g in await service.guide_options(db, tenant_id)
        if g.licence_valid_until is None or g.licence_valid_until >= trip_end
    )[:1]
    family = (
        _person("陈静", "500105", "19860312", "228", "13883300101", True),
        _person("王磊", "500105", "19840707", "315", "13883300102"),
        _person("王小雨", "500105", "20150921", "042"),
    )
    couple = (
        _person("刘洋", "500103", "19920807", "215", "13996300201", True),
        _person("赵敏", "500112", "19931119", "046", "13996300202"),
    )
    used: set[uuid.UUID] = set()
    first = await _signed(db, tenant_id, _wulong(today + timedelta(days=12), family, guides), used)
    second = await _signed(db, tenant_id, _dazu(today + timedelta(days=20), couple), used)
    waiting = (
        _person("周杰", "500106", "19780214", "113", "13752300301", True),
        _person("李梅", "500106", "19800508", "224", "13752300302"),
    )
    actor = service.Actor(user_id=None, name="杨雪")
    waiting_id = await service.create_draft(
        db, tenant_id, _wulong(today + timedelta(days=26), waiting, ()), actor=actor
    )
    await service.send_to_tourist(db, tenant_id, waiting_id, actor=actor)
    cruise = (_person("黄蓉", "500108", "19750603", "328", "13508300401", True),)
    await service.create_draft(
        db, tenant_id, _three_gorges(today + timedelta(days=40), cruise), actor=actor
    )
    log.info("demo contracts signed: %s, %s", first, second)
