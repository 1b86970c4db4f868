"""The documents a guest takes away: the invoice at check-out and the booking
confirmation (with a QR code the desk scans at arrival)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.documents import qr_svg_data_uri, render_template_pdf
from app.errors import NotFound
from modules.frontdesk import domain
from modules.frontdesk.repository import FrontDeskRepository
from modules.frontdesk.service.views import folio_view
from modules.reservations import service as reservations
from modules.reservations.service import ReservationView
from tenants.service import tenant_settings

__all__ = ["Issuer", "booking_qr", "confirmation_pdf", "invoice_pdf", "issuer_of"]


@dataclass(frozen=True, slots=True)
class Issuer:
    """The enterprise as printed on its documents."""

    name: str
    timezone: str = clock.DEFAULT_TZ
    address: str = ""
    phone: str = ""


async def issuer_of(db: AsyncSession, tenant_id: TenantId) -> Issuer:
    """The enterprise as its settings name it: name, time zone, street address and phone."""
    found = await tenant_settings(db, tenant_id)
    return Issuer(
        name=found.name, timezone=found.timezone, address=found.address, phone=found.phone
    )


async def invoice_pdf(
    db: AsyncSession, tenant_id: TenantId, stay_id: uuid.UUID, *, issuer: Issuer
) -> bytes:
    """The guest's bill as a PDF, in Chinese, every amount in ¥ with two decimals.
    Printed while the guest is in house it is marked as an interim statement."""
    repo = FrontDeskRepository(db, tenant_id)
    stay = await repo.stay(stay_id)
    if stay is None:
        raise NotFound()
    folio = folio_view(stay, await repo.lines(stay_id))
    r = await reservations.get_reservation(db, tenant_id, stay.reservation_id)
    return await render_template_pdf(
        "frontdesk/pdf/invoice.html",
        issuer=issuer,
        folio=folio,
        reservation=r,
        methods=domain.METHOD_LABELS,
        printed_at=clock.now(),
    )


def booking_qr(code: str) -> str:
    """The confirmation code as a QR image (data URI) the desk scans to find the booking."""
    return qr_svg_data_uri(code, scale=5)


async def confirmation_pdf(r: ReservationView, *, issuer: Issuer, link: str) -> bytes:
    """The booking confirmation a guest keeps or prints; its QR code carries the
    confirmation code so the desk finds the booking in one scan."""
    return await render_template_pdf(
        "frontdesk/booking/pdf/confirmation.html",
        issuer=issuer,
        reservation=r,
        qr=booking_qr(r.code),
        link=link,
        labels=domain.RESERVATION_STATUS_LABELS,
        printed_at=clock.now(),
    )
