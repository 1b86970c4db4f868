"""The folio: every charge, payment and correction of a stay, append-only.

Other modules (terminals, dining, hot-spring tags) post charges here with `post_charge`;
the front desk takes payments at the desk through the payments module, so the money
received is recorded once, there, and mirrored as a line on the bill."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import SYSTEM, Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.money import format_fen
from modules.frontdesk import domain
from modules.frontdesk.models import FolioLine, Stay
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.schemas import FolioLineView, FolioView
from modules.frontdesk.service.views import folio_view, line_view
from modules.payments import service as payments
from tenants.service import record_audit

__all__ = [
    "folio",
    "parse_amount",
    "post_adjustment",
    "post_charge",
    "take_payment",
]

CLOSED = "The guest has checked out; this bill is closed."


def parse_amount(text: str, field: str = "amount") -> int:
    """Fen from a clerk's input, or a field error a person can act on."""
    fen = domain.parse_yuan(text)
    if fen is None or fen <= 0:
        raise Invalid.field(field, "Enter an amount in yuan, such as 128 or 128.50.")
    return fen


async def locked_open_stay(repo: FrontDeskRepository, stay_id: uuid.UUID) -> Stay:
    stay = await repo.stay(stay_id, for_update=True)
    if stay is None:
        raise NotFound()
    if stay.status != domain.StayStatus.IN_HOUSE:
        raise Conflict(CLOSED)
    return stay


def new_line(
    stay: Stay,
    kind: str,
    amount_fen: int,
    description: str,
    *,
    source: str,
    method: str | None = None,
    service_date: date | None = None,
    payment_id: uuid.UUID | None = None,
    actor: Actor = SYSTEM,
) -> FolioLine:
    domain.check_line_amount(kind, amount_fen)
    return FolioLine(
        stay_id=stay.id,
        kind=kind,
        description=description[:200],
        amount_fen=amount_fen,
        source=source[:32],
        method=method,
        service_date=service_date,
        payment_id=payment_id,
        posted_by=actor.user_id,
        posted_at=clock.now(),
    )


async def post_charge(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    stay_id: uuid.UUID,
    description: str,
    amount_fen: int,
    source: str,
    posted_by: uuid.UUID | None = None,
) -> FolioLineView:
    """Put a charge on an in-house guest's bill (room service, minibar, a terminal order).

    Refused once the guest has checked out, so nothing lands on a settled bill; the stay
    row is locked, so a charge racing the check-out either lands first or is refused."""
    description = description.strip()
    if not description:
        raise Invalid.field("description", "Say what the charge is for.")
    if amount_fen <= 0:
        raise Invalid.field("amount", "Enter an amount in yuan, such as 128 or 128.50.")
    repo = FrontDeskRepository(db, tenant_id)
    stay = await locked_open_stay(repo, stay_id)
    line = new_line(stay, "charge", amount_fen, description, source=source, actor=Actor(posted_by))
    await repo.save(line)
    return line_view(line)


async def post_adjustment(
    db: AsyncSession,
    tenant_id: TenantId,
    stay_id: uuid.UUID,
    *,
    description: str,
    amount_fen: int,
    actor: Actor,
) -> FolioLineView:
    """A correction (discount, a charge posted twice): a new line, never an edit, and
    audited, because it changes what the guest pays."""
    description = description.strip()
    if not description:
        raise Invalid.field("description", "Say why the bill is corrected.")
    repo = FrontDeskRepository(db, tenant_id)
    stay = await locked_open_stay(repo, stay_id)
    line = new_line(stay, "adjustment", amount_fen, description, source="desk", actor=actor)
    await repo.save(line)
    await record_audit(
        db,
        tenant_id,
        "frontdesk.adjustment",
        actor_user_id=actor.user_id,
        subject_type="stay",
        subject_id=stay.id,
        data={"amount_fen": amount_fen, "description": line.description},
        ip=actor.ip,
    )
    return line_view(line)


async def take_payment(
    db: AsyncSession,
    tenant_id: TenantId,
    stay_id: uuid.UUID,
    *,
    amount_fen: int,
    method: str,
    actor: Actor,
) -> FolioLineView:
    """Money handed over at the desk (cash, WeChat Pay, Alipay, card): recorded by the
    payments module against the booking, and as a payment line on the bill."""
    if method not in domain.DESK_METHODS:
        raise Invalid.field("method", "Choose how the guest pays.")
    if amount_fen <= 0:
        raise Invalid.field("amount", "Enter an amount in yuan, such as 128 or 128.50.")
    repo = FrontDeskRepository(db, tenant_id)
    stay = await locked_open_stay(repo, stay_id)
    return line_view(
        await record_desk_payment(db, tenant_id, repo, stay, amount_fen, method, actor)
    )


async def record_desk_payment(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: FrontDeskRepository,
    stay: Stay,
    amount_fen: int,
    method: str,
    actor: Actor,
) -> FolioLine:
    label = _("Payment at the desk (%(method)s)", method=_(domain.METHOD_LABELS[method]))
    payment = await payments.record_manual_payment(
        db,
        tenant_id,
        subject_type="reservation",
        subject_id=stay.reservation_id,
        amount_fen=amount_fen,
        method=method,
        description=f"{label} {stay.unit_number}",
        recorded_by=actor.user_id,
    )
    line = new_line(
        stay,
        "payment",
        -amount_fen,
        label,
        source="desk",
        method=method,
        payment_id=payment.id,
        actor=actor,
    )
    await repo.save(line)
    await record_audit(
        db,
        tenant_id,
        "frontdesk.payment",
        actor_user_id=actor.user_id,
        subject_type="stay",
        subject_id=stay.id,
        data={"amount_fen": amount_fen, "method": method, "amount": format_fen(amount_fen)},
        ip=actor.ip,
    )
    return line


async def folio(db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID) -> FolioView:
    """A stay's bill: its lines in order and what is still owed."""
    repo = FrontDeskRepository(db, tenant_id)
    stay = await repo.stay(stay_id)
    if stay is None:
        raise NotFound()
    return folio_view(stay, await repo.lines(stay_id))
