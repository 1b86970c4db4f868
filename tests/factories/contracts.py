"""Factories for the contracts module. Each takes the tenant as a required keyword and
binds it itself. `make_agency` is a travel agency with a credit code (it can sign);
`make_draft` a complete draft; `sign_contract` takes one through the whole signing."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.base import uuid7
from app.db.engine import TenantId, bind_tenant
from app.identifiers import id_check_char, make_uscc
from app.notifications.models import OutboundMessage
from modules.contracts import service
from modules.contracts.models import ContractCounter
from modules.contracts.repository import ContractRepository
from modules.contracts.schemas import DayInput, DraftInput, PersonInput
from tenants.models import Tenant
from tests.factories.tenants import Staff, make_tenant


def resident_id(region: str = "500103", born: str = "19880512", seq: str = "124") -> str:
    first17 = f"{region}{born}{seq}"
    return first17 + id_check_char(first17)


def credit_code_for(seed: uuid.UUID | None = None) -> str:
    """A valid credit code with a unique organisation code."""
    return make_uscc("500105", (seed or uuid7()).hex[-8:].upper())


async def make_agency(db: AsyncSession, **overrides: Any) -> Staff:
    """A travel agency (with its owner) that has a credit code, so it can sign."""
    overrides.setdefault("enterprise_code", credit_code_for())
    overrides.setdefault("name", "测试旅行社")
    return await make_tenant(db, kinds=("agency",), **overrides)


TOURISTS = (
    PersonInput("张伟", "resident_id", resident_id("500103", "19880512", "124"), "13800000001",
                True),
    PersonInput("李娜", "resident_id", resident_id("500105", "19900321", "042"), "13800000002"),
)  # fmt: skip


def complete_input(start: date | None = None, **overrides: Any) -> DraftInput:
    """A draft with every item Art. 58 asks for: a 3-day Wulong tour from Chongqing."""
    start = start or clock.today() + timedelta(days=30)
    days = (
        DayInput(1, "重庆→武隆", "天生三桥（游览不少于150分钟）", "旅游大巴（45座，空调）",
                 "武隆喀斯特酒店（四星级）", "午餐、晚餐（十菜一汤）", "晚间自由活动"),
        DayInput(2, "武隆", "仙女山国家森林公园（不少于180分钟）", "旅游大巴",
                 "武隆喀斯特酒店（四星级）", "早中晚三餐", "无"),
        DayInput(3, "武隆→重庆", "芙蓉洞（不少于90分钟）", "旅游大巴", "", "早餐、午餐",
                 "无"),
    )  # fmt: skip
    data = DraftInput(
        contract_type="domestic_group",
        route_name="武隆喀斯特三日游",
        departure="重庆",
        destinations=("武隆",),
        start_date=start,
        end_date=start + timedelta(days=2),
        nights=2,
        min_group_size=10,
        transport_standard="全程空调旅游大巴，一人一正座",
        lodging_standard="四星级酒店标准双人间，含独立卫浴",
        meal_standard="含2早5正，正餐十菜一汤",
        free_time="第1天晚间自由活动约2小时",
        price_total_fen=398000,
        payment_deadline=start - timedelta(days=10),
        payment_method="银行转账或微信支付",
        insurance="agency",
        insurer="中国人民财产保险股份有限公司",
        policy_no="PICC-2026-0001",
        dispute_resolution="arbitration",
        dispute_body="重庆仲裁委员会",
        agency_licence_no="L-CQ-00123",
        agency_address="重庆市江北区建新北路1号",
        agency_phone="023-67000000",
        lead_phone="13800000001",
        lead_email="zhangwei@example.test",
        tourists=TOURISTS,
        days=days,
    )
    return replace(data, **overrides)


async def make_draft(
    db: AsyncSession, *, tenant: Tenant, data: DraftInput | None = None, **overrides: Any
) -> uuid.UUID:
    await bind_tenant(db, tenant.id)
    return await service.create_draft(
        db, TenantId(tenant.id), data or complete_input(**overrides), actor=service.SYSTEM
    )


async def _codes(db: AsyncSession, tenant: Tenant) -> dict[uuid.UUID, str]:
    """Every signing code texted to the tenant's tourists, by message id."""
    stmt = select(OutboundMessage.id, OutboundMessage.body).where(
        OutboundMessage.tenant_id == tenant.id, OutboundMessage.purpose == "signing_code"
    )
    found = {}
    for message_id, body in (await db.execute(stmt)).all():
        # The last six digits: the agency's name before the code may hold digits too.
        matches = re.findall(r"(?<!\d)(\d{6})(?!\d)", body)
        assert matches, body
        found[message_id] = matches[-1]
    return found


