"""What the desk reads: the visits in the resort, one visit with its tags, charges and
tenders, the visit a scanned tag opens, and a QR wristband to print."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.documents import qr_svg_data_uri, render_template_pdf
from app.errors import NotFound
from modules.keytags.repository.catalog import CatalogRepository
from modules.keytags.repository.visits import LIVE_STATUSES, VisitRepository
from modules.keytags.schemas.desk import (
    BindingView,
    ChargeRow,
    DeskChoices,
    TenderRow,
    VisitPage,
    VisitRow,
)
from modules.keytags.service.admission import normalise_uid
from modules.keytags.service.catalog import admission_price, rules


async def desk_choices(db: AsyncSession, tenant_id: TenantId, *, tz: str | None) -> DeskChoices:
    """The admission form's ticket types (with today's price) and changing rooms."""
    today = clock.today(tz)
    tickets = await CatalogRepository(db, tenant_id).ticket_types()
    priced = [(t.id, t.name, await admission_price(db, tenant_id, t, today)) for t in tickets]
    sections = await VisitRepository(db, tenant_id).sections()
    return DeskChoices(
        tickets=tuple(priced),
        sections=tuple((s.id, s.name) for s in sections),
        default_deposit_fen=(await rules(db, tenant_id)).default_deposit_fen,
    )


def visit_row(row: Any) -> VisitRow:
    v = row.Visit
    return VisitRow(
        id=v.id,
        number=v.number,
        party_id=v.party_id,
        status=v.status,
        source=v.source,
        tab_mode=v.tab_mode,
        ticket_name=row.ticket_name,
        guest_name=v.guest_name,
        tag_uid=row.tag_uid,
        tag_kind=row.tag_kind,
        locker=row.locker_number,
        section=row.section_name,
        opened_at=v.opened_at,
        gate_in_at=v.gate_in_at,
        admission_fen=v.admission_fen,
        admission_prepaid=v.admission_prepaid,
        tab_fen=v.tab_fen,
        limit_fen=v.limit_fen,
        deposit_fen=v.deposit_fen,
    )


async def visits_in_resort(
    db: AsyncSession, tenant_id: TenantId, *, statuses: tuple[str, ...] = LIVE_STATUSES
) -> list[VisitRow]:
    """Everyone admitted and not yet out (open, or settled and on their way to the gate),
    the latest first."""
    return [visit_row(r) for r in await VisitRepository(db, tenant_id).visits(statuses=statuses)]


async def visit_page(db: AsyncSession, tenant_id: TenantId, visit_id: uuid.UUID) -> VisitPage:
    repo = VisitRepository(db, tenant_id)
    row = await repo.visit_row(visit_id)
    if row is None:
        raise NotFound()
    visit = visit_row(row)
    party: tuple[VisitRow, ...] = ()
    if visit.party_id is not None:
        rows = await repo.visits(
            statuses=("open", "settled", "closed", "cancelled"), party_id=visit.party_id
        )
        party = tuple(visit_row(r) for r in rows if r.Visit.id != visit.id)
    return VisitPage(
        visit=visit,
        bindings=tuple(
            BindingView(
                tag_uid=b.uid,
                tag_kind=b.kind,
                tag_status=b.status,
                blocked_reason=b.blocked_reason,
                bound_at=b.VisitTag.bound_at,
                released_at=b.VisitTag.released_at,
                release_reason=b.VisitTag.release_reason,
            )
            for b in await repo.bindings(visit_id)
        ),
        charges=tuple(
            ChargeRow(
                id=c.id,
                kind=c.kind,
                description=c.description,
                amount_fen=c.amount_fen,
                occurred_at=c.occurred_at,
                outlet_id=c.outlet_id,
                reason=c.reason,
            )
            for c in await repo.charges(visit_id)
        ),
        tenders=tuple(
            TenderRow(
                kind=t.kind,
                method=t.method,
                amount_fen=t.amount_fen,
                created_at=t.created_at,
                reference=t.reference,
            )
            for t in await repo.tenders(visit_id)
        ),
        party=party,
    )


async def visit_of_tag(db: AsyncSession, tenant_id: TenantId, uid: str) -> uuid.UUID | None:
    """The visit a scanned tag opens: the one it is bound to now, else the last one it was
    bound to (a blocked tag shows whose it was)."""
    repo = VisitRepository(db, tenant_id)
    tag = await repo.tag_by_uid(normalise_uid(uid))
    if tag is None:
        return None
    holder = await repo.open_visit_of_tag(tag.id)
    if holder is not None:
        return holder.id
    return await repo.last_visit_of_tag(tag.id)


async def wristband_pdf(
    db: AsyncSession, tenant_id: TenantId, visit_id: uuid.UUID, *, resort: str, tz: str | None
) -> bytes:
    """The visit's QR wristband strip: its QR carries the tag's UID, as outlets scan it (for
    an RFID tag, a paper stand-in carrying the same UID)."""
    repo = VisitRepository(db, tenant_id)
    row = await repo.visit_row(visit_id)
    if row is None or row.tag_uid is None:
        raise NotFound()
    return await render_template_pdf(
        "keytags/desk/pdf/wristband.html",
        v=visit_row(row),
        resort=resort,
        qr=qr_svg_data_uri(row.tag_uid, scale=4),
        tz=tz,
        printed_at=clock.now(),
    )
