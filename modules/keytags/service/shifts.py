"""Cashier and outlet shifts: every tender at the desk belongs to the cashier's open shift.

A cashier opens a shift with the float counted into the drawer and closes it with the cash
counted out. Expected cash = float + cash taken (deposits, payments, top-ups) − cash given
back (deposit returns, refunds), from the shift's `spa_tenders`; the difference counted −
expected is shown as over or short. Card, WeChat, Alipay and pre-authorisation totals are
shown beside it for the terminals' own slips.

A closed shift takes no tender: `current_shift` holds the open shift with a share lock until
the tender's transaction ends, and closing takes the row's update lock, so a tender being
taken finishes (and is counted) before the close, and a tender after the close re-reads the
row, finds it closed and opens a new shift. Two requests of one cashier racing to open a
shift open one (the partial unique index; INSERT … ON CONFLICT DO NOTHING, then read).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext
from app.web.input import read_fen
from modules.keytags.models import Shift
from modules.keytags.repository.reports import OutletReportRepository
from modules.keytags.repository.shifts import ShiftRepository
from modules.keytags.schemas.reports import IN_KINDS, OUT_KINDS, MethodTotal, ShiftReport

__all__ = [
    "ShiftAlreadyOpen",
    "ShiftNotOpen",
    "close_shift",
    "current_shift",
    "open_shift",
    "outlet_choices",
    "own_shift",
    "shift_report",
    "shifts_between",
]

MAX_CASH_FEN = 100_000_000  # ¥1,000,000 in one drawer is a typing mistake


class ShiftAlreadyOpen(Conflict):
    message = "You already have an open shift: close it before opening another."


class ShiftNotOpen(Conflict):
    message = "You have no open shift to close."


async def current_shift(
    db: AsyncSession,
    tenant_id: TenantId,
    user_id: uuid.UUID,
    *,
    outlet_id: uuid.UUID | None = None,
) -> Shift:
    """The person's open shift, held open until the caller's transaction ends (a close waits
    for the tender being taken); opened now with no float when they have none, so money
    taken is never outside a shift (the cashier counts the float in when opening one on
    purpose). Safe when two requests of one cashier race: one shift is opened."""
    repo = ShiftRepository(db, tenant_id)
    for _attempt in range(3):
        shift = await repo.open_shift(user_id, lock="share")
        if shift is not None:
            return shift
        await repo.insert_open(user_id, at=clock.now(), outlet_id=outlet_id, float_fen=0)
    raise Conflict("The shift could not be opened; try again.")  # closed thrice meanwhile


def _money(field: str, text: str | None) -> int:
    found = read_fen(text or "", maximum=MAX_CASH_FEN)
    if found is None or found < 0:
        raise Invalid.field(field, gettext("Enter an amount in yuan, such as 500 or 500.50."))
    return found


async def outlet_choices(db: AsyncSession, tenant_id: TenantId) -> list[tuple[uuid.UUID, str]]:
    """The outlets a shift may be opened at (besides the desk)."""
    return await OutletReportRepository(db, tenant_id).outlet_choices()


async def _outlet(db: AsyncSession, tenant_id: TenantId, typed: str) -> uuid.UUID | None:
    if not typed.strip():
        return None
    try:
        wanted = uuid.UUID(typed.strip())
    except ValueError:
        wanted = None
    if wanted is None or wanted not in dict(await outlet_choices(db, tenant_id)):
        raise Invalid.field("outlet", gettext("Choose the desk or one of the outlets."))
    return wanted


async def open_shift(
    db: AsyncSession,
    tenant_id: TenantId,
    user_id: uuid.UUID,
    *,
    opening_float: str,
    outlet: str = "",
) -> Shift:
    """Open the person's shift, at the desk or at an outlet (`outlet`: its id as typed),
    with the float they counted into the drawer."""
    float_fen = _money("opening_float", opening_float)
    outlet_id = await _outlet(db, tenant_id, outlet)
    repo = ShiftRepository(db, tenant_id)
    if not await repo.insert_open(
        user_id, at=clock.now(), outlet_id=outlet_id, float_fen=float_fen
    ):
        raise ShiftAlreadyOpen()
    shift = await repo.open_shift(user_id)
    assert shift is not None
    return shift


async def _report(repo: ShiftRepository, shift: Shift) -> ShiftReport:
    by_method: dict[str, list[int]] = {}
    for s in await repo.tender_sums(shift.id):
        totals = by_method.setdefault(s.method, [0, 0, 0])
        totals[0] += s.count
        if s.kind in IN_KINDS:
            totals[1] += s.amount_fen
        elif s.kind in OUT_KINDS:
            totals[2] += s.amount_fen
    methods = [MethodTotal(m, *t) for m, t in sorted(by_method.items())]
    user_name, outlet_name = await repo.names(shift)
    takings = None
    if shift.outlet_id is not None:
        takings = await OutletReportRepository(repo.db, repo.tenant_id).outlet_takings(
            shift.outlet_id, shift.opened_at, shift.closed_at or clock.now()
        )
    return ShiftReport(shift, user_name, outlet_name, methods, takings)


async def close_shift(
    db: AsyncSession,
    tenant_id: TenantId,
    user_id: uuid.UUID,
    *,
    counted: str,
    note: str = "",
) -> ShiftReport:
    """Close the person's open shift with the cash they counted: the expected cash is fixed
    on the shift (after any tender still being taken has finished) beside the count."""
    counted_fen = _money("counted", counted)
    repo = ShiftRepository(db, tenant_id)
    shift = await repo.open_shift(user_id, lock="update")
    if shift is None:
        raise ShiftNotOpen()
    report = await _report(repo, shift)
    shift.closed_at = clock.now()
    shift.expected_cash_fen = report.expected_cash_fen
    shift.counted_cash_fen = counted_fen
    shift.note = note.strip()[:200]
    await db.flush()
    return report


async def own_shift(
    db: AsyncSession, tenant_id: TenantId, user_id: uuid.UUID
) -> ShiftReport | None:
    """The person's open shift with its figures so far (None: no shift open)."""
    repo = ShiftRepository(db, tenant_id)
    shift = await repo.open_shift(user_id)
    return await _report(repo, shift) if shift is not None else None


async def shift_report(db: AsyncSession, tenant_id: TenantId, shift_id: uuid.UUID) -> ShiftReport:
    """A shift's money: expected against counted cash, totals by method."""
    repo = ShiftRepository(db, tenant_id)
    shift = await repo.shift(shift_id)
    if shift is None:
        raise NotFound()
    return await _report(repo, shift)


async def shifts_between(
    db: AsyncSession, tenant_id: TenantId, start_at: datetime, end_at: datetime
) -> list[ShiftReport]:
    """Every shift open at some moment of [start_at, end_at), newest first, with figures."""
    repo = ShiftRepository(db, tenant_id)
    return [await _report(repo, row.shift) for row in await repo.shifts_between(start_at, end_at)]