async def last_code(db: AsyncSession, tenant: Tenant, before: set[uuid.UUID] | None = None) -> str:
    """The one-time code of the newest signing-code SMS (the tourist's phone, in tests):
    the one not among `before` (messages of one transaction share their created_at)."""
    codes = await _codes(db, tenant)
    new = [code for message_id, code in codes.items() if message_id not in (before or set())]
    if before is None:
        newest = max(codes)  # ids are time-ordered
        return codes[newest]
    assert len(new) == 1, new
    return new[0]


def token_secret(link: service.SigningLink) -> str:
    return link.url.split("token=", 1)[1].split(".", 1)[1]


async def tourist_signed(
    db: AsyncSession, *, tenant: Tenant, contract_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, str]:
    """A contract the tourist has signed, waiting for the agency; and its link secret."""
    tid = TenantId(tenant.id)
    contract_id = contract_id or await make_draft(db, tenant=tenant)
    link = await service.send_to_tourist(db, tid, contract_id, actor=service.SYSTEM)
    secret = token_secret(link)
    before = set(await _codes(db, tenant))
    await service.send_signing_code(db, tid, secret, ip="198.51.100.7")
    code = await last_code(db, tenant, before)
    await service.tourist_sign(
        db, tid, secret, code, ip="198.51.100.7", user_agent="Mozilla/5.0 (iPhone)"
    )
    return contract_id, secret


async def sign_contract(
    db: AsyncSession, *, tenant: Tenant, contract_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, str]:
    """A binding contract (both signatures); returns its id and e-number."""
    contract_id, _secret = await tourist_signed(db, tenant=tenant, contract_id=contract_id)
    e_number = await service.countersign(db, TenantId(tenant.id), contract_id, actor=service.SYSTEM)
    return contract_id, e_number


async def _agency_tenant(db: AsyncSession, tenant: Tenant) -> Tenant:
    """The isolation walker's tenants have no credit code: give them one to sign."""
    if not tenant.enterprise_code:
        tenant.enterprise_code = credit_code_for(uuid.UUID(str(tenant.id)))
        await db.flush()
    await bind_tenant(db, tenant.id)
    return tenant


async def _contract(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """A signed contract, so that every page of one (its PDF too) answers for its owner."""
    contract_id, _n = await sign_contract(db, tenant=await _agency_tenant(db, tenant))
    return contract_id


async def _tourist(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    contract_id = await make_draft(db, tenant=await _agency_tenant(db, tenant))
    rows = await ContractRepository(db, TenantId(tenant.id)).tourists(contract_id)
    return rows[0].id


async def _day(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    contract_id = await make_draft(db, tenant=await _agency_tenant(db, tenant))
    return (await ContractRepository(db, TenantId(tenant.id)).days(contract_id))[0].id


async def _version(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """A frozen version (sent to the tourist; no PDF, which only countersigning renders)."""
    tenant = await _agency_tenant(db, tenant)
    contract_id = await make_draft(db, tenant=tenant)
    await service.send_to_tourist(db, TenantId(tenant.id), contract_id, actor=service.SYSTEM)
    versions = await ContractRepository(db, TenantId(tenant.id)).versions(contract_id)
    return versions[0].id


async def _signature(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """The tourist's signature (the agency's would render a PDF: slower, nothing more)."""
    tenant = await _agency_tenant(db, tenant)
    contract_id, _secret = await tourist_signed(db, tenant=tenant)
    return (await ContractRepository(db, TenantId(tenant.id)).signatures(contract_id))[0].id


async def _counter(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    await bind_tenant(db, tenant.id)
    row = ContractCounter(tenant_id=TenantId(tenant.id), year=1999, last_sequence=0)
    db.add(row)
    await db.flush()
    return row.id


TABLE_FACTORIES: dict[str, Any] = {
    "contracts": _contract,
    "contract_tourists": _tourist,
    "contract_days": _day,
    "contract_versions": _version,
    "contract_signatures": _signature,
    "contract_counters": _counter,
}
