"""Factories for the keytags module: ticket types, lockers, tags, outlets and their items,
members, and an open visit holding a tag (with its binding row). Rows are written directly so
these work before and beside the services; service-level tests build on them."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from modules.keytags.domain import visit_number
from modules.keytags.models import (
    CalendarDay,
    Charge,
    ChargeConflict,
    KeyTag,
    Locker,
    LockerSection,
    Member,
    MemberEntry,
    Outlet,
    OutletItem,
    ReportFiling,
    Shift,
    SpaSettings,
    Tender,
    TicketType,
    Visit,
    VisitTag,
)
from tenants.models import Tenant
from tests.factories.rows import add_row
from tests.factories.tenants import make_staff

_seq = itertools.count(1)


_add = add_row


async def make_ticket_type(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> TicketType:
    """成人票: ¥368 on weekdays, ¥398 at weekends and on holidays, 12 h, then ¥20 per
    started hour after a 15-minute grace, post-pay limit ¥500."""
    n = next(_seq)
    fields: dict[str, Any] = {
        "code": f"ADULT{n}",
        "name": "成人票",
        "name_en": "Adult",
        "category": "adult",
        "price_weekday_fen": 36800,
        "price_weekend_fen": 39800,
        "price_holiday_fen": 39800,
        "base_minutes": 720,
        "grace_minutes": 15,
        "overage_fen_per_hour": 2000,
        "credit_limit_fen": 50000,
        **overrides,
    }
    return await _add(db, tenant, TicketType(**fields))


async def make_section(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> LockerSection:
    n = next(_seq)
    fields: dict[str, Any] = {"code": f"M{n}", "name": "男宾更衣室", "kind": "male", **overrides}
    return await _add(db, tenant, LockerSection(**fields))


async def make_locker(
    db: AsyncSession, *, tenant: Tenant, section: LockerSection | None = None, **overrides: Any
) -> Locker:
    section = section or await make_section(db, tenant=tenant)
    fields: dict[str, Any] = {"section_id": section.id, "number": f"{next(_seq):03d}", **overrides}
    return await _add(db, tenant, Locker(**fields))


async def make_tag(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> KeyTag:
    """An RFID tag as a desk reader types it: ten hex digits."""
    n = next(_seq)
    fields: dict[str, Any] = {"uid": f"04A1{n:06X}", "kind": "rfid", "label": f"{n:04d}"}
    fields.update(overrides)
    return await _add(db, tenant, KeyTag(**fields))


async def make_outlet(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> Outlet:
    n = next(_seq)
    fields: dict[str, Any] = {"code": f"BAR{n}", "name": "水吧", "kind": "bar", **overrides}
    return await _add(db, tenant, Outlet(**fields))


async def make_item(
    db: AsyncSession, *, tenant: Tenant, outlet: Outlet | None = None, **overrides: Any
) -> OutletItem:
    outlet = outlet or await make_outlet(db, tenant=tenant)
    n = next(_seq)
    fields: dict[str, Any] = {
        "outlet_id": outlet.id,
        "code": f"I{n}",
        "name": "鲜榨西瓜汁",
        "unit": "item",
        "price_fen": 2800,
        **overrides,
    }
    return await _add(db, tenant, OutletItem(**fields))


async def make_member(db: AsyncSession, *, tenant: Tenant, **overrides: Any) -> Member:
    n = next(_seq)
    fields: dict[str, Any] = {
        "card_no": f"JY{n:08d}",
        "name": "刘芳",
        "phone": "13912345678",
        "balance_fen": 100000,
        **overrides,
    }
    return await _add(db, tenant, Member(**fields))


async def make_visit(
    db: AsyncSession,
    *,
    tenant: Tenant,
    ticket_type: TicketType | None = None,
    tag: KeyTag | None = None,
    limit_fen: int = 50000,
    hours_ago: float = 1.0,
    **overrides: Any,
) -> Visit:
    """An open post-pay visit admitted `hours_ago` hours ago (through the gate at once),
    holding `tag` (a new RFID tag by default), with its binding row."""
    ticket_type = ticket_type or await make_ticket_type(db, tenant=tenant)
    tag = tag or await make_tag(db, tenant=tenant)
    tag.status = "in_use"
    opened = clock.now() - timedelta(hours=hours_ago)
    fields: dict[str, Any] = {
        "number": visit_number(clock.today(), 9000 + next(_seq)),
        "business_date": clock.today(),
        "ticket_type_id": ticket_type.id,
        "source": "walk_in",
        "guest_name": "张伟",
        "tab_mode": "postpay",
        "admission_fen": ticket_type.price_weekday_fen,
        "limit_fen": limit_fen,
        "active_tag_id": tag.id,
        "opened_at": opened,
        "gate_in_at": opened,
        **overrides,
    }
    visit = await _add(db, tenant, Visit(**fields))
    if visit.active_tag_id is not None:
        await _add(db, tenant, VisitTag(visit_id=visit.id, tag_id=tag.id, bound_at=opened))
    return visit


async def make_charge(
    db: AsyncSession, *, tenant: Tenant, visit: Visit, amount_fen: int = 2800, **overrides: Any
) -> Charge:
    """A sale on the visit's tab (the tab moves with it, as the service does)."""
    now = clock.now()
    fields: dict[str, Any] = {
        "visit_id": visit.id,
        "tag_id": visit.active_tag_id,
        "kind": "charge",
        "description": "鲜榨西瓜汁",
        "amount_fen": amount_fen,
        "device_id": f"pos-{next(_seq)}",
        "device_seq": 1,
        "occurred_at": now,
        "recorded_at": now,
        **overrides,
    }
    charge = await _add(db, tenant, Charge(**fields))
    visit.tab_fen += charge.amount_fen
    await db.flush()
    return charge


