"""The exit desk: the itemised bill of a visit (or a party) and its settlement.

The bill is admission (a prepaid one shown, not due), the time fee per started hour past the
ticket's base time (from the entry gate, else from admission, to now), every charge on the
visit by outlet with its items, voids as reversing lines, and desk fees (a lost tag).

How the money is written (spa_tenders, each on the cashier's current shift):

- the cash deposit is applied first: what it does not use goes back as a `deposit_return`
  (cash); a bill larger than the deposit leaves the rest to pay; the deposit applied is not
  written again, so a shift's cash is deposits − deposit returns + cash payments − refunds;
- the rest is one `payment` by the chosen method (cash: the amount kept, the tendered sum in
  `reference` for the receipt's change); a card pre-authorisation is captured for the rest up
  to its amount and released beyond it, more than it covers is paid by `rest_method`;
- so a settled visit's `bill_fen` (what was due at the exit, prepaid admission excluded)
  = payments + deposit − deposit returns.

Settling locks the visit rows: a charge racing the settlement either committed first (and is
on the bill) or waits and then finds the visit settled and is refused.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.documents.pdf import render_template_pdf
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext
from modules.keytags import domain
from modules.keytags.domain import TabMode, TenderKind, TenderMethod, VisitStatus
from modules.keytags.models import Charge, Tender, TicketType, Visit
from modules.keytags.repository.exit import ExitRepository
from modules.keytags.service.catalog import in_resort_language, rules, time_rule
from modules.keytags.service.members import debit_member
from modules.keytags.service.online import resort_contact
from modules.keytags.service.shifts import current_shift
from modules.payments import service as payments

MAX_UID_LENGTH = 32
PAY_METHODS = (
    TenderMethod.CASH,
    TenderMethod.CARD,
    TenderMethod.WECHAT,
    TenderMethod.ALIPAY,
    TenderMethod.PREAUTH,
    TenderMethod.FOLIO,
    TenderMethod.MEMBER,
)
TENDERED_PREFIX = "tendered:"


class AlreadySettled(Conflict):
    code = "already_settled"
    message = "This visit is already settled: the guest may pass the exit gate."


class NotSettleable(Conflict):
    code = "visit_not_open"
    message = "This visit has left the resort or was cancelled: there is nothing to settle."


class UnknownTag(NotFound):
    code = "unknown_tag"
    message = "No visit holds this tag."


@dataclass(frozen=True, slots=True)
class BillItem:
    name: str
    qty: int
    unit_price_fen: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ExitLine:
    kind: str  # admission | overage | charge | void | fee
    description: str
    amount_fen: int
    prepaid: bool = False
    outlet: str = ""
    at: datetime | None = None
    hours: int = 0
    items: tuple[BillItem, ...] = ()


@dataclass(frozen=True, slots=True)
class OutletGroup:
    name: str
    lines: tuple[ExitLine, ...]
    subtotal_fen: int


@dataclass(frozen=True, slots=True)
class VisitBill:
    visit: Visit
    ticket_name: str
    tag_label: str
    locker: str
    start: datetime
    end: datetime
    minutes: int
    overage_hours: int
    lines: tuple[ExitLine, ...]
    outlets: tuple[OutletGroup, ...]
    total_fen: int  # every line not prepaid
    paid_fen: int  # settled before (a visit settled again after its exit window)
    deposit_fen: int  # cash deposit still held

    @property
    def due_fen(self) -> int:
        return self.total_fen - self.paid_fen

    @property
    def admission(self) -> ExitLine:
        return self.lines[0]

    @property
    def overage(self) -> ExitLine | None:
        return next((line for line in self.lines if line.kind == "overage"), None)

    @property
    def fees(self) -> tuple[ExitLine, ...]:
        return tuple(line for line in self.lines if line.kind == "fee")


@dataclass(frozen=True, slots=True)
class Bill:
    """A visit's bill, or its party's (every visit still to settle, the scanned one first)."""

    visits: tuple[VisitBill, ...]
    tenders: tuple[Tender, ...]
    authorised_fen: int  # card pre-authorisations that can still be captured
    exit_window_minutes: int
    at: datetime

    @property
    def lead(self) -> VisitBill:
        return self.visits[0]

    @property
    def party(self) -> bool:
        return len(self.visits) > 1

    @property
    def due_fen(self) -> int:
        return sum(v.due_fen for v in self.visits)

    @property
    def deposit_fen(self) -> int:
        return sum(v.deposit_fen for v in self.visits)

    @property
    def to_pay_fen(self) -> int:
        """What is left to pay once the cash deposit is applied."""
        return max(0, self.due_fen - self.deposit_fen)

    @property
    def deposit_back_fen(self) -> int:
        return max(0, self.deposit_fen - self.due_fen)

    @property
    def settled(self) -> bool:
        return all(v.visit.status != VisitStatus.OPEN for v in self.visits) and self.due_fen <= 0

    @property
    def exit_by(self) -> datetime | None:
        settled_at = self.lead.visit.settled_at
        if settled_at is None:
            return None
        return settled_at + timedelta(minutes=self.exit_window_minutes)

    def methods(self) -> list[TenderMethod]:
        """The methods this bill can be paid by at the desk, the visit's own tab first
        (the card hold, the room's folio, the member's balance)."""
        lead = self.lead.visit
        own = []
        if self.authorised_fen > 0:
            own.append(TenderMethod.PREAUTH)
        if lead.stay_id is not None:
            own.append(TenderMethod.FOLIO)
        if lead.member_id is not None:
            own.append(TenderMethod.MEMBER)
        return [*own, *domain.DESK_METHODS]

    def change_fen(self, tender: Tender) -> int:
        if tender.method != TenderMethod.CASH or not tender.reference.startswith(TENDERED_PREFIX):
            return 0
        tendered = int(tender.reference.removeprefix(TENDERED_PREFIX) or "0")
        return max(0, tendered - tender.amount_fen)

    def tendered_fen(self, tender: Tender) -> int:
        return tender.amount_fen + self.change_fen(tender)


@dataclass(frozen=True, slots=True)
class Settlement:
    visit_ids: tuple[uuid.UUID, ...]
    due_fen: int
    deposit_applied_fen: int
    deposit_returned_fen: int
    payments: tuple[tuple[str, int], ...]  # (method, amount)
    change_fen: int = 0
    released_fen: int = 0


def clean_uid(raw: str) -> str:
    """A UID as a reader types it (any case, maybe with spaces or colons), as it is stored."""
    return re.sub(r"[\s:\-]", "", raw or "").upper()


# The bill ------------------------------------------------------------------------------


def _items(charge: Charge) -> tuple[BillItem, ...]:
    found = []
    for raw in charge.lines or []:
        if not isinstance(raw, dict):
            continue
        qty = int(raw.get("qty") or 1)
        unit = int(raw.get("unit_price_fen") or 0)
        found.append(
            BillItem(
                name=str(raw.get("name") or ""),
                qty=qty,
                unit_price_fen=unit,
                amount_fen=int(raw.get("amount_fen") or unit * qty),
            )
        )
    return tuple(found)


def _charge_line(charge: Charge, outlets: dict[uuid.UUID, str]) -> ExitLine:
    outlet = outlets.get(charge.outlet_id, "") if charge.outlet_id else ""
    return ExitLine(
        kind=charge.kind,
        description=charge.description,
        amount_fen=charge.amount_fen,
        outlet=outlet,
        at=charge.occurred_at,
        items=_items(charge) if charge.kind != "void" else (),
    )


def _groups(lines: list[ExitLine]) -> tuple[OutletGroup, ...]:
    by_outlet: dict[str, list[ExitLine]] = {}
    for line in lines:
        if line.kind in ("charge", "void") and line.outlet:
            by_outlet.setdefault(line.outlet, []).append(line)
    return tuple(
        OutletGroup(name, tuple(found), sum(x.amount_fen for x in found))
        for name, found in by_outlet.items()
    )


def _end_of(visit: Visit, now: datetime, window: int) -> datetime:
    """Time counts to now while the guest is inside; a settled visit's clock stopped at its
    settlement (also once through the gate, within the window) unless the exit window has
    passed before the guest left (then it runs again)."""
    if visit.status == VisitStatus.OPEN or visit.settled_at is None:
        return now
    if visit.status == VisitStatus.SETTLED and now > visit.settled_at + timedelta(minutes=window):
        return now
    return visit.settled_at


def visit_bill(
    visit: Visit,
    ticket: TicketType,
    charges: list[Charge],
    outlets: dict[uuid.UUID, str],
    *,
    end: datetime,
    tag_label: str = "",
    locker: str = "",
) -> VisitBill:
    start = visit.gate_in_at or visit.opened_at
    rule = time_rule(ticket)
    hours = domain.overage_hours(start, end, rule)
    lines = [
        ExitLine(
            kind="admission",
            description=ticket.name,
            amount_fen=visit.admission_fen,
            prepaid=visit.admission_prepaid,
        )
    ]
    if hours:
        lines.append(
            ExitLine(
                kind="overage",
                description=ticket.name,
                amount_fen=hours * rule.overage_fen_per_hour,
                hours=hours,
            )
        )
    charge_lines = [_charge_line(c, outlets) for c in charges if c.visit_id == visit.id]
    lines.extend(line for line in charge_lines if line.outlet)
    lines.extend(line for line in charge_lines if not line.outlet)
    open_ = visit.status == VisitStatus.OPEN
    return VisitBill(
        visit=visit,
        ticket_name=ticket.name,
        tag_label=tag_label,
        locker=locker,
        start=start,
        end=end,
        minutes=domain.minutes_between(start, end),
        overage_hours=hours,
        lines=tuple(lines),
        outlets=_groups(charge_lines),
        total_fen=domain.bill_due(
            [domain.BillLine(x.kind, "", x.amount_fen, x.prepaid) for x in lines]
        ),
        paid_fen=0 if open_ else visit.bill_fen or 0,
        deposit_fen=visit.deposit_fen if open_ else 0,
    )


async def _visits_of(repo: ExitRepository, visit: Visit, party: bool) -> list[Visit]:
    """The scanned visit first, then the rest of its party still inside (or, for a settled
    visit, those settled with it)."""
    if not party or visit.party_id is None:
        return [visit]
    others = []
    for id_ in await repo.party_visit_ids(visit.party_id):
        other = await repo.visit(id_) if id_ != visit.id else None
        if other is None:
            continue
        if visit.status == VisitStatus.OPEN and other.status == VisitStatus.OPEN:
            others.append(other)
        elif visit.status != VisitStatus.OPEN and other.settled_at == visit.settled_at:
            others.append(other)
    return [visit, *others]


async def _bill_of(db: AsyncSession, tid: TenantId, visits: list[Visit], now: datetime) -> Bill:
    repo = ExitRepository(db, tid)
    ids = [v.id for v in visits]
    window = (await rules(db, tid)).exit_window_minutes
    tickets = await repo.ticket_types([v.ticket_type_id for v in visits])
    charges = await repo.charges(ids)
    outlets = await repo.outlet_names()
    lockers = await repo.lockers(ids)
    bound = await repo.bound_tag_ids(ids)
    tags = await repo.tag_labels(
        [*bound.values(), *(v.active_tag_id for v in visits if v.active_tag_id)]
    )
    bills = []
    for v in visits:
        tag = tags.get(v.active_tag_id or bound.get(v.id) or uuid.UUID(int=0))
        bills.append(
            visit_bill(
                v,
                tickets[v.ticket_type_id],
                charges,
                outlets,
                end=_end_of(v, now, window),
                tag_label=(tag.label or tag.uid) if tag else "",
                locker=lockers.get(v.id, ""),
            )
        )
    authorised = sum(
        v.limit_fen for v in visits if v.status == VisitStatus.OPEN and v.preauth_payment_id
    )
    return Bill(
        visits=tuple(bills),
        tenders=tuple(await repo.tenders(ids)),
        authorised_fen=authorised,
        exit_window_minutes=window,
        at=now,
    )


async def bill(
    db: AsyncSession, tid: TenantId, visit_id: uuid.UUID, *, party: bool = False
) -> Bill:
    """The visit's itemised bill as of now (with its party's when `party`)."""
    repo = ExitRepository(db, tid)
    visit = await repo.visit(visit_id)
    if visit is None:
        raise NotFound()
    return await _bill_of(db, tid, await _visits_of(repo, visit, party), clock.now())


async def visit_for_tag(db: AsyncSession, tid: TenantId, uid: str) -> Visit:
    """The visit a scanned tag is bound to (inside, or settled on the way out)."""
    repo = ExitRepository(db, tid)
    uid = clean_uid(uid)
    tag = await repo.tag_by_uid(uid) if 0 < len(uid) <= MAX_UID_LENGTH else None
    if tag is None:
        raise UnknownTag()
    visit_id = await repo.bound_visit_id(tag.id)
    visit = await repo.visit(visit_id) if visit_id else None
    if visit is None:
        raise UnknownTag()
    return visit


async def bill_for_tag(db: AsyncSession, tid: TenantId, uid: str, *, party: bool = False) -> Bill:
    visit = await visit_for_tag(db, tid, uid)
    return await bill(db, tid, visit.id, party=party)


# Settlement ----------------------------------------------------------------------------


def _method(value: str, name: str = "method") -> TenderMethod:
    try:
        method = TenderMethod(value)
    except ValueError:
        raise Invalid.field(name, "Choose how the bill is paid.") from None
    if method not in PAY_METHODS:
        raise Invalid.field(name, "Choose how the bill is paid.")
    return method


@dataclass
class _Pay:
    """The tenders to write, gathered before anything moves."""

    rows: list[tuple[Visit, TenderKind, TenderMethod, int, str]] = field(default_factory=list)
    change_fen: int = 0

    def add(
        self, visit: Visit, kind: TenderKind, method: TenderMethod, amount: int, ref: str = ""
    ) -> None:
        if amount > 0:
            self.rows.append((visit, kind, method, amount, ref))


async def _lock_for_settling(
    repo: ExitRepository, visit_id: uuid.UUID, party: bool, now: datetime, window: int
) -> list[Visit]:
    first = await repo.visit(visit_id)
    if first is None:
        raise NotFound()
    ids = [visit_id]
    if party and first.party_id is not None:
        ids = await repo.party_visit_ids(first.party_id)
    locked = {v.id: v for v in await repo.lock_visits(ids)}
    lead = locked[visit_id]
    if lead.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
        raise NotSettleable()
    if lead.status == VisitStatus.SETTLED:
        assert lead.settled_at is not None
        if now <= lead.settled_at + timedelta(minutes=window):
            raise AlreadySettled()
    others = [v for id_, v in locked.items() if id_ != visit_id and v.status == VisitStatus.OPEN]
    return [lead, *sorted(others, key=lambda v: v.number)]


async def settle(
    db: AsyncSession,
    tid: TenantId,
    visit_id: uuid.UUID,
    *,
    method: str,
    actor: Actor,
    tendered_fen: int | None = None,
    rest_method: str | None = None,
    party: bool = False,
) -> Settlement:
    """Settle the visit (with the open visits of its party when `party`): the bill as of now,
    the cash deposit applied, the rest paid by `method`; the visits become 'settled' and the
    exit gate lets them out within the exit window. Settling again is refused until that
    window has passed (then only the time added since is due)."""
    now = clock.now()
    chosen = _method(method)
    rest = _method(rest_method, "rest_method") if rest_method else None
    repo = ExitRepository(db, tid)
    window = (await rules(db, tid)).exit_window_minutes
    visits = await _lock_for_settling(repo, visit_id, party, now, window)
    the_bill = await _bill_of(db, tid, visits, now)
    lead = visits[0]
    pay = _Pay()
    due, deposit = the_bill.due_fen, the_bill.deposit_fen
    pay.add(lead, TenderKind.DEPOSIT_RETURN, TenderMethod.CASH, deposit - due)
    left = max(0, due - deposit)
    captures: list[tuple[Visit, int]] = []
    if chosen == TenderMethod.PREAUTH:
        if the_bill.authorised_fen <= 0:
            raise Invalid.field("method", "This visit has no card pre-authorisation to capture.")
        for v in visits:
            if v.preauth_payment_id and left > 0:
                take = min(left, v.limit_fen)
                captures.append((v, take))
                pay.add(
                    v, TenderKind.PAYMENT, TenderMethod.PREAUTH, take, str(v.preauth_payment_id)
                )
                left -= take
        if left > 0:
            if rest is None or rest == TenderMethod.PREAUTH:
                raise Invalid.field(
                    "rest_method",
                    "The pre-authorisation does not cover the bill: choose how the rest is paid.",
                )
            chosen = rest
            tendered_fen = tendered_fen if rest == TenderMethod.CASH else None
    if left > 0 and chosen != TenderMethod.PREAUTH:
        await _pay_rest(db, tid, lead, chosen, left, tendered_fen, pay, actor)
    await _write(db, tid, repo, pay, actor)
    for v, bill_of_visit in zip(visits, the_bill.visits, strict=True):
        v.status = VisitStatus.SETTLED.value
        v.active_tag_id = None
        v.settled_at = now
        v.settled_by = actor.user_id
        v.overage_fen = bill_of_visit.overage.amount_fen if bill_of_visit.overage else 0
        v.bill_fen = bill_of_visit.total_fen
    await db.flush()
    released = await _move_card_money(db, tid, visits, captures, actor)
    return Settlement(
        visit_ids=tuple(v.id for v in visits),
        due_fen=due,
        deposit_applied_fen=min(deposit, due),
        deposit_returned_fen=max(0, deposit - due),
        payments=tuple((m.value, amt) for _, k, m, amt, _ in pay.rows if k == TenderKind.PAYMENT),
        change_fen=pay.change_fen,
        released_fen=released,
    )


async def _pay_rest(
    db: AsyncSession,
    tid: TenantId,
    lead: Visit,
    method: TenderMethod,
    amount: int,
    tendered_fen: int | None,
    pay: _Pay,
    actor: Actor,
) -> None:
    if method == TenderMethod.CASH:
        tendered = amount if tendered_fen is None else tendered_fen
        if tendered < amount:
            raise Invalid.field("tendered", "The cash handed over is less than the amount due.")
        pay.change_fen = tendered - amount
        pay.add(lead, TenderKind.PAYMENT, method, amount, f"{TENDERED_PREFIX}{tendered}")
    elif method == TenderMethod.FOLIO:
        if lead.stay_id is None:
            raise Invalid.field("method", "Only a hotel guest's visit can go on a room folio.")
        from modules.frontdesk import service as frontdesk

        async with in_resort_language(db, tid):
            description = gettext("Hot spring visit %(number)s", number=lead.number)
        line = await frontdesk.post_charge(
            db,
            tid,
            stay_id=lead.stay_id,
            description=description,
            amount_fen=amount,
            source="spa",
            posted_by=actor.user_id,
        )
        pay.add(lead, TenderKind.PAYMENT, method, amount, str(getattr(line, "id", "")))
    elif method == TenderMethod.MEMBER:
        if lead.member_id is None:
            raise Invalid.field("method", "This visit is not a member's: choose another method.")
        await debit_member(
            db, tid, lead.member_id, amount, visit_id=lead.id, actor=actor, note=lead.number
        )
        pay.add(lead, TenderKind.PAYMENT, method, amount, str(lead.member_id))
    else:
        pay.add(lead, TenderKind.PAYMENT, method, amount)


async def _write(
    db: AsyncSession, tid: TenantId, repo: ExitRepository, pay: _Pay, actor: Actor
) -> None:
    shift_id = (await current_shift(db, tid, actor.user_id)).id if actor.user_id else None
    for visit, kind, method, amount, ref in pay.rows:
        repo.add(
            Tender(
                visit_id=visit.id,
                member_id=visit.member_id if method == TenderMethod.MEMBER else None,
                shift_id=shift_id,
                kind=kind.value,
                method=method.value,
                amount_fen=amount,
                reference=ref[:80],
                user_id=actor.user_id,
            )
        )
    await db.flush()


async def _move_card_money(
    db: AsyncSession,
    tid: TenantId,
    visits: list[Visit],
    captures: list[tuple[Visit, int]],
    actor: Actor,
) -> int:
    """Last, once everything else is written: capture what each pre-authorisation pays and
    release the rest (a release of an uncaptured one when the bill was paid otherwise)."""
    taken = {v.id: amount for v, amount in captures}
    released = 0
    for v in visits:
        if v.preauth_payment_id is None or v.tab_mode != TabMode.CARD_PREAUTH:
            continue
        amount = taken.get(v.id, 0)
        if amount > 0:
            held = await payments.capture(
                db, tid, v.preauth_payment_id, amount, recorded_by=actor.user_id
            )
            released += max(0, v.limit_fen - held.amount_fen)
        else:
            await payments.release(db, tid, v.preauth_payment_id)
            released += v.limit_fen
    return released


# The receipt ---------------------------------------------------------------------------


async def receipt_pdf(
    db: AsyncSession, tid: TenantId, visit_id: uuid.UUID, *, resort: str, tz: str
) -> bytes:
    """The guest's receipt in Chinese: the resort, the visit numbers and times, every line,
    the payments and the change (those of the party settled with it included). Printed
    before settling it is marked as a statement, not a receipt."""
    the_bill = await bill(db, tid, visit_id, party=True)
    contact = await resort_contact(db, tid)
    return await render_template_pdf(
        "keytags/exit/pdf/receipt.html",
        bill=the_bill,
        resort=resort,
        contact=contact,
        tz=tz,
        methods=TenderMethod.labels(),
        tender_kinds=TenderKind.labels(),
        printed_at=clock.now(),
    )
