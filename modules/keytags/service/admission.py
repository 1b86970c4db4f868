"""Admission at the desk: one person or a party gets a visit each, a tag each (an RFID tag the
reader typed, or a QR wristband printed now), a locker each, and a tab each (a cash deposit,
a card pre-authorisation, post-pay up to the ticket's credit limit, the hotel room's folio or
the member's balance).

The sources: a walk-in pays admission at the exit; an online day ticket is redeemed by its
code (confirmed, paid, for today, of a unit type sold as a spa ticket, not more persons than
were bought); a hotel guest of the resort is admitted on the stay's package (as many persons
as the stay has, the rest pay on the folio); a member spends their card's balance.

An RFID UID the resort has never seen is registered on the spot as its tag: the desk reader
typed it from a real tag in the clerk's hand, and the stock list catches up by itself.
Everything happens in the request's transaction, under the business date's admission lock
(repository/visits.py), so numbers, quantities and lockers hold when two desks work at once.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock, events
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from modules.frontdesk import service as frontdesk
from modules.keytags import domain
from modules.keytags.models import KeyTag, Locker, Tender, TicketType, Visit, VisitTag
from modules.keytags.repository.catalog import CatalogRepository
from modules.keytags.repository.visits import VisitRepository
from modules.keytags.schemas.desk import MAX_PARTY, AdmissionInput, PersonInput
from modules.keytags.service.cards import authorise_cards
from modules.keytags.service.catalog import admission_price, rules
from modules.keytags.service.members import member_by_card
from modules.keytags.service.shifts import current_shift
from modules.reservations import service as reservations

UID_RE = re.compile(r"^[0-9A-Z]{4,32}$", re.ASCII)
PAID_STATES = ("paid",)
REDEEMABLE = ("confirmed", "checked_in")


def normalise_uid(raw: str) -> str:
    """A UID as the reader types it: hex digits, any case, maybe with spaces or colons."""
    return re.sub(r"[\s:\-]", "", raw or "").upper()


async def open_visit(
    db: AsyncSession,
    tenant_id: TenantId,
    person: PersonInput,
    *,
    actor: Actor,
    tz: str | None = None,
    source: str = "walk_in",
    tab_mode: str = "postpay",
    deposit_fen: int = 0,
    preauth_fen: int = 0,
    card_token: str = "",
    code: str = "",
    room: str = "",
    card_no: str = "",
    phone: str = "",
) -> Visit:
    """Admits one person (`open_party` with a party of one)."""
    admission = AdmissionInput(
        persons=(person,),
        source=source,
        tab_mode=tab_mode,
        deposit_fen=deposit_fen,
        preauth_fen=preauth_fen,
        card_token=card_token,
        code=code,
        room=room,
        card_no=card_no,
        guest_name=person.guest_name,
        phone=phone,
    )
    return (await open_party(db, tenant_id, admission, actor=actor, tz=tz))[0]


class _Entitlement:
    """What the source gives the party: its ticket (online), prepaid admissions, the links."""

    def __init__(self) -> None:
        self.reservation_id: uuid.UUID | None = None
        self.stay_id: uuid.UUID | None = None
        self.member_id: uuid.UUID | None = None
        self.member_balance_fen = 0
        self.ticket_type_id: uuid.UUID | None = None  # an online ticket's own type
        self.prepaid_left = 0
        self.prepaid_price_fen: int | None = None
        self.guest_name = ""


async def open_party(
    db: AsyncSession,
    tenant_id: TenantId,
    admission: AdmissionInput,
    *,
    actor: Actor,
    tz: str | None = None,
) -> list[Visit]:
    """Admits a party: a visit for each person, sharing the first one's id as `party_id`.
    Refusals name the field (`persons-<n>-<field>`, `code`, `room`, `card_no`, `deposit`) and
    write nothing."""
    _check_shape(admission)
    today = clock.today(tz)
    now = clock.now()
    repo = VisitRepository(db, tenant_id)
    await repo.number_lock(today)
    entitled = await _entitlement(db, tenant_id, repo, admission, today)
    tickets = await _tickets(db, tenant_id, admission, entitled, tz)
    limit_rules = await rules(db, tenant_id)
    deposit = admission.deposit_fen or limit_rules.default_deposit_fen
    seq = await repo.visits_on(today)
    visit_ids = [uuid.uuid4() for _person in admission.persons]
    numbers = [domain.visit_number(today, seq + n + 1) for n in range(len(visit_ids))]
    shift_id = None
    if admission.tab_mode == domain.TabMode.CASH_DEPOSIT:
        if actor.user_id is None:
            raise Invalid.field("tab_mode", _("A cash deposit is taken by a signed-in cashier."))
        shift_id = (await current_shift(db, tenant_id, actor.user_id)).id
    visits: list[Visit] = []
    party_id: uuid.UUID | None = None
    for n, person in enumerate(admission.persons):
        ticket = tickets[n]
        price = await admission_price(db, tenant_id, ticket, today)
        prepaid = entitled.prepaid_left > 0
        if prepaid:
            entitled.prepaid_left -= 1
            if entitled.prepaid_price_fen is not None:
                price = entitled.prepaid_price_fen
        visit_id = visit_ids[n]
        party_id = party_id or visit_id
        visit = Visit(
            id=visit_id,
            number=numbers[n],
            party_id=party_id if len(admission.persons) > 1 else None,
            business_date=today,
            ticket_type_id=ticket.id,
            source=admission.source,
            reservation_id=entitled.reservation_id,
            stay_id=entitled.stay_id,
            member_id=entitled.member_id,
            guest_name=(person.guest_name or admission.guest_name or entitled.guest_name)[:60],
            phone=admission.phone,
            tab_mode=admission.tab_mode,
            admission_fen=price,
            admission_prepaid=prepaid,
            limit_fen=0,
            deposit_fen=0,
            status="open",
            opened_at=now,
            opened_by=actor.user_id,
        )
        _cover_tab(visit, admission, ticket, entitled, deposit)
        await repo.save(visit)
        await bind_tag(repo, visit, person, now, field=f"persons-{n}-tag_uid")
        await _give_locker(repo, visit, person, now, n)
        if visit.deposit_fen:
            await repo.save(
                Tender(
                    visit_id=visit.id,
                    shift_id=shift_id,
                    kind=domain.TenderKind.DEPOSIT,
                    method=domain.TenderMethod.CASH,
                    amount_fen=visit.deposit_fen,
                    user_id=actor.user_id,
                )
            )
        visits.append(visit)
    if admission.source == domain.VisitSource.ONLINE and entitled.reservation_id is not None:
        await events.publish(
            db,
            tenant_id,
            "keytags.admitted",
            reservation_id=entitled.reservation_id,
            visit_id=visits[0].id,
        )
    if admission.tab_mode == domain.TabMode.CARD_PREAUTH:
        # Last, once nothing else can refuse: a refusal after the card is held would leave
        # a hold with no visit behind it.
        holds = await authorise_cards(db, tenant_id, admission, visit_ids, numbers)
        for visit, (payment_id, held_fen) in zip(visits, holds, strict=True):
            visit.preauth_payment_id, visit.limit_fen = payment_id, held_fen
        await db.flush()
    return visits


def _check_shape(admission: AdmissionInput) -> None:
    if not admission.persons:
        raise Invalid.field("persons", _("Admit at least one person."))
    if len(admission.persons) > MAX_PARTY:
        raise Invalid.field("persons", _("At most %(n)s persons at once.", n=MAX_PARTY))
    if admission.source not in domain.VisitSource.labels():
        raise Invalid.field("source", _("Choose where the guest comes from."))
    if admission.tab_mode not in domain.TabMode.labels():
        raise Invalid.field("tab_mode", _("Choose how the tab is covered."))
    hotel = admission.source == domain.VisitSource.HOTEL
    if hotel != (admission.tab_mode == domain.TabMode.FOLIO):
        raise Invalid.field("tab_mode", _("A hotel guest's tab goes to the room, and only theirs."))
    member = admission.source == domain.VisitSource.MEMBER
    if member != (admission.tab_mode == domain.TabMode.MEMBER):
        raise Invalid.field("tab_mode", _("A member's tab is the card's balance, and only theirs."))
    if len(admission.phone) > 20:
        raise Invalid.field("phone", _("At most %(n)s characters.", n=20))
    if len(admission.guest_name) > 60:
        raise Invalid.field("guest_name", _("At most %(n)s characters.", n=60))
    if admission.deposit_fen < 0:
        raise Invalid.field("deposit", _("The deposit cannot be negative."))
    uids = [normalise_uid(p.tag_uid) for p in admission.persons if not p.qr_wristband]
    if len(set(uids)) != len(uids):
        raise Invalid.field("persons", _("Each person needs a tag of their own."))
    lockers = [p.locker_id for p in admission.persons if p.locker_id]
    if len(set(lockers)) != len(lockers):
        raise Invalid.field("persons", _("Each person needs a locker of their own."))


async def _entitlement(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: VisitRepository,
    admission: AdmissionInput,
    today: date,
) -> _Entitlement:
    got = _Entitlement()
    persons = len(admission.persons)
    if admission.source == domain.VisitSource.ONLINE:
        await _online_ticket(db, tenant_id, repo, admission.code, persons, today, got)
    elif admission.source == domain.VisitSource.HOTEL:
        await _hotel_stay(db, tenant_id, repo, admission.room, got)
    elif admission.source == domain.VisitSource.MEMBER:
        member = await member_by_card(db, tenant_id, admission.card_no)
        if member is None:
            raise Invalid.field("card_no", _("No member holds this card."))
        if member.status != "active":
            raise Invalid.field("card_no", _("This member card is not active."))
        got.member_id, got.member_balance_fen = member.id, member.balance_fen
        got.guest_name = member.name
    return got


async def _online_ticket(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: VisitRepository,
    code: str,
    persons: int,
    today: date,
    got: _Entitlement,
) -> None:
    code = code.strip()
    if not code or len(code) > 40:
        raise Invalid.field("code", _("Type the ticket's code."))
    try:
        r = await reservations.find_by_code(db, tenant_id, code)
    except NotFound:
        raise Invalid.field("code", _("No ticket has this code.")) from None
    ticket = await repo.ticket_type_for_unit_type(r.unit_type_id)
    if ticket is None:
        raise Invalid.field("code", _("This booking is not a hot-spring day ticket."))
    if r.status not in REDEEMABLE or r.payment_state not in PAID_STATES:
        raise Invalid.field("code", _("This ticket is not confirmed and paid."))
    if r.arrival != today:
        raise Invalid.field("code", _("This ticket is for %(day)s.", day=r.arrival.isoformat()))
    used = await repo.visits_for_reservation(r.id)
    if used + persons > r.quantity:
        raise Invalid.field(
            "code",
            _("This ticket admits %(left)s more person(s).", left=max(0, r.quantity - used)),
        )
    got.reservation_id, got.ticket_type_id = r.id, ticket.id
    got.prepaid_left = persons
    got.prepaid_price_fen = r.total_fen // max(1, r.quantity)
    got.guest_name = r.guest_name


async def _hotel_stay(
    db: AsyncSession, tenant_id: TenantId, repo: VisitRepository, room: str, got: _Entitlement
) -> None:
    room = room.strip()
    if not room or len(room) > 20:
        raise Invalid.field("room", _("Type the guest's room number."))
    units = [u for u in await reservations.list_units(db, tenant_id) if u.number == room]
    stay = None
    for unit in units:
        stay = await frontdesk.current_stay_for_unit(db, tenant_id, unit.id)
        if stay is not None:
            break
    if stay is None:
        raise Invalid.field("room", _("No guest is staying in room %(room)s.", room=room))
    r = await reservations.get_reservation(db, tenant_id, stay.reservation_id)
    included = max(1, r.adults + r.children)
    got.stay_id, got.guest_name = stay.id, stay.guest_name
    got.prepaid_left = max(0, included - await repo.prepaid_visits_for_stay(stay.id))


async def _tickets(
    db: AsyncSession,
    tenant_id: TenantId,
    admission: AdmissionInput,
    entitled: _Entitlement,
    tz: str | None,
) -> list[TicketType]:
    catalog = CatalogRepository(db, tenant_id)
    found: list[TicketType] = []
    local = clock.local_now(tz).time()
    for n, person in enumerate(admission.persons):
        ticket_id = entitled.ticket_type_id or person.ticket_type_id
        ticket = await catalog.ticket_type(ticket_id)
        if ticket is None or not ticket.active:
            raise Invalid.field(f"persons-{n}-ticket_type", _("Choose a ticket type."))
        if entitled.ticket_type_id is None and ticket.sold_from and local < ticket.sold_from:
            raise Invalid.field(
                f"persons-{n}-ticket_type",
                _("This ticket is sold from %(time)s.", time=ticket.sold_from.strftime("%H:%M")),
            )
        found.append(ticket)
    return found


def _cover_tab(
    visit: Visit,
    admission: AdmissionInput,
    ticket: TicketType,
    entitled: _Entitlement,
    deposit: int,
) -> None:
    mode = admission.tab_mode
    if mode == domain.TabMode.CASH_DEPOSIT:
        visit.deposit_fen = visit.limit_fen = deposit
    elif mode == domain.TabMode.CARD_PREAUTH:
        visit.limit_fen = max(0, admission.preauth_fen)  # what the card then holds
    elif mode == domain.TabMode.MEMBER:
        share = entitled.member_balance_fen // len(admission.persons)
        due = 0 if visit.admission_prepaid else visit.admission_fen
        visit.limit_fen = max(0, share - due)
    else:  # post-pay, the room's folio: the ticket's credit limit
        visit.limit_fen = ticket.credit_limit_fen


async def bind_tag(
    repo: VisitRepository, visit: Visit, person: PersonInput, now: datetime, *, field: str
) -> KeyTag:
    """Gives the visit its tag: a new QR wristband, or the scanned RFID tag (registered on
    the spot when new) unless it is blocked, retired or held by another visit."""
    if person.qr_wristband:
        tag = await repo.save(
            KeyTag(
                uid="Q" + secrets.token_hex(8).upper(),
                kind=domain.TagKind.QR,
                status=domain.TagStatus.IN_USE,
                label=visit.number[-4:],
                status_changed_at=now,
            )
        )
    else:
        uid = normalise_uid(person.tag_uid)
        if not UID_RE.fullmatch(uid):
            raise Invalid.field(field, _("Scan the tag (4 to 32 letters and digits)."))
        tag = await repo.lock_tag(uid, register_kind=domain.TagKind.RFID)
        assert tag is not None
        refusal = await _tag_refusal(repo, tag)
        if refusal:
            raise Invalid.field(field, refusal)
        await repo.set_tag_status(tag.id, domain.TagStatus.IN_USE, at=now)
    visit.active_tag_id = tag.id
    await repo.save(VisitTag(visit_id=visit.id, tag_id=tag.id, bound_at=now))
    return tag


async def _tag_refusal(repo: VisitRepository, tag: KeyTag) -> str | None:
    if tag.status == domain.TagStatus.BLOCKED:
        return _("This tag is blocked: %(reason)s", reason=tag.blocked_reason or "-")
    if tag.status == domain.TagStatus.RETIRED:
        return _("This tag is retired.")
    if tag.status == domain.TagStatus.IN_USE:
        holder = await repo.open_visit_of_tag(tag.id)
        if holder is not None:
            return _("This tag is in use by visit %(number)s.", number=holder.number)
        return _("This tag is in use.")
    return None


async def _give_locker(
    repo: VisitRepository, visit: Visit, person: PersonInput, now: datetime, n: int
) -> Locker | None:
    field = f"persons-{n}-locker"
    number = person.locker_number.strip()
    if person.locker_id is None and number:
        if person.section_id is None:
            raise Invalid.field(f"persons-{n}-section", _("Choose the locker's changing room."))
        locker = await repo.locker_by_number(person.section_id, number)
        if locker is None:
            raise Invalid.field(field, _("No locker %(number)s here.", number=number[:10]))
    elif person.locker_id is not None:
        locker = await repo.locker(person.locker_id, for_update=True)
        if locker is None:
            raise Invalid.field(field, _("Choose a locker."))
        if person.section_id is not None and locker.section_id != person.section_id:
            raise Invalid.field(field, _("This locker is in another changing room."))
    elif person.section_id is not None:
        section = await repo.section(person.section_id)
        if section is None:
            raise Invalid.field(f"persons-{n}-section", _("Choose a changing room."))
        locker = await repo.first_free_locker(section.id)
        if locker is None:
            raise Invalid.field(
                f"persons-{n}-section", _("No locker is free in %(name)s.", name=section.name)
            )
    else:
        return None
    if locker.status != domain.LockerStatus.FREE or not await repo.occupy_locker(
        locker.id, visit.id, now
    ):
        raise Invalid.field(field, _("Locker %(number)s is not free.", number=locker.number))
    return locker
