"""Lost, swapped and mistaken: blocking a visit's tag, binding a replacement, cancelling a
visit opened by mistake.

Blocking is one transaction on the visit row first (where every outlet's charge waits): the
tag becomes `blocked`, the visit's `active_tag_id` is cleared and the binding is released as
lost, so a charge queued behind the block re-reads the visit and is refused, and the tag stops
working everywhere at once. The lost-tag fee is a `fee` row with the tab moved in the same
transaction (it may pass the limit: a person decided it). A replacement binds a new tag to the
same visit, so its charges and tab carry over.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from modules.keytags import domain
from modules.keytags.models import Charge, KeyTag, Tender, Visit
from modules.keytags.repository.visits import VisitRepository
from modules.keytags.schemas.desk import PersonInput
from modules.keytags.service.admission import bind_tag
from modules.keytags.service.catalog import in_resort_language, rules
from modules.keytags.service.shifts import current_shift
from modules.payments import service as payments

REASON_MAX = 200


class VisitNotOpen(Conflict):
    code = "visit_not_open"
    message = "This visit is no longer in the resort."


async def _open_visit(repo: VisitRepository, visit_id: uuid.UUID) -> Visit:
    visit = await repo.visit(visit_id, for_update=True)
    if visit is None:
        raise NotFound()
    if visit.status != domain.VisitStatus.OPEN:
        raise VisitNotOpen()
    return visit


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise Invalid.field("reason", _("At most %(n)s characters.", n=REASON_MAX))
    return reason


async def block_tag(
    db: AsyncSession,
    tenant_id: TenantId,
    visit_id: uuid.UUID,
    *,
    reason: str,
    actor: Actor,
    charge_fee: bool = True,
) -> Visit:
    """Blocks the visit's tag at once (reported lost or broken) and, unless waived, puts the
    resort's lost-tag fee on the tab. The visit stays open without a tag until a
    replacement is bound."""
    repo = VisitRepository(db, tenant_id)
    visit = await _open_visit(repo, visit_id)
    if visit.active_tag_id is None:
        raise Conflict(_("This visit's tag is already blocked: bind a replacement."))
    note = _reason(reason) or _("Lost")
    now = clock.now()
    tag_id = visit.active_tag_id
    visit.active_tag_id = None
    await db.flush()
    await repo.set_tag_status(tag_id, domain.TagStatus.BLOCKED, at=now, reason=note)
    await repo.release_binding(visit.id, tag_id, at=now, reason="lost")
    fee = (await rules(db, tenant_id)).lost_tag_fee_fen if charge_fee else 0
    if fee > 0:
        async with in_resort_language(db, tenant_id):
            description = _("Lost tag fee")
        await repo.save(
            Charge(
                visit_id=visit.id,
                tag_id=tag_id,
                outlet_id=None,
                kind=domain.ChargeKind.FEE,
                description=description,
                amount_fen=fee,
                occurred_at=now,
                recorded_at=now,
                user_id=actor.user_id,
                reason=note,
            )
        )
        await repo.move_tab(visit.id, fee)
        await db.refresh(visit)
    return visit


async def replace_tag(
    db: AsyncSession,
    tenant_id: TenantId,
    visit_id: uuid.UUID,
    *,
    tag_uid: str = "",
    qr_wristband: bool = False,
    actor: Actor,
) -> KeyTag:
    """Binds a new tag (an RFID UID scanned, or a QR wristband printed now) to the visit. A
    visit still holding a tag swaps it: the old one goes back to stock (a wristband is
    retired)."""
    del actor
    repo = VisitRepository(db, tenant_id)
    visit = await _open_visit(repo, visit_id)
    now = clock.now()
    old = visit.active_tag_id
    if old is not None:
        visit.active_tag_id = None
        await db.flush()
        await _back_to_stock(repo, old, now)
        await repo.release_binding(visit.id, old, at=now, reason="swapped")
    person = PersonInput(
        ticket_type_id=visit.ticket_type_id, tag_uid=tag_uid, qr_wristband=qr_wristband
    )
    tag = await bind_tag(repo, visit, person, now, field="tag_uid")
    await db.flush()
    return tag


async def _back_to_stock(repo: VisitRepository, tag_id: uuid.UUID, now: datetime) -> None:
    tag = await repo.tag(tag_id)
    if tag is None or tag.status == domain.TagStatus.BLOCKED:
        return
    status = (
        domain.TagStatus.RETIRED if tag.kind == domain.TagKind.QR else domain.TagStatus.AVAILABLE
    )
    await repo.set_tag_status(tag_id, status, at=now)


async def cancel_visit(
    db: AsyncSession,
    tenant_id: TenantId,
    visit_id: uuid.UUID,
    *,
    reason: str,
    actor: Actor,
) -> Visit:
    """Undoes a visit opened by mistake, before anything was charged on it: its tag and
    locker are free again, a cash deposit is handed back (a `deposit_return` tender of the
    cashier's shift), a card hold released, an online ticket's admission can be redeemed
    again."""
    repo = VisitRepository(db, tenant_id)
    visit = await _open_visit(repo, visit_id)
    if visit.tab_fen != 0 or await repo.has_charges(visit.id):
        raise Conflict(_("Something was charged on this visit: settle it at the exit instead."))
    now = clock.now()
    tag_id = visit.active_tag_id
    visit.active_tag_id = None
    visit.status = domain.VisitStatus.CANCELLED
    visit.cancel_reason = _reason(reason) or None
    await db.flush()
    if tag_id is not None:
        await _back_to_stock(repo, tag_id, now)
        await repo.release_binding(visit.id, tag_id, at=now, reason="cancelled")
    await repo.free_locker(visit.id, now)
    if visit.deposit_fen > 0:
        if actor.user_id is None:
            raise Invalid.field("reason", _("A deposit is handed back by a signed-in cashier."))
        shift = await current_shift(db, tenant_id, actor.user_id)
        await repo.save(
            Tender(
                visit_id=visit.id,
                shift_id=shift.id,
                kind=domain.TenderKind.DEPOSIT_RETURN,
                method=domain.TenderMethod.CASH,
                amount_fen=visit.deposit_fen,
                user_id=actor.user_id,
            )
        )
    if visit.preauth_payment_id is not None:
        await payments.release(db, tenant_id, visit.preauth_payment_id)
    return visit
