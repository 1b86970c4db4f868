"""The saga of a package across enterprises (see `packages` for the whole story): one step per
transaction, the package row locked in each, so a crash leaves every part booked or pending,
never half-booked, and running it twice (or two runs at once) is harmless.

A step books the next pending part at its supplier; a supplier's refusal (404/409/422 from
the booking service) marks the part failed and turns the package to compensation: the booked
parts are cancelled newest first with the fee waived, then the card hold is released and the
package is failed. Every part booked: the hold is captured and the package confirmed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import Database, TenantId
from app.errors import AppError, Conflict, Invalid, NotFound
from app.i18n import gettext
from app.i18n import gettext as translate  # runtime msgids (a supplier's refusal)
from modules.distribution.models import Package, PackagePart
from modules.distribution.repository.agreements import agreement_for_partner
from modules.distribution.repository.packages import PackageRepository
from modules.distribution.schemas.packages import PartRequest
from modules.distribution.service import packages_parts as parts_io
from modules.payments import service as payments
from tenants.counterparty import acting_for

log = logging.getLogger("zhilv.distribution.packages")

SUBJECT = "dist_package"  # the tourist's payment's subject (payments module)
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
    their job gave up). One still failing on a fault an hour after its sale is given up: it
    fails with the reason, its booked parts compensated and the card hold released."""
    now = clock.now()
    async with database.transaction(tid) as db:
        stuck = await PackageRepository(db, tid).stuck(now - STUCK_AFTER)
    done = 0
    for package_id in stuck:
        try:
            await run_package(database, tid, package_id)
            done += 1
        except Exception:  # a fault, not a refusal: one package never stops the others
            log.warning("package saga failed again", extra={"fields": {"package": str(package_id)}})
            await _give_up_if_old(database, tid, package_id, now)
    return done


async def _give_up_if_old(
    database: Database, tid: TenantId, package_id: uuid.UUID, now: datetime
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
