"""Charges on a tag: the ONE place an outlet's sale is judged and written.

`charge` serves `POST /api/v1/keytags/charges`, the touch POS page and the offline reader's
uploaded batches alike. A sale is idempotent on the device's id and sequence number: asking
again answers the first charge and applies nothing (a replay racing the first waits on the
visit's row, then finds the number taken and answers the first one). The limit is held by
the guarded write of the visit in the same statement as the charge row (repository
`_APPLY`): two outlets charging the last yuan of a limit at once serialise on the visit and
one is refused. A refusal writes nothing.

Two statements in all for a sale: one reads what it is judged on, one writes it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import gettext as _
from app.money import format_fen
from modules.keytags import domain
from modules.keytags.repository.charges import (
    ChargeFacts,
    ChargeRepository,
    EarlierCharge,
    NewCharge,
)
from modules.keytags.service.catalog import rules

MAX_UID_LENGTH = 32
MAX_DEVICE_ID_LENGTH = 64
MAX_DEVICE_SEQ = 2**63 - 1
MAX_ITEMS = 50
MAX_QTY = 999
MAX_CHARGE_FEN = 10_000_000  # ¥100,000 on one tag at once is a typing error


class ChargeRefused(Conflict):
    """A charge the outlet may not make (nothing is written). `code` says why."""


class UnknownTag(NotFound):
    code = "unknown_tag"
    message = "This tag is not issued to a guest."


class TagBlocked(ChargeRefused):
    code = "tag_blocked"
    message = "This tag is blocked (reported lost). Send the guest to the front desk."


class VisitClosed(ChargeRefused):
    code = "visit_closed"
    message = "This tag's visit is settled or closed: nothing more can be charged on it."


class OverLimit(ChargeRefused):
    code = "over_limit"
    message = "Over the tab's limit."


class UnknownItem(Invalid):
    code = "unknown_item"
    message = "This item is not on the outlet's price list."


class DeviceSequenceReused(Conflict):
    code = "device_seq_reused"
    message = "This device already sent another charge under this sequence number."


class NoOutlet(Forbidden):
    code = "no_outlet"
    message = "This API key belongs to no outlet: link it to an outlet in the key-tag set-up."


class OutletClosed(Forbidden):
    code = "outlet_inactive"
    message = "This outlet is switched off in the key-tag set-up."


@dataclass(frozen=True, slots=True)
class ItemQty:
    code: str
    qty: int


@dataclass(frozen=True, slots=True)
class ChargeResult:
    """The answer to a sale, as the POS and the reader show it."""

    charge_id: uuid.UUID
    visit_id: uuid.UUID
    visit_number: str
    guest_name: str
    amount_fen: int
    tab_fen: int
    limit_fen: int
    lines: list[dict[str, Any]]
    occurred_at: datetime
    replayed: bool

    @property
    def remaining_fen(self) -> int:
        return max(0, self.limit_fen - self.tab_fen)


def over_limit(remaining_fen: int) -> OverLimit:
    return OverLimit(
        _("Over the tab's limit: %(remaining)s remains.", remaining=format_fen(remaining_fen))
    )


def _checked_device(device_id: str, device_seq: int) -> None:
    if not device_id or len(device_id) > MAX_DEVICE_ID_LENGTH or not device_id.isprintable():
        raise Invalid.field("device_id", "Name the device (at most 64 characters).")
    if isinstance(device_seq, bool) or not 0 <= device_seq <= MAX_DEVICE_SEQ:
        raise Invalid.field("device_seq", "A device sequence number is a whole number from 0.")


def _checked_uid(uid: str) -> str:
    uid = re.sub(r"[\s:\-]", "", uid or "").upper()
    if not uid or len(uid) > MAX_UID_LENGTH or not uid.isprintable():
        raise Invalid.field("tag", "Scan a key tag.")
    return uid


def _checked_items(items: Sequence[ItemQty]) -> list[ItemQty]:
    if not items:
        raise Invalid.field("items", "Choose at least one item.")
    if len(items) > MAX_ITEMS:
        raise Invalid.field("items", "At most 50 items in one charge.")
    merged: dict[str, int] = {}
    for item in items:
        if isinstance(item.qty, bool) or not 1 <= item.qty <= MAX_QTY:
            raise Invalid.field("qty", "A quantity is a whole number from 1 to 999.")
        merged[item.code] = merged.get(item.code, 0) + item.qty
    return [ItemQty(code, qty) for code, qty in merged.items()]


def priced_lines(facts: ChargeFacts, items: Sequence[ItemQty]) -> list[dict[str, Any]]:
    """The sale's lines at the outlet's prices (per-hour items: qty is the hours)."""
    lines = []
    for item in items:
        found = facts.items.get(item.code)
        if found is None:
            raise UnknownItem(
                _("%(code)s is not on this outlet's price list.", code=item.code),
                errors=[{"field": "items", "code": "unknown_item", "message": item.code}],
            )
        lines.append(
            {
                "item_id": str(found.id),
                "code": found.code,
                "name": found.name,
                "unit": found.unit,
                "qty": item.qty,
                "unit_price_fen": found.price_fen,
                "amount_fen": found.price_fen * item.qty,
            }
        )
    return lines


def describe(outlet_name: str, lines: Sequence[dict[str, Any]]) -> str:
    text = outlet_name + ": " + ", ".join(f"{line['name']}×{line['qty']}" for line in lines)
    return text if len(text) <= 120 else text[:119] + "…"


def refusal(facts: ChargeFacts) -> ChargeRefused | NotFound | None:
    """Why this tag cannot be charged (its visit aside from the limit), or None."""
    if facts.tag_id is None:
        return UnknownTag()
    if facts.tag_status == domain.TagStatus.BLOCKED:
        return TagBlocked()
    if facts.visit_id is None:
        if facts.last_visit_status is None or facts.tag_status == domain.TagStatus.AVAILABLE:
            return UnknownTag()
        return VisitClosed()
    return None


def _same(earlier: EarlierCharge, tag_id: uuid.UUID | None, lines: list[dict[str, Any]]) -> bool:
    def key(ls: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
        return sorted((str(line["code"]), int(line["qty"])) for line in ls)

    return (
        earlier.kind == domain.ChargeKind.CHARGE
        and key(earlier.lines) == key(lines)
        and (tag_id is None or earlier.tag_id == tag_id)
    )


def _replay(earlier: EarlierCharge) -> ChargeResult:
    return ChargeResult(
        charge_id=earlier.id,
        visit_id=earlier.visit_id,
        visit_number=earlier.visit_number,
        guest_name=earlier.guest_name,
        amount_fen=earlier.amount_fen,
        tab_fen=earlier.tab_fen,
        limit_fen=earlier.limit_fen,
        lines=earlier.lines,
        occurred_at=earlier.occurred_at,
        replayed=True,
    )


async def charge(
    db: AsyncSession,
    tid: TenantId,
    *,
    tag_uid: str,
    items: Sequence[ItemQty],
    device_id: str,
    device_seq: int,
    actor: Actor,
    outlet_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
    offline: bool = False,
) -> ChargeResult:
    """Charge the outlet's items on the guest's tag and move the tab, or refuse.

    The outlet is the calling API key's (`actor.api_key_id`), or `outlet_id` for the POS
    page. Raises NoOutlet (403) for a key linked to no outlet, UnknownTag (404), TagBlocked,
    VisitClosed, OverLimit (409, with the remaining amount), UnknownItem (422),
    DeviceSequenceReused (409) when the device sent another sale under the same number."""
    uid = _checked_uid(tag_uid)
    wanted = _checked_items(items)
    _checked_device(device_id, device_seq)
    repo = ChargeRepository(db, tid)
    facts = await repo.facts(
        api_key_id=actor.api_key_id if outlet_id is None else None,
        outlet_id=outlet_id,
        device_id=device_id,
        device_seq=device_seq,
        tag_uid=uid,
        codes=[item.code for item in wanted],
    )
    if facts is None:
        raise NoOutlet() if outlet_id is None else NotFound()
    if facts.earlier is not None:  # answered as it was, even if the price list changed since
        asked = [{"code": item.code, "qty": item.qty} for item in wanted]
        if not _same(facts.earlier, facts.tag_id, asked):
            raise DeviceSequenceReused()
        return _replay(facts.earlier)
    lines = priced_lines(facts, wanted)
    if not facts.outlet_active:
        raise OutletClosed()
    refused = refusal(facts)
    if refused is not None:
        raise refused
    amount = sum(int(line["amount_fen"]) for line in lines)
    if amount > MAX_CHARGE_FEN:
        raise Invalid.field("items", "This charge is too large for one sale.")
    if facts.tab_fen + amount > facts.limit_fen:  # no room as read: no need to try the write
        raise over_limit(max(0, facts.limit_fen - facts.tab_fen))
    now = clock.now()
    assert facts.visit_id is not None
    row = NewCharge(
        id=uuid7(),
        visit_id=facts.visit_id,
        tag_id=facts.tag_id,
        outlet_id=facts.outlet_id,
        kind=domain.ChargeKind.CHARGE.value,
        description=describe(facts.outlet_name, lines),
        lines=lines,
        amount_fen=amount,
        device_id=device_id,
        device_seq=device_seq,
        occurred_at=occurred_at or now,
        recorded_at=now,
        offline=offline,
        api_key_id=actor.api_key_id,
        user_id=actor.user_id,
    )
    return await _write(repo, row, facts)


async def _write(repo: ChargeRepository, row: NewCharge, facts: ChargeFacts) -> ChargeResult:
    done = await repo.apply(row)
    if done.written and done.tab_fen is not None and done.limit_fen is not None:
        return ChargeResult(
            charge_id=row.id,
            visit_id=row.visit_id,
            visit_number=facts.visit_number,
            guest_name=facts.guest_name,
            amount_fen=row.amount_fen,
            tab_fen=done.tab_fen,
            limit_fen=done.limit_fen,
            lines=row.lines,
            occurred_at=row.occurred_at,
            replayed=False,
        )
    # The device's number was taken by a replay that committed first (it may also have
    # filled the tab: then the visit's row refused this one before the number did).
    assert row.device_id is not None and row.device_seq is not None
    earlier = await repo.earlier(row.device_id, row.device_seq)
    if earlier is not None:
        if not _same(earlier, row.tag_id, row.lines):
            raise DeviceSequenceReused()
        return _replay(earlier)
    if done.free:  # pragma: no cover - only the device's number can refuse a free visit
        raise DeviceSequenceReused()
    # The visit changed between the read and the write: settled, tag blocked, or full.
    raise await _why_not(repo, row)


async def _why_not(repo: ChargeRepository, row: NewCharge) -> ChargeRefused:
    now = await repo.visit_now(row.visit_id)
    if now is None or now.status != domain.VisitStatus.OPEN:
        return VisitClosed()
    if now.active_tag_id != row.tag_id:
        return TagBlocked()
    return over_limit(max(0, now.limit_fen - now.tab_fen))


# ---- the POS's look-up ----


@dataclass(frozen=True, slots=True)
class TagLookup:
    uid: str
    status: str  # open | blocked | closed | unknown
    visit_id: uuid.UUID | None
    visit_number: str
    guest_name: str
    tab_fen: int
    limit_fen: int

    @property
    def remaining_fen(self) -> int:
        return max(0, self.limit_fen - self.tab_fen)


async def look_up_tag(db: AsyncSession, tid: TenantId, uid: str) -> TagLookup:
    """What a POS shows on scanning a tag: the guest's name, visit number, tab and what is
    left of the limit; or why it cannot be charged (blocked, closed, unknown)."""
    uid = _checked_uid(uid)
    row = await ChargeRepository(db, tid).tag_and_visit(uid)
    if row is None:
        return TagLookup(uid, "unknown", None, "", "", 0, 0)
    if row["tag_status"] == domain.TagStatus.BLOCKED:
        return TagLookup(uid, "blocked", None, "", "", 0, 0)
    if row["visit_id"] is None:
        status = "unknown" if row["tag_status"] == domain.TagStatus.AVAILABLE else "closed"
        return TagLookup(uid, status, None, "", "", 0, 0)
    return TagLookup(
        uid,
        "open",
        row["visit_id"],
        row["number"],
        row["guest_name"],
        int(row["tab_fen"]),
        int(row["limit_fen"]),
    )


# ---- voids ----


class VoidRefused(Conflict):
    code = "void_refused"
    message = "This charge cannot be voided."


class AlreadyVoided(Conflict):
    code = "already_voided"
    message = "This charge is already voided."


class VoidNeedsManager(Forbidden):
    code = "void_needs_manager"
    message = "The outlet's time to void this charge has passed: a manager must approve the void."


@dataclass(frozen=True, slots=True)
class VoidResult:
    void_id: uuid.UUID
    charge_id: uuid.UUID
    visit_number: str
    amount_fen: int  # negative
    tab_fen: int
    limit_fen: int


async def void_charge(
    db: AsyncSession,
    tid: TenantId,
    charge_id: uuid.UUID,
    *,
    actor: Actor,
    outlet_id: uuid.UUID | None = None,
    manager: bool = False,
    reason: str = "",
) -> VoidResult:
    """Reverse a sale with a void row (negative, naming it) and move the tab back, in one
    statement; nothing is edited. The outlet (the calling key's, or `outlet_id` on the POS
    page) voids its own sales within `rules().outlet_void_minutes`; later only a manager
    (`manager`: recorded as `approved_by`). A second void of the same sale is refused (the
    unique `voids_charge_id`), as is a void once the visit is settled."""
    repo = ChargeRepository(db, tid)
    if outlet_id is None:
        if actor.api_key_id is None:
            raise NoOutlet()
        outlet = await repo.outlet_for_key(actor.api_key_id)
        if outlet is None:
            raise NoOutlet()
        outlet_id = outlet.id
    sale = await repo.charge(charge_id)
    if sale is None or sale.outlet_id != outlet_id:
        raise NotFound()
    if sale.kind != domain.ChargeKind.CHARGE:
        raise VoidRefused(_("Only a sale can be voided."))
    if await repo.void_of(sale.id) is not None:
        raise AlreadyVoided()
    now = clock.now()
    window = (await rules(db, tid)).outlet_void_minutes
    late = domain.void_needs_manager(sale.recorded_at, now, window)
    if late and not manager:
        raise VoidNeedsManager()
    row = NewCharge(
        id=uuid7(),
        visit_id=sale.visit_id,
        tag_id=sale.tag_id,
        outlet_id=sale.outlet_id,
        kind=domain.ChargeKind.VOID.value,
        description=(_("Void: %(what)s", what=sale.description))[:120],
        lines=sale.lines,
        amount_fen=-sale.amount_fen,
        device_id=None,
        device_seq=None,
        occurred_at=now,
        recorded_at=now,
        api_key_id=actor.api_key_id,
        user_id=actor.user_id,
        approved_by=actor.user_id if late else None,
        reason=reason[:200],
        voids_charge_id=sale.id,
    )
    done = await repo.apply(row, by_person=True)
    if not done.written or done.tab_fen is None or done.limit_fen is None:
        if done.free:
            raise AlreadyVoided()
        raise VoidRefused(_("The visit is settled: the void goes through the exit desk."))
    visit = await repo.visit_now(sale.visit_id)
    return VoidResult(
        row.id,
        sale.id,
        visit.number if visit else "",
        row.amount_fen,
        done.tab_fen,
        done.limit_fen,
    )
