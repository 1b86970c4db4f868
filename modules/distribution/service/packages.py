"""Packages across enterprises: an agency sells one package made of its suppliers' products
(two hotel nights, a cruise cabin, a spa day) to a tourist as one order, paid once.

A saga, not one transaction: every part is an order in ANOTHER tenant, booked under the
agency's agreement with that supplier (`acting_for`), and suppliers must not wait on each
other's locks. So:

1. `sell_package` (the clerk's request): the package and its parts are recorded `booking` /
   `pending` in the agency's tenant, the package's price is held on the tourist's card (a
   manual-capture PaymentIntent on the agency's own connected account) and the job
   `distribution.resume_package` is queued, all in the request's transaction.
2. The job runs `run_package`: one step per transaction (`advance`), the package row locked
   in each. A step books the next pending part through the booking service's `place_order`
   (its own idempotency key `<package id>:<seq>`), and records the part `booked` with the
   supplier's order in the same transaction, so the supplier's order, its ledger sale and
   the part's state commit together or not at all. A supplier refusing the part (no
   availability, the prepaid balance or the credit line exhausted, the product withdrawn) is
   recorded `failed` with its reason and the package turns to compensation.
3. Compensation: each booked part is cancelled through `cancel_order` with the fee waived
   (the failure is ours, not the tourist's), newest first, one per step, and marked
   `compensated`; the supplier's ledger gets the reverse of its sale, so no money moved. Then
   the card hold is released and the package is `failed` with the reason.
4. Every part booked: the hold is captured (the tourist pays once, into the agency's account)
   and the package is `confirmed`. Each supplier's share is its own order's sale entry in its
   own ledger, settled on its own statement.

A crash anywhere leaves a consistent state (each step is one transaction); a stuck package is
found by `resume_stuck` and finished or compensated by running the same steps again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext
from app.jobs.queue import enqueue
from app.payments.gateway import current_gateway
from modules.distribution.models import Package, PackagePart
from modules.distribution.repository.agreements import agreement_for_partner
from modules.distribution.repository.packages import PackageRepository
from modules.distribution.schemas.packages import (
    PackageSale,
    PackageView,
    PartRequest,
    PartView,
    ProductChoice,
    SaleFormView,
)
from modules.distribution.service import packages_parts as parts_io
from modules.distribution.service.packages_saga import (
    SUBJECT,
    Step,
    advance,
    resume_stuck,
    run_package,
)
from modules.payments import service as payments
from tenants.counterparty import acting_for

__all__ = [
    "RESUME_TASK",
    "SUBJECT",
    "Step",
    "advance",
    "cancel_package",
    "package_view",
    "queue_resume",
    "recent_packages",
    "resume_stuck",
    "run_package",
    "sale_form",
    "sell_package",
]

log = logging.getLogger("zhilv.distribution.packages")

RESUME_TASK = "distribution.resume_package"

# The sale ---------------------------------------------------------------------------------


async def sale_form(db: AsyncSession, tid: TenantId) -> SaleFormView:
    """The products the agency may put in a package, and the card field's settings."""
    gateway = current_gateway()
    try:
        account = await payments.charge_account(db, tid)
    except payments.OnlinePaymentsNotReady:
        account = ""  # the sale is refused with the reason when it is made
    return SaleFormView(
        choices=await parts_io.product_choices(db, tid),
        publishable_key=gateway.publishable_key,
        js_url=gateway.js_url,
        stripe_account=account,
    )


async def sell_package(
    db: AsyncSession, tid: TenantId, sale: PackageSale, *, actor_id: uuid.UUID | None
) -> PackageView:
    """Records the package, holds its price on the tourist's card and queues its booking.
    Idempotent on the form's key: a double click or a reload answers the same package. A
    product the agency is not authorised for is a field message; nothing is held then."""
    repo = PackageRepository(db, tid)
    found = await repo.by_key(sale.key)
    if found is not None:
        return await package_view(db, tid, found.id)
    choices = {c.value: c for c in await parts_io.product_choices(db, tid)}
    _check_parts(sale, choices)
    if not sale.card_token:
        raise Invalid.field("card", gettext("Present the tourist's bank card."))
    package = Package(
        number=await repo.next_number(clock.today()),
        name=sale.name,
        idempotency_key=sale.key,
        status="booking",
        tourist_name=sale.lead.name,
        tourist_phone=sale.phone,
        total_fen=sale.total_fen,
        created_by=actor_id,
        created_at=clock.now(),  # the app's clock: the stuck sweep compares with it
    )
    await repo.add_all([package])
    rows = [
        _part_row(package, seq, part, sale, choices[f"{part.agreement_id}:{part.product_id}"])
        for seq, part in enumerate(sale.parts, start=1)
    ]
    await repo.add_all(rows)
    hold = await payments.preauthorise(
        db,
        tid,
        subject_type=SUBJECT,
        subject_id=package.id,
        amount_fen=sale.total_fen,
        card_token=sale.card_token,
        description=f"{package.number} {sale.name}"[:200],
    )
    package.payment_id = hold.id
    await repo.flush()
    await enqueue(
        db,
        RESUME_TASK,
        {"tenant_id": str(tid), "package_id": str(package.id)},
        lock=f"dist_package:{package.id}",
    )
    return await package_view(db, tid, package.id)


