"""Payouts: the platform pays each supplier what it has earned from distribution.

Money model (docs/distribution.md "Payouts"): distributors' top-ups and credit payments are
held by the platform (`funds`); what a supplier has earned (`supplier_receivable`, booked in
periods whose statement is issued or later) is paid to it by the platform, either through
Stripe Connect (a transfer from the platform to the supplier's connected account, then a
payout from that account to its bank) or, while the supplier has no connected account with
payouts enabled, as a line of a bank transfer file a platform clerk downloads and marks paid.

A payout posts `payout` entries (Dr supplier_receivable / Cr payout_clearing, one per
agreement, reference = its number) in the transaction that creates it and enqueues its send
job in the same transaction; when it is paid, a `payout_paid` entry (Dr payout_clearing /
Cr funds); when the transfer is refused, the reversal of its `payout` entries, so the amount
is owed again (a payout the bank refuses after the transfer is the supplier's money already).
Stripe's answer is polled (`check_payout`), not taken from `payout.*` webhooks: Stripe is the
source of truth for a payout that takes days, a poll cannot be lost the way a webhook delivery
can, and payments (which imports no other module) stays out of distribution's bookkeeping.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import SYSTEM, Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.jobs.queue import enqueue
from app.payments.connect import Payout as StripePayout
from app.payments.connect import Transfer
from app.payments.gateway import GatewayError, current_gateway
from modules.distribution.domain import AccountKind, EntryKind
from modules.distribution.models import Payout
from modules.distribution.repository.payouts import BankDetails, Owed, PayoutRepository
from modules.distribution.service import ledger
from modules.payments.service import account_status

log = logging.getLogger("zhilv.distribution.payouts")

SEND_TASK = "distribution.send_payout"
CHECK_TASK = "distribution.check_payouts"
QUEUE = "payouts"  # its own queue: money is never held up behind other work
CURRENCY = "CNY"


class NothingOwed(Conflict):
    code = "nothing_owed"
    message = "Nothing is payable now: no settled statement leaves an amount unpaid."


class NeedsBankDetails(Invalid):
    code = "needs_bank_details"


class PayoutNotPending(Conflict):
    code = "payout_not_pending"
    message = "This payout is no longer waiting to be paid."


@dataclass(frozen=True, slots=True)
class Payable:
    """What the supplier is owed and may be paid now, and how it would be paid."""

    total_fen: int
    by_agreement: tuple[Owed, ...]
    method: str  # stripe / bank
    provider_account_id: str
    bank: BankDetails | None


def payout_number(today: date, last: str | None) -> str:
    """FK-2026-12-0001: year, month, then a count within the month."""
    prefix = f"FK-{today:%Y-%m}-"
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


async def payable(db: AsyncSession, tid: TenantId) -> Payable:
    """What the supplier may be paid now (receivable of settled periods less payouts in
    flight or paid), and by which way: its connected account when payouts are enabled on
    it, else a bank transfer to the account its last bank payout went to."""
    repo = PayoutRepository(db, tid)
    owed = tuple(await repo.owed())
    view = await account_status(db, tid)
    ready = view is not None and view.payouts_enabled
    return Payable(
        total_fen=sum(o.payable_fen for o in owed),
        by_agreement=owed,
        method="stripe" if ready else "bank",
        provider_account_id=view.provider_account_id if ready and view else "",
        bank=None if ready else await repo.last_bank_details(),
    )


async def request_payout(
    db: AsyncSession,
    tid: TenantId,
    *,
    bank: BankDetails | None = None,
    actor: Actor = SYSTEM,
) -> Payout:
    """Pays out everything payable now as one payout (the supplier's 申请付款, or one line
    of the operator's payout run): posts its `payout` entries and, for Stripe, enqueues the
    send job, all in this transaction. Refused when nothing is owed, or when it must go by
    bank and no bank account is known."""
    await PayoutRepository(db, tid).lock_payouts()
    now = await payable(db, tid)
    if now.total_fen <= 0:
        raise NothingOwed()
    details = bank or now.bank
    if now.method == "bank" and details is None:
        raise NeedsBankDetails(
            errors=[
                {
                    "field": "bank_account",
                    "code": "required",
                    "message": _("Enter the bank account the payout is paid into."),
                }
            ]
        )
    repo = PayoutRepository(db, tid)
    today = clock.today()
    payout = Payout(
        number=payout_number(today, await repo.last_number(f"FK-{today:%Y-%m}-")),
        method=now.method,
        status="pending",
        amount_fen=now.total_fen,
        currency=CURRENCY,
        statement_ids=sorted({i for o in now.by_agreement for i in o.statement_ids}),
        provider_account_id=now.provider_account_id,
        created_by=actor.user_id,
    )
    if details is not None and now.method == "bank":
        payout.bank_name = details.bank_name
        payout.bank_account = details.bank_account
        payout.account_holder = details.account_holder
    payout.id = uuid.uuid4()
    await repo.insert(payout)
    for owed in now.by_agreement:
        await ledger.post(
            db,
            tid,
            kind=EntryKind.PAYOUT,
            agreement_id=owed.agreement_id,
            lines=[
                (AccountKind.SUPPLIER_RECEIVABLE, owed.agreement_id, owed.payable_fen),
                (AccountKind.PAYOUT_CLEARING, None, -owed.payable_fen),
            ],
            reference=payout.number,
            memo=_("Payout %(number)s", number=payout.number),
            created_by=actor.user_id,
        )
    if payout.method == "stripe":
        await enqueue(
            db, SEND_TASK, {"tenant_id": str(tid), "payout_id": str(payout.id)}, queue=QUEUE
        )
    return payout


async def send_payout(db: AsyncSession, tid: TenantId, payout_id: uuid.UUID) -> str:
    """The send job: a transfer from the platform to the supplier's connected account, then a
    payout from it to the supplier's bank, with idempotency keys from the payout's id (a job
    run twice, or retried after a crash between the two calls, moves the money once). The row
    is locked for the calls, so two runs at once queue. Answers the payout's status."""
    payout = await PayoutRepository(db, tid).payout(payout_id, lock=True)
    if payout is None:
        raise NotFound()
    if payout.method != "stripe" or payout.status != "pending":
        return payout.status
    try:
        payout.provider_transfer_id = (await _transfer(payout, tid)).id
    except GatewayError as exc:
        if exc.retryable:
            raise
        await _fail(db, tid, payout, str(exc))  # no money moved: owed again
        return payout.status
    try:
        sent = await _pay_out(payout, tid)
    except GatewayError as exc:
        if exc.retryable:
            raise
        # The money is already in the supplier's own Stripe account: never reversed here
        # (it would be paid twice); left pending with the reason for someone to look at.
        payout.error = str(exc)[:500]
        log.error("payout %s transferred but not paid out: %s", payout.number, exc)
        await db.flush()
        return payout.status
    payout.provider_payout_id = sent.id
    payout.status = "in_transit"
    payout.sent_at = clock.now()
    await db.flush()
    return payout.status


def _metadata(payout: Payout, tid: TenantId) -> dict[str, str]:
    return {"payout_number": payout.number, "tenant_id": str(tid)}


async def _transfer(payout: Payout, tid: TenantId) -> Transfer:
    return await current_gateway().create_transfer(
        amount_fen=payout.amount_fen,
        currency=payout.currency,
        destination=payout.provider_account_id,
        idempotency_key=str(payout.id),
        metadata=_metadata(payout, tid),
        transfer_group=payout.number,
        description=payout.number,
    )


async def _pay_out(payout: Payout, tid: TenantId) -> StripePayout:
    return await current_gateway().create_payout(
        account=payout.provider_account_id,
        amount_fen=payout.amount_fen,
        currency=payout.currency,
        idempotency_key=str(payout.id),
        metadata=_metadata(payout, tid),
        description=payout.number,
    )


async def check_payout(db: AsyncSession, tid: TenantId, payout_id: uuid.UUID) -> str:
    """Asks Stripe where an in-transit payout stands: paid → `payout_paid` and reconciled;
    failed or cancelled at the bank → paid all the same for us (the money is in the
    supplier's Stripe balance; see `_bank_refused`), with Stripe's reason."""
    repo = PayoutRepository(db, tid)
    payout = await repo.payout(payout_id, lock=True)
    if payout is None:
        raise NotFound()
    if payout.status != "in_transit":
        return payout.status
    found = await current_gateway().retrieve_payout(
        payout.provider_account_id, payout.provider_payout_id
    )
    if found.status == "paid":
        await _paid(db, tid, payout, by="Stripe")
        await reconcile(db, tid, payout)
    elif found.status in ("failed", "canceled"):
        await _bank_refused(db, tid, payout, found.failure_message or found.status)
    return payout.status


async def in_transit(db: AsyncSession, tid: TenantId) -> list[uuid.UUID]:
    """The Stripe payouts still on their way (the poll's list)."""
    return [p.id for p in await PayoutRepository(db, tid).with_status("stripe", ("in_transit",))]


async def _paid(db: AsyncSession, tid: TenantId, payout: Payout, *, by: str) -> None:
    await ledger.post(
        db,
        tid,
        kind=EntryKind.PAYOUT_PAID,
        agreement_id=None,
        lines=[
            (AccountKind.PAYOUT_CLEARING, None, payout.amount_fen),
            (AccountKind.FUNDS, None, -payout.amount_fen),
        ],
        reference=payout.number,
        memo=_("Payout %(number)s paid", number=payout.number),
    )
    payout.status = "paid"
    payout.paid_at = clock.now()
    payout.marked_paid_by = by[:100]
    await db.flush()


async def _bank_refused(db: AsyncSession, tid: TenantId, payout: Payout, reason: str) -> None:
    """The transfer reached the supplier's connected account, and Stripe could not pay it on
    to the bank (a closed account, a wrong number). The platform HAS paid: the money waits in
    the enterprise's own Stripe balance, where Stripe pays it out once the bank details are
    fixed. So the payout is paid for our ledger (reversing it would owe the amount again and
    transfer it twice), not reconciled, and says why."""
    await _paid(db, tid, payout, by="Stripe")
    payout.error = _(
        "Stripe could not pay this out to the bank (%(reason)s). The money is in the "
        "enterprise's own Stripe balance; Stripe pays it out once the bank details are "
        "corrected there.",
        reason=reason[:200],
    )[:500]
    await db.flush()


async def _fail(db: AsyncSession, tid: TenantId, payout: Payout, reason: str) -> None:
    for entry_id in await PayoutRepository(db, tid).payout_entries(payout.number):
        await ledger.post_reversal(
            db, tid, entry_id, memo=_("Payout %(number)s failed", number=payout.number)
        )
    payout.status = "failed"
    payout.error = reason[:500]
    await db.flush()


async def reconcile(db: AsyncSession, tid: TenantId, payout: Payout) -> list[str]:
    """Compares a paid Stripe payout with Stripe's balance transactions: the transfer out of
    the platform's balance and the payout out of the connected account's, each for the
    payout's amount. Marks it reconciled when they match; answers the mismatches."""
    gateway = current_gateway()
    problems: list[str] = []
    transfers = await gateway.list_balance_transactions(None, source=payout.provider_transfer_id)
    paid_out = await gateway.list_balance_transactions(
        payout.provider_account_id, payout=payout.provider_payout_id, type="payout"
    )
    for label, found in (("transfer", transfers), ("payout", paid_out)):
        amounts = [t.amount_fen for t in found if t.type == label]
        if amounts != [-payout.amount_fen]:
            problems.append(
                f"{label}: expected {-payout.amount_fen} fen, Stripe shows {amounts or 'none'}"
            )
    if not problems:
        payout.reconciled_at = clock.now()
        await db.flush()
    else:
        log.error("payout %s does not reconcile: %s", payout.number, "; ".join(problems))
    return problems


async def mark_bank_paid(
    db: AsyncSession, tid: TenantId, payout_id: uuid.UUID, *, clerk: str
) -> Payout:
    """A platform clerk has seen the bank transfer go out: `payout_paid`, who and when."""
    payout = await PayoutRepository(db, tid).payout(payout_id, lock=True)
    if payout is None or payout.method != "bank":
        raise NotFound()
    if payout.status != "pending":
        raise PayoutNotPending()
    await _paid(db, tid, payout, by=clerk)
    payout.reconciled_at = payout.paid_at
    await db.flush()
    return payout


async def list_payouts(db: AsyncSession, tid: TenantId) -> list[Payout]:
    """The supplier's payouts, newest first (its 结算付款 page)."""
    return await PayoutRepository(db, tid).payouts()


async def get_payout(db: AsyncSession, tid: TenantId, payout_id: uuid.UUID) -> Payout:
    found = await PayoutRepository(db, tid).payout(payout_id)
    if found is None:
        raise NotFound()
    return found


async def pending_bank(db: AsyncSession, tid: TenantId) -> list[Payout]:
    return await PayoutRepository(db, tid).with_status("bank", ("pending",))
