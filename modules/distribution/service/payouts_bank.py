"""The platform operator's side of payouts: a payout run for every supplier owed, the bank
transfer file of the pending bank payouts, and marking a bank payout paid.

The operator is outside every enterprise: each supplier is bound in turn for its own reads
and writes (never a query across tenants), and unbound at the end.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId, bind_tenant
from app.errors import Conflict, Invalid
from app.jobs.repository import all_tenant_ids
from app.money import format_fen
from modules.distribution.models import Payout
from modules.distribution.service import payouts

# A common layout of Chinese banks' batch transfer templates (网银批量转账).
BANK_FILE_HEADER = ("序号", "收款账号", "收款户名", "开户行", "金额(元)", "用途/附言")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class TenantPayout:
    tenant_id: uuid.UUID
    payout: Payout


@dataclass(frozen=True, slots=True)
class RunResult:
    created: tuple[str, ...]  # payout numbers
    skipped: tuple[str, ...]  # tenant ids owed but without a way to pay them


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals and no grouping (what a bank's template expects)."""
    return f"{fen // 100}.{fen % 100:02d}"


def _cell(text: str) -> str:
    """A spreadsheet opens the file: a cell never starts a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def bank_file(rows: Sequence[Payout]) -> bytes:
    """The batch transfer CSV: UTF-8 with a BOM (so Excel reads the Chinese), one line per
    payout, the amount in yuan, the payout number as the purpose so the supplier sees it on
    its bank statement."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BANK_FILE_HEADER)
    for n, p in enumerate(rows, start=1):
        writer.writerow(
            [
                n,
                _cell(p.bank_account),
                _cell(p.account_holder),
                _cell(p.bank_name),
                yuan(p.amount_fen),
                f"分销结算 {p.number}",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


async def _each_tenant(db: AsyncSession) -> list[TenantId]:
    return [TenantId(t) for t in await all_tenant_ids(db)]


async def pending_bank_payouts(db: AsyncSession) -> list[TenantPayout]:
    """Every supplier's bank payouts waiting for the clerk, supplier by supplier."""
    found: list[TenantPayout] = []
    try:
        for tid in await _each_tenant(db):
            await bind_tenant(db, tid)
            found += [TenantPayout(tid, p) for p in await payouts.pending_bank(db, tid)]
    finally:
        await bind_tenant(db, None)
    return found


async def operator_bank_file(db: AsyncSession) -> bytes:
    return bank_file([row.payout for row in await pending_bank_payouts(db)])


async def operator_mark_paid(
    db: AsyncSession, tenant_id: uuid.UUID, payout_id: uuid.UUID, *, clerk: str
) -> Payout:
    """The clerk saw the bank transfer leave: the supplier's payout is paid (who, when)."""
    try:
        await bind_tenant(db, tenant_id)
        return await payouts.mark_bank_paid(db, TenantId(tenant_id), payout_id, clerk=clerk)
    finally:
        await bind_tenant(db, None)


async def payout_run(db: AsyncSession) -> RunResult:
    """Pays every supplier owed something now, each as one payout (Stripe when its account
    takes payouts, else a bank line to the account it was last paid into). A supplier owed
    but with no known bank account is skipped and listed."""
    created: list[str] = []
    skipped: list[str] = []
    try:
        for tid in await _each_tenant(db):
            await bind_tenant(db, tid)
            try:
                async with db.begin_nested():
                    created.append((await payouts.request_payout(db, tid)).number)
            except payouts.NothingOwed:
                continue
            except (Invalid, Conflict):
                skipped.append(str(tid))
    finally:
        await bind_tenant(db, None)
    return RunResult(tuple(created), tuple(skipped))


def total(rows: Sequence[TenantPayout]) -> str:
    return format_fen(sum(r.payout.amount_fen for r in rows))