def _check_parts(sale: PackageSale, choices: dict[str, ProductChoice]) -> None:
    """Each part one of the agency's authorised products; a cabin is one cabin (a second
    cabin is a part of its own, with its own travellers)."""
    errors = []
    for n, part in enumerate(sale.parts, start=1):
        choice = choices.get(f"{part.agreement_id}:{part.product_id}")
        if choice is None:
            errors.append((f"p{n}_product", gettext("Choose one from the list.")))
        elif choice.kind == "cabin" and part.quantity != 1:
            errors.append((f"p{n}_quantity", gettext("A cruise cabin part is one cabin.")))
        elif choice.kind == "room" and part.nights < 1:
            errors.append((f"p{n}_nights", gettext("A hotel room needs at least one night.")))
    if errors:
        raise Invalid(errors=[{"field": f, "code": "invalid", "message": m} for f, m in errors])


def _part_row(
    package: Package, seq: int, part: PartRequest, sale: PackageSale, choice: ProductChoice
) -> PackagePart:
    request = part.to_json() | {
        "supplier_name": choice.supplier_name,
        "travellers": [{"name": t.name, "id_number": t.id_number} for t in sale.travellers],
        "phone": sale.phone,
    }
    return PackagePart(
        package_id=package.id,
        seq=seq,
        supplier_tenant_id=choice.supplier_tenant_id,
        agreement_id=part.agreement_id,
        product_id=part.product_id,
        description=choice.label[:200],
        request=request,
        status="pending",
    )


# Reading and cancelling ---------------------------------------------------------------------


async def package_view(db: AsyncSession, tid: TenantId, package_id: uuid.UUID) -> PackageView:
    repo = PackageRepository(db, tid)
    package = await repo.package(package_id)
    if package is None:
        raise NotFound()
    view = _view(package, await repo.parts(package.id))
    status = ""
    for p in await payments.payments_for(db, tid, SUBJECT, package.id):
        status = p.status
    return replace(view, payment_status=status)


async def recent_packages(db: AsyncSession, tid: TenantId) -> list[PackageView]:
    repo = PackageRepository(db, tid)
    return [_view(p, []) for p in await repo.recent()]


def _view(package: Package, parts: Sequence[PackagePart]) -> PackageView:
    return PackageView(
        id=package.id,
        number=package.number,
        name=package.name,
        status=package.status,
        tourist_name=package.tourist_name,
        tourist_phone=package.tourist_phone,
        total_fen=package.total_fen,
        failure=package.failure,
        created_at=package.created_at,
        parts=[
            PartView(
                seq=p.seq,
                supplier_name=str(p.request.get("supplier_name", "")),
                description=p.description,
                status=p.status,
                order_number=str(p.request.get("order_number", "")),
                sale_fen=p.sale_fen,
                settlement_fen=p.settlement_fen,
                error=p.error,
                request=dict(p.request),
            )
            for p in parts
        ],
    )


async def cancel_package(
    db: AsyncSession, tid: TenantId, package_id: uuid.UUID, *, actor_id: uuid.UUID | None
) -> PackageView:
    """The tourist cancels a confirmed package: every part is cancelled by its own product's
    policy (a supplier's fee stays with that supplier), all in this one transaction (a part
    that refuses refuses the whole cancellation, nothing is written), and the tourist gets
    back the package price less the suppliers' fees."""
    repo = PackageRepository(db, tid)
    package = await repo.package(package_id, lock=True)
    if package is None:
        raise NotFound()
    if package.status != "confirmed":
        raise Conflict(gettext("Only a confirmed package can be cancelled."))
    fees = 0
    for part in await repo.parts(package.id):
        if part.status != "booked" or part.order_id is None:
            continue
        agreement = await agreement_for_partner(db, tid, part.agreement_id)
        async with acting_for(db, agreement, own=tid):
            fee = await parts_io.cancel(
                db, agreement, part.order_id, waive_fee=False, reason=gettext("Package cancelled")
            )
        fees += fee
        part.status = "cancelled"
        part.request = {**part.request, "cancellation_fee_fen": fee}
    package.status = "cancelled"
    await repo.flush()
    refund = max(package.total_fen - fees, 0)
    if refund:
        await payments.refund(
            db,
            tid,
            subject_type=SUBJECT,
            subject_id=package.id,
            amount_fen=refund,
            reason=gettext("Package %(number)s cancelled", number=package.number),
            actor_user_id=actor_id,
        )
    return await package_view(db, tid, package.id)


async def queue_resume(db: AsyncSession, tid: TenantId, package_id: uuid.UUID) -> None:
    """Queue the saga again by hand (the console's 继续 button on a stuck package)."""
    package = await PackageRepository(db, tid).package(package_id)
    if package is None:
        raise NotFound()
    if package.status == "booking":
        await enqueue(
            db,
            RESUME_TASK,
            {"tenant_id": str(tid), "package_id": str(package.id)},
            lock=f"dist_package:{package.id}",
        )
