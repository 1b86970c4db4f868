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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import Database, TenantId
from app.errors import AppError, Conflict, Invalid, NotFound, Unavailable
from app.i18n import gettext
from app.i18n import gettext as translate  # runtime msgids (a supplier's refusal)
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
from modules.payments import service as payments
from tenants.counterparty import acting_for

log = logging.getLogger("zhilv.distribution.packages")

RESUME_TASK = "distribution.resume_package"
SUBJECT = "dist_package"
STUCK_AFTER = timedelta(minutes=5)
GIVE_UP_AFTER = timedelta(hours=1)
# Refusals that mean "this part cannot be booked" (compensate); anything else is a fault
# (the step's transaction rolls back and the job tries again).
REFUSALS: tuple[type[AppError], ...] = (Conflict, Invalid, NotFound)

# Set by tests only: called inside a part's transaction after its order is placed, so a test
# can crash the saga half-way (the transaction rolls back) and resume it.
after_part_placed: Callable[[PackagePart], Awaitable[None]] | None = None


class Step(StrEnum):
    BOOKED = "booked"
    REFUSED = "refused"
    COMPENSATED = "compensated"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    DONE = "done"


FINISHED = (Step.CONFIRMED, Step.FAILED, Step.DONE)


# The sale ---------------------------------------------------------------------------------


async def sale_form(db: AsyncSession, tid: TenantId) -> SaleFormView:
    """The products the agency may put in a package, and the card field's settings."""
    gateway = current_gateway()
    return SaleFormView(
        choices=await parts_io.product_choices(db, tid),
        publishable_key=gateway.publishable_key,
        js_url=gateway.js_url,
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
    for n, part in enumerate(sale.parts, start=1):
        if f"{part.agreement_id}:{part.product_id}" not in choices:
            raise Invalid.field(f"p{n}_product", gettext("Choose one from the list."))
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


# The saga -----------------------------------------------------------------------------------


async def run_package(database: Database, tid: TenantId, package_id: uuid.UUID) -> Step:
    """Runs the package's saga to its end, one transaction per step; answers how it ended
    (confirmed or failed). Safe to run twice, or beside another run: each step locks the
    package and re-reads where it stands."""
    while True:
        async with database.transaction(tid) as db:
            step = await advance(db, tid, package_id)
        if step in FINISHED:
            return step


async def advance(db: AsyncSession, tid: TenantId, package_id: uuid.UUID) -> Step:
    """One step of the saga in the caller's transaction (see the module docstring)."""
    repo = PackageRepository(db, tid)
    package = await repo.package(package_id, lock=True)
    if package is None:
        raise NotFound()
    if package.status != "booking":
        return Step.DONE
    parts = list(await repo.parts(package.id))
    if package.failure:
        booked = [p for p in parts if p.status == "booked"]
        if booked:
            await _compensate(db, tid, package, booked[-1])
            return Step.COMPENSATED
        await _release(db, tid, package)
        package.status = "failed"
        await repo.flush()
        return Step.FAILED
    pending = [p for p in parts if p.status == "pending"]
    if pending:
        return await _book(db, tid, package, pending[0])
    return await _confirm(db, tid, package)


async def _book(db: AsyncSession, tid: TenantId, package: Package, part: PackagePart) -> Step:
    request = PartRequest.from_json(part.request)
    key = f"{package.id}:{part.seq}"
    try:
        async with db.begin_nested():
            agreement = await agreement_for_partner(db, tid, part.agreement_id)
            if agreement.status != "active":
                raise Conflict(gettext("The supplier has suspended or ended the agreement."))
            async with acting_for(db, agreement, own=tid):
                placed = await parts_io.place(db, agreement, part, request, key, package)
            if after_part_placed is not None:
                await after_part_placed(part)
    except REFUSALS as exc:
        reason = _reason(exc)
        if isinstance(exc, NotFound):
            reason = gettext("The supplier no longer offers this product to you.")
        part.status = "failed"
        part.error = reason[:500]
        package.failure = gettext(
            "Part %(seq)s (%(what)s) could not be booked: %(reason)s",
            seq=part.seq,
            what=part.description,
            reason=reason,
        )[:500]
        await db.flush()
        log.info("package part refused", extra={"fields": {"package": str(package.id)}})
        return Step.REFUSED
    part.status = "booked"
    part.order_id = placed.order_id
    part.sale_fen = placed.sale_fen
    part.settlement_fen = placed.settlement_fen
    part.request = {**part.request, "order_number": placed.number}
    await db.flush()
    return Step.BOOKED


async def _compensate(db: AsyncSession, tid: TenantId, package: Package, part: PackagePart) -> None:
    """Cancels a booked part with its fee waived: the package failed, not the tourist."""
    if part.order_id is not None:
        agreement = await agreement_for_partner(db, tid, part.agreement_id)
        async with acting_for(db, agreement, own=tid):
            await parts_io.cancel(
                db, agreement, part.order_id, waive_fee=True, reason=package.failure
            )
    part.status = "compensated"
    await db.flush()


async def _confirm(db: AsyncSession, tid: TenantId, package: Package) -> Step:
    """Every part booked: take the tourist's payment (once) and confirm. A hold that can no
    longer be captured (it lapsed, the card was withdrawn) fails the package: its parts are
    compensated like a refused part's."""
    if package.payment_id is not None:
        try:
            async with db.begin_nested():
                await payments.capture(db, tid, package.payment_id, package.total_fen)
        except (Conflict, Invalid, NotFound) as exc:
            package.failure = gettext(
                "The tourist's payment could not be taken: %(reason)s", reason=_reason(exc)
            )[:500]
            await db.flush()
            return Step.REFUSED
    package.status = "confirmed"
    package.failure = ""
    await db.flush()
    return Step.CONFIRMED


async def _release(db: AsyncSession, tid: TenantId, package: Package) -> None:
    if package.payment_id is None:
        return
    try:
        async with db.begin_nested():
            await payments.release(db, tid, package.payment_id)
    except (Conflict, NotFound):
        log.warning("package hold not released", extra={"fields": {"package": str(package.id)}})


def _reason(exc: AppError) -> str:
    """The supplier's refusal in the clerk's language (its messages are msgids)."""
    messages = [str(e.get("message", "")) for e in exc.errors or [] if e.get("message")]
    return "; ".join(translate(m) for m in messages or [str(exc.message)])


# Recovery -----------------------------------------------------------------------------------


async def resume_stuck(database: Database, tid: TenantId) -> int:
    """Finishes or compensates the agency's packages left `booking` (their worker died or
    their job gave up). One still failing a fault an hour after its sale is given up: its
    next part is recorded refused, and the booked ones are compensated."""
    now = clock.now()
    async with database.transaction(tid) as db:
        stuck = await PackageRepository(db, tid).stuck(now - STUCK_AFTER)
    done = 0
    for package_id in stuck:
        try:
            await run_package(database, tid, package_id)
            done += 1
        except Unavailable:
            await _give_up_if_old(database, tid, package_id, now)
    return done


async def _give_up_if_old(
    database: Database, tid: TenantId, package_id: uuid.UUID, now: clock.datetime
) -> None:
    async with database.transaction(tid) as db:
        repo = PackageRepository(db, tid)
        package = await repo.package(package_id, lock=True)
        if package is None or package.status != "booking" or package.failure:
            return
        if package.created_at > now - GIVE_UP_AFTER:
            return
        package.failure = gettext("A supplier could not be reached; the package was given up.")
        await repo.flush()
    await run_package(database, tid, package_id)


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