async def _ticket(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_ticket_type(db, tenant=tenant)).id


async def _calendar(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    day = clock.today() + timedelta(days=400 + next(_seq))
    return (await _add(db, tenant, CalendarDay(day=day, kind="holiday", name="国庆节"))).id


async def _settings(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await _add(db, tenant, SpaSettings())).id


async def _section(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_section(db, tenant=tenant)).id


async def _locker(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_locker(db, tenant=tenant)).id


async def _tag(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_tag(db, tenant=tenant)).id


async def _member(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_member(db, tenant=tenant)).id


async def _member_entry(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    member = await make_member(db, tenant=tenant)
    row = MemberEntry(
        member_id=member.id, kind="topup", amount_fen=100000, balance_after_fen=100000
    )
    return (await _add(db, tenant, row)).id


async def _outlet(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_outlet(db, tenant=tenant)).id


async def _item(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_item(db, tenant=tenant)).id


async def _visit(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    return (await make_visit(db, tenant=tenant)).id


async def _visit_tag(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    visit = await make_visit(db, tenant=tenant, active_tag_id=None)
    tag = await make_tag(db, tenant=tenant)
    row = VisitTag(visit_id=visit.id, tag_id=tag.id, bound_at=clock.now())
    return (await _add(db, tenant, row)).id


async def _charge(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    visit = await make_visit(db, tenant=tenant)
    return (await make_charge(db, tenant=tenant, visit=visit)).id


async def _conflict(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    outlet = await make_outlet(db, tenant=tenant)
    row = ChargeConflict(
        device_id=f"reader-{next(_seq)}",
        device_seq=1,
        outlet_id=outlet.id,
        tag_uid="04A1FFFFFF",
        amount_fen=2800,
        occurred_at=clock.now(),
        reason="unknown",
    )
    return (await _add(db, tenant, row)).id


async def _shift(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    staff = await make_staff(db, tenant=tenant, role="cashier")
    row = Shift(user_id=staff.user.id, opened_at=clock.now(), opening_float_fen=50000)
    return (await _add(db, tenant, row)).id


async def _tender(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    visit = await make_visit(db, tenant=tenant)
    row = Tender(visit_id=visit.id, kind="deposit", method="cash", amount_fen=50000)
    return (await _add(db, tenant, row)).id


async def _report(db: AsyncSession, tenant: Tenant) -> uuid.UUID:
    n = next(_seq)
    period = f"{2000 + n % 90}-{n % 12 + 1:02d}"
    row = ReportFiling(period=period, figures={}, filed_at=clock.now())
    return (await _add(db, tenant, row)).id


TABLE_FACTORIES = {
    "spa_settings": _settings,
    "spa_ticket_types": _ticket,
    "spa_calendar_days": _calendar,
    "spa_locker_sections": _section,
    "spa_lockers": _locker,
    "key_tags": _tag,
    "spa_members": _member,
    "spa_member_entries": _member_entry,
    "spa_outlets": _outlet,
    "spa_outlet_items": _item,
    "spa_visits": _visit,
    "spa_visit_tags": _visit_tag,
    "spa_charges": _charge,
    "spa_charge_conflicts": _conflict,
    "spa_shifts": _shift,
    "spa_tenders": _tender,
    "spa_report_filings": _report,
}
