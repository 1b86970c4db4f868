"""How an entry of the distribution ledger is posted (`post`; the entries themselves are in
`service/ledger.py`), and why:

1. its accounts are found or created (one per tenant, agreement and kind; a prepaid balance
   may not go above 0 — credit-normal, it holds what the distributor paid in — and what a
   distributor on credit owes may not go above its credit limit);
2. each account's cached balance moves by a guarded UPDATE, in one fixed order (the limited
   account first, then by id) so that two sales touching the same accounts queue instead of
   deadlocking; a refused move raises `InsufficientBalance` and nothing is written. The row
   lock is what makes two sales racing for the last yuan of a balance spend it once;
3. the accounting date is taken once the locks are held (a settlement that was closing the
   period has then committed, and the posting lands in the next period);
4. the entry, then ALL its postings in one INSERT (the database checks per statement that the
   entry balances, and that no posting lands in a settled period).

Callers are bound to the SUPPLIER's tenant (`tid`): its own console, or a distributor inside
`acting_for`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, NotFound
from app.i18n import gettext as _
from app.money import format_fen
from modules.distribution import domain
from modules.distribution.domain import AccountKind, Line
from modules.distribution.models import Agreement
from modules.distribution.repository.ledger import AccountKey, AccountRow, LedgerRepository
from tenants.service import tenant_settings

MEMO_MAX = 200
REFERENCE_MAX = 100


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    message = "The distributor's balance is not enough for this."


class PeriodSettled(Conflict):
    code = "period_settled"
    message = "This period was settled just now. Please try again."


# Posting ----------------------------------------------------------------------------------


async def post(
    db: AsyncSession,
    tid: TenantId,
    *,
    kind: str,
    agreement_id: uuid.UUID | None,
    lines: Sequence[Line | tuple[str, uuid.UUID | None, int]],
    accounting_date: date | None = None,
    order_id: uuid.UUID | None = None,
    memo: str = "",
    reference: str = "",
    reverses_id: uuid.UUID | None = None,
    created_by: uuid.UUID | None = None,
    credit_limits: dict[uuid.UUID, int] | None = None,
) -> uuid.UUID:
    """Posts one balanced entry (see the module docstring) and returns its id. `lines` are
    (account kind, the account's agreement or None, amount: debit > 0, credit < 0); lines
    on the same account are added up. Without `accounting_date`, the supplier's local date
    (moved past any settled period of `agreement_id`). `credit_limits` (agreement id → credit
    limit) saves a read when the caller holds the agreement. Refuses with
    `InsufficientBalance` when a balance or credit limit would be overdrawn."""
    netted = domain.net_lines([Line(*line) for line in lines])
    if len(netted) < 2 or sum(line.amount_fen for line in netted) != 0:
        raise ValueError("an entry needs at least two lines summing to zero")
    if len(memo) > MEMO_MAX or len(reference) > REFERENCE_MAX:
        raise ValueError("memo or reference too long")
    repo = LedgerRepository(db, tid)
    moves = await _post_moves(db, repo, netted, credit_limits)
    if accounting_date is None:
        accounting_date = await accounting_date_for(db, tid, agreement_id)
    entry_id = await repo.insert_entry(
        kind=kind,
        agreement_id=agreement_id,
        accounting_date=accounting_date,
        order_id=order_id,
        memo=memo,
        reference=reference,
        reverses_id=reverses_id,
        created_by=created_by,
    )
    try:
        await repo.insert_postings(
            entry_id,
            agreement_id=agreement_id,
            accounting_date=accounting_date,
            amounts=[(account.id, amount) for account, amount in moves],
        )
    except IntegrityError as refused:
        if constraint_of(refused) == "dist_period_open":
            raise PeriodSettled() from None
        raise
    return entry_id


def constraint_of(error: IntegrityError) -> str:
    """The name of the constraint the database refused with (asyncpg tells it)."""
    cause = getattr(error.orig, "__cause__", None)
    return str(getattr(cause, "constraint_name", None) or "")


def _limit(key: AccountKey, credit_limits: dict[uuid.UUID, int]) -> int | None:
    agreement_id, kind = key
    if kind == AccountKind.DISTRIBUTOR_PREPAID:
        return 0
    if kind == AccountKind.DISTRIBUTOR_PAYABLE and agreement_id is not None:
        return credit_limits[agreement_id]
    return None


async def _post_moves(
    db: AsyncSession,
    repo: LedgerRepository,
    lines: list[Line],
    credit_limits: dict[uuid.UUID, int] | None,
) -> list[tuple[AccountRow, int]]:
    """Moves the cached balance of each line's account (created when missing; a credit
    account's limit follows its agreement's, never below what is used), the limited account
    first and then by id. When a refusal could come after a write (a new account, a second
    limited account), the moves run in a savepoint so that a refusal leaves nothing."""
    keys = list(dict.fromkeys((line.agreement_id, str(line.kind)) for line in lines))
    limits = await _credit_limits(repo, keys, credit_limits)
    found = await repo.accounts(keys)
    missing = [key for key in keys if key not in found]
    guarded = [line for line in lines if _limit((line.agreement_id, line.kind), limits) is not None]
    if missing or sum(1 for line in guarded if line.amount_fen > 0) > 1:
        async with db.begin_nested():
            return await _move(repo, lines, keys, limits, missing)
    return await _move(repo, lines, keys, limits, missing)


async def _credit_limits(
    repo: LedgerRepository, keys: list[AccountKey], known: dict[uuid.UUID, int] | None
) -> dict[uuid.UUID, int]:
    payable = [a for a, k in keys if k == AccountKind.DISTRIBUTOR_PAYABLE and a is not None]
    limits = dict(known or {})
    if any(a not in limits for a in payable):
        limits.update(await repo.credit_limits([a for a in payable if a not in limits]))
    if any(a not in limits for a in payable):
        raise NotFound()
    return limits


async def _move(
    repo: LedgerRepository,
    lines: list[Line],
    keys: list[AccountKey],
    limits: dict[uuid.UUID, int],
    missing: list[AccountKey],
) -> list[tuple[AccountRow, int]]:
    if missing:
        await repo.create_accounts([(key, _limit(key, limits)) for key in missing])
    found = await repo.accounts(keys)
    for key, account in found.items():  # a limit follows its agreement (or was never set)
        wanted = _limit(key, limits)
        if wanted is not None and account.limit_fen != max(wanted, account.balance_fen):
            await repo.set_limit(account.id, wanted)
            found[key] = await repo.account(account.id) or account
    moves = sorted(
        ((found[(line.agreement_id, line.kind)], line.amount_fen) for line in lines),
        key=lambda move: (move[0].limit_fen is None, str(move[0].id)),
    )
    for account, amount in moves:
        if await repo.move(account.id, amount) is None:
            raise _refusal(await repo.account(account.id) or account, amount)
    return moves


def _refusal(account: AccountRow, amount: int) -> Conflict:
    left = format_fen(max(0, (account.limit_fen or 0) - account.balance_fen))
    needed = format_fen(amount)
    if account.kind == AccountKind.DISTRIBUTOR_PREPAID:
        text = _(
            "The distributor's prepaid balance is not enough: %(needed)s needed, %(left)s "
            "left. Ask the distributor to top up first.",
            needed=needed,
            left=left,
        )
    elif account.kind == AccountKind.DISTRIBUTOR_PAYABLE:
        text = _(
            "The distributor's credit line is used up: %(needed)s needed, %(left)s of credit "
            "left. It must pay what it owes first.",
            needed=needed,
            left=left,
        )
    else:
        text = _("The account's limit does not allow %(needed)s.", needed=needed)
    return InsufficientBalance(text)


# Accounting dates -------------------------------------------------------------------------


async def accounting_date_for(
    db: AsyncSession,
    tid: TenantId,
    agreement: uuid.UUID | Agreement | None,
    today: date | None = None,
) -> date:
    """The date a posting made now is booked on: the supplier's local date (`today` when
    given), unless it lies inside a period of the agreement whose statement is no longer
    open — then the first day after it. So a cancellation after settlement lands in the
    next period, and a closed statement never changes."""
    if today is None:
        today = clock.today(clock.tz_of(await tenant_settings(db, tid)))
    if agreement is None:
        return today
    agreement_id = agreement.id if isinstance(agreement, Agreement) else agreement
    settled = await LedgerRepository(db, tid).settled_periods(agreement_id, today)
    return domain.accounting_date(today, settled)
