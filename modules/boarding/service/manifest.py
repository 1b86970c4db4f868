"""The real-name passenger manifest of a voyage: cabins and passengers with masked ID numbers,
counts per boarding port, corrections until boarding at the passenger's port closes (every one
written to `manifest_changes`), and the CSV and PDF the line keeps (full ID numbers, exported by
pursers only and recorded in the audit log)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.identifiers import resident_id_problem
from app.web.input import read_date
from modules.boarding.domain import PORTS, PassengerStatus, VoyageStatus
from modules.boarding.models import BoardingVoyage, ManifestChange, Passenger, PortCall
from modules.boarding.repository.booking import BookingRepository
from modules.boarding.repository.manifest import ManifestRepository
from modules.boarding.schemas.manifest import (
    ID_TYPE_LABELS,
    SEX_LABELS,
    CabinChoice,
    CallView,
    Manifest,
    ManifestCabin,
    ManifestChangeView,
    ManifestFilters,
    ManifestPassenger,
    PassengerEdit,
    PortCount,
    VoyageHeader,
)
from modules.boarding.service.passes import issue_passes
from modules.reservations import service as reservations
from tenants.service import tenant_settings

__all__ = [
    "BoardingClosed",
    "age_on",
    "cabin_choices",
    "edit_passenger",
    "get_manifest",
    "manifest_changes",
    "manifest_passenger",
    "mask_id_number",
    "port_counts",
    "reissue_passes",
    "voyage_header",
]

# A voyage in these states takes no more corrections (it has left, or will not).
CLOSED_STATUSES = (VoyageStatus.SAILING, VoyageStatus.ARRIVED, VoyageStatus.CANCELLED)
PHONE_CHARS = frozenset("0123456789+- ")
EDITED_FIELDS = (
    "name",
    "sex",
    "id_type",
    "id_number",
    "birth_date",
    "phone",
    "emergency_name",
    "emergency_phone",
)


class BoardingClosed(Conflict):
    message = "Boarding at this passenger's port has closed: the manifest can no longer be changed."


def mask_id_number(number: str) -> str:
    """An ID number as a screen shows it (5001**********123X): the province and the last
    four only, so a list over a purser's shoulder gives nobody's identity away."""
    number = number.strip()
    keep = 4 if len(number) >= 15 else 2 if len(number) >= 6 else 0
    if keep == 0:
        return "*" * len(number)
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# Reading ---------------------------------------------------------------------------------


async def _voyage(repo: ManifestRepository, voyage_id: uuid.UUID) -> BoardingVoyage:
    voyage = await repo.voyage(voyage_id)
    if voyage is None:
        raise NotFound()
    return voyage


def call_view(call: PortCall) -> CallView:
    port = PORTS.get(call.port_code)
    return CallView(
        id=call.id,
        seq=call.seq,
        port_code=call.port_code,
        port_name=port.name if port else call.port_code,
        pier=port.pier if port else "",
        embarking=call.embarking,
        boarding_opens_at=call.boarding_opens_at,
        boarding_closes_at=call.boarding_closes_at,
        departs_at=call.departs_at,
    )


async def _header(
    repo: ManifestRepository, voyage: BoardingVoyage, calls: Sequence[PortCall], tz: str
) -> VoyageHeader:
    names = [call_view(c).port_name for c in calls]
    return VoyageHeader(
        id=voyage.id,
        number=voyage.number,
        ship=await repo.ship_name(voyage.ship_id),
        route=" → ".join(names[:1] + names[-1:]) if names else "",
        direction=voyage.direction,
        status=voyage.status,
        boarding_opens_at=voyage.boarding_opens_at,
        boarding_closes_at=voyage.boarding_closes_at,
        sails_at=voyage.sails_at,
        arrives_at=voyage.arrives_at,
        tz=tz,
    )


def closes_at(voyage: BoardingVoyage, call: PortCall | None) -> datetime:
    """When boarding at this call closes (the voyage's own window for its first port)."""
    if call is not None and call.boarding_closes_at is not None:
        return call.boarding_closes_at
    return voyage.boarding_closes_at


def is_open(voyage: BoardingVoyage, call: PortCall | None, now: datetime) -> bool:
    return voyage.status not in CLOSED_STATUSES and now < closes_at(voyage, call)


def _passenger_view(
    p: Passenger,
    voyage: BoardingVoyage,
    calls: dict[uuid.UUID, PortCall],
    *,
    tz: str,
    now: datetime,
) -> ManifestPassenger:
    call = calls.get(p.boarding_call_id)
    port = PORTS.get(call.port_code) if call else None
    return ManifestPassenger(
        id=p.id,
        voyage_id=p.voyage_id,
        reservation_id=p.reservation_id,
        cabin_number=p.cabin_number,
        unit_id=p.unit_id,
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        age=age_on(p.birth_date, clock.local_date(voyage.sails_at, tz)),
        is_child=p.is_child,
        is_lead=p.is_lead,
        id_type=p.id_type,
        id_number=p.id_number,
        id_masked=mask_id_number(p.id_number),
        phone=p.phone,
        emergency_name=p.emergency_name,
        emergency_phone=p.emergency_phone,
        boarding_call_id=p.boarding_call_id,
        boarding_port=call.port_code if call else "",
        boarding_port_name=port.name if port else "",
        status=p.status,
        checked_in=p.checked_in_at is not None or p.status == PassengerStatus.CHECKED_IN,
        aboard=p.aboard,
        editable=p.status != PassengerStatus.CANCELLED and is_open(voyage, call, now),
    )


def _counts(
    calls: Sequence[PortCall], rows: Sequence[Row[tuple[uuid.UUID, int, int, int]]]
) -> tuple[PortCount, ...]:
    by_call = {r[0]: r for r in rows}
    found = []
    for call in calls:
        row = by_call.get(call.id)
        if not call.embarking and row is None:
            continue
        view = call_view(call)
        found.append(
            PortCount(
                call_id=call.id,
                port_code=call.port_code,
                port_name=view.port_name,
                expected=int(row[1]) if row else 0,
                checked_in=int(row[2]) if row else 0,
                aboard=int(row[3]) if row else 0,
                boarding_closes_at=call.boarding_closes_at,
            )
        )
    return tuple(found)


async def port_counts(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> tuple[PortCount, ...]:
    """Per boarding port, the passengers expected to board there (booked or pre-checked-in,
    not cancelled), how many pre-checked-in and how many are aboard: what the pier needs."""
    repo = ManifestRepository(db, tenant_id)
    await _voyage(repo, voyage_id)
    calls = await repo.calls(voyage_id)
    return _counts(calls, await repo.counts_by_call(voyage_id))


async def get_manifest(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage_id: uuid.UUID,
    *,
    filters: ManifestFilters | None = None,
    live_only: bool = False,
) -> Manifest:
    """The voyage's manifest by cabin (IDs masked in `id_masked`), filtered by boarding port
    (code), cabin, not yet aboard and a search of name, phone, ID number or cabin."""
    filters = filters or ManifestFilters()
    repo = ManifestRepository(db, tenant_id)
    voyage = await _voyage(repo, voyage_id)
    tz = (await tenant_settings(db, tenant_id)).timezone or clock.DEFAULT_TZ
    calls = await repo.calls(voyage_id)
    by_id = {c.id: c for c in calls}
    by_code = {c.port_code: c for c in calls}
    call = by_code.get(filters.port) if filters.port else None
    if filters.port and call is None:
        rows: Sequence[Passenger] = []
    else:
        rows = await repo.passengers(
            voyage_id,
            call_id=call.id if call else None,
            cabin=filters.cabin,
            not_aboard=filters.not_aboard,
            q=filters.q,
            live_only=live_only,
        )
    now = clock.now()
    views = [_passenger_view(p, voyage, by_id, tz=tz, now=now) for p in rows]
    cabins = tuple(
        ManifestCabin(number=number, passengers=tuple(group))
        for number, group in groupby(views, key=lambda v: v.cabin_number)
    )
    return Manifest(
        voyage=await _header(repo, voyage, calls, tz),
        calls=tuple(call_view(c) for c in calls),
        cabins=cabins,
        counts=_counts(calls, await repo.counts_by_call(voyage_id)),
        filters=filters,
        shown=len(views),
        total=await repo.total(voyage_id),
    )


async def voyage_header(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> VoyageHeader:
    repo = ManifestRepository(db, tenant_id)
    voyage = await _voyage(repo, voyage_id)
    tz = (await tenant_settings(db, tenant_id)).timezone or clock.DEFAULT_TZ
    return await _header(repo, voyage, await repo.calls(voyage_id), tz)


async def manifest_passenger(
    db: AsyncSession, tenant_id: TenantId, passenger_id: uuid.UUID
) -> ManifestPassenger:
    """One passenger of the manifest, with whether they may still be corrected."""
    repo = ManifestRepository(db, tenant_id)
    p = await repo.passenger(passenger_id)
    if p is None:
        raise NotFound()
    voyage = await _voyage(repo, p.voyage_id)
    tz = (await tenant_settings(db, tenant_id)).timezone or clock.DEFAULT_TZ
    calls = {c.id: c for c in await repo.calls(p.voyage_id)}
    return _passenger_view(p, voyage, calls, tz=tz, now=clock.now())


async def cabin_choices(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> list[CabinChoice]:
    """The voyage's cabins (its units in reservations) with their berths and how many live
    passengers each has."""
    grades = {
        t.id: t for t in await reservations.list_unit_types(db, tenant_id, voyage_id=voyage_id)
    }
    if not grades:
        return []
    occupied = await ManifestRepository(db, tenant_id).cabin_occupancy(voyage_id)
    units = [u for u in await reservations.list_units(db, tenant_id) if u.unit_type_id in grades]
    return [
        CabinChoice(
            unit_id=u.id,
            number=u.number,
            grade=grades[u.unit_type_id].name,
            capacity=grades[u.unit_type_id].capacity,
            occupied=occupied.get(u.id, 0),
        )
        for u in sorted(units, key=lambda u: u.number)
    ]


async def manifest_changes(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage_id: uuid.UUID,
    *,
    passenger_id: uuid.UUID | None = None,
) -> list[ManifestChangeView]:
    """The change log, newest first (ID numbers masked: the log is read on screens too)."""
    repo = ManifestRepository(db, tenant_id)
    await _voyage(repo, voyage_id)
    views = []
    for change, name, by in await repo.changes(voyage_id, passenger_id=passenger_id):
        masked = change.field == "id_number"
        views.append(
            ManifestChangeView(
                id=change.id,
                at=change.created_at,
                passenger_id=change.passenger_id,
                passenger_name=name or "",
                action=change.action,
                field=change.field,
                old_value=mask_id_number(change.old_value) if masked else change.old_value,
                new_value=mask_id_number(change.new_value) if masked else change.new_value,
                reason=change.reason,
                by=by or "",
            )
        )
    return views


# Editing ---------------------------------------------------------------------------------


def _phone_ok(phone: str) -> bool:
    digits = sum(c.isdigit() for c in phone)
    return set(phone) <= PHONE_CHARS and 6 <= digits <= 20


def edit_errors(
    form: PassengerEdit, on_file: str = ""
) -> tuple[list[dict[str, str]], date | None, str]:
    """Field errors of a correction (resident IDs by GB 11643, and the birth date they
    carry), the birth date read and the ID number: the one on file when the form leaves
    it empty (the form never shows a full number)."""
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "code": "invalid", "message": message})

    if not form.name:
        bad("name", "Enter the passenger's name as on the ID document.")
    if form.sex not in SEX_LABELS:
        bad("sex", "Choose the sex.")
    if form.id_type not in ID_TYPE_LABELS:
        bad("id_type", "Choose an ID document type.")
    number = form.id_number.upper().replace(" ", "") or on_file
    problem = None
    if not number:
        problem = "Enter the ID number."
    elif form.id_type == "resident_id":
        problem = resident_id_problem(number)
    if problem:
        bad("id_number", problem)
    born = read_date(form.birth_date)
    if born is None:
        bad("birth_date", "Enter a date as 2026-12-24.")
    elif born > clock.today() or born.year < 1900:
        bad("birth_date", "The date of birth is not plausible.")
    elif form.id_type == "resident_id" and not problem and number[6:14] != f"{born:%Y%m%d}":
        bad("birth_date", "The date of birth does not match the ID number.")
    if form.phone and not _phone_ok(form.phone):
        bad("phone", "Enter a phone number, such as 13800138000.")
    if form.emergency_phone and not _phone_ok(form.emergency_phone):
        bad("emergency_phone", "Enter a phone number, such as 13800138000.")
    if not form.reason:
        bad("reason", "Say why the manifest is changed.")
    return errors, born, number


def _refuse_when_closed(
    voyage: BoardingVoyage, call: PortCall | None, now: datetime, tz: str
) -> None:
    if is_open(voyage, call, now):
        return
    if voyage.status in CLOSED_STATUSES:
        raise BoardingClosed()
    port = PORTS[call.port_code].name if call and call.port_code in PORTS else ""
    when = closes_at(voyage, call).astimezone(clock.zone(tz)).strftime("%Y-%m-%d %H:%M")
    raise BoardingClosed(
        _(
            "Boarding at %(port)s closed at %(time)s: the manifest can no longer be changed "
            "for this passenger.",
            port=port,
            time=when,
        )
    )


async def _new_cabin(
    db: AsyncSession,
    tenant_id: TenantId,
    p: Passenger,
    unit_text: str,
) -> CabinChoice | None:
    """The cabin chosen, when it is another one of the voyage's with a free berth."""
    if not unit_text or (p.unit_id is not None and unit_text == str(p.unit_id)):
        return None
    try:
        unit_id = uuid.UUID(unit_text)
    except ValueError:
        raise Invalid.field("unit_id", "Choose one of the voyage's cabins.") from None
    # Bookings choose cabins under the voyage's lock: a move takes it too, so a booking and a
    # move at the same moment cannot both fill the last berth.
    await BookingRepository(db, tenant_id).lock_voyage(p.voyage_id)
    found = [c for c in await cabin_choices(db, tenant_id, p.voyage_id) if c.unit_id == unit_id]
    if not found:
        raise Invalid.field("unit_id", "Choose one of the voyage's cabins.")
    if found[0].occupied >= found[0].capacity:
        raise Invalid.field("unit_id", "That cabin has no free berth.")
    return found[0]


async def edit_passenger(
    db: AsyncSession,
    tenant_id: TenantId,
    passenger_id: uuid.UUID,
    form: PassengerEdit,
    *,
    actor: Actor,
) -> ManifestPassenger:
    """Correct a passenger's name, ID, birth date, phone, emergency contact or cabin, until
    boarding at the passenger's port closes: afterwards the manifest is what the ship sailed
    with, and is refused. Each changed field is one `manifest_changes` row (old → new, who,
    why). A new cabin re-issues the passenger's pass, which carries the cabin."""
    repo = ManifestRepository(db, tenant_id)
    p = await repo.passenger(passenger_id, lock=True)
    if p is None:
        raise NotFound()
    voyage_id = p.voyage_id
    voyage = await _voyage(repo, voyage_id)
    if p.status == PassengerStatus.CANCELLED:
        raise Conflict("This passenger's booking is cancelled.")
    calls = {c.id: c for c in await repo.calls(voyage_id)}
    now = clock.now()
    tz = (await tenant_settings(db, tenant_id)).timezone or clock.DEFAULT_TZ
    _refuse_when_closed(voyage, calls.get(p.boarding_call_id), now, tz)
    kept = p.id_number if form.id_type == p.id_type else ""
    errors, born, number = edit_errors(form, kept)
    if errors:
        raise Invalid(errors=errors)
    assert born is not None
    if (form.id_type, number) != (p.id_type, p.id_number) and await repo.id_taken(
        voyage_id, form.id_type, number, other_than=p.id
    ):
        raise Invalid.field("id_number", "This person is already on the voyage's manifest.")
    cabin = await _new_cabin(db, tenant_id, p, form.unit_id)
    wanted = {
        "name": form.name,
        "sex": form.sex,
        "id_type": form.id_type,
        "id_number": number,
        "birth_date": born,
        "phone": form.phone,
        "emergency_name": form.emergency_name,
        "emergency_phone": form.emergency_phone,
    }
    changed = 0
    for field in EDITED_FIELDS:
        old, new = getattr(p, field), wanted[field]
        if old == new:
            continue
        _log(repo, p, "edit", field, str(old), str(new), form.reason, actor, now)
        setattr(p, field, new)
        changed += 1
    if cabin is not None:
        _log(repo, p, "cabin", "cabin", p.cabin_number, cabin.number, form.reason, actor, now)
        p.unit_id, p.cabin_number = cabin.unit_id, cabin.number
        changed += 1
    if changed:
        p.updated_at = now
        await db.flush()
    if cabin is not None:
        await reissue_passes(db, tenant_id, [p.id], reason=form.reason)
    return _passenger_view(p, voyage, calls, tz=tz, now=now)


def _log(
    repo: ManifestRepository,
    p: Passenger,
    action: str,
    field: str,
    old: str,
    new: str,
    reason: str,
    actor: Actor,
    now: datetime,
) -> None:
    repo.add_change(
        ManifestChange(
            voyage_id=p.voyage_id,
            passenger_id=p.id,
            action=action,
            field=field,
            old_value=old[:300],
            new_value=new[:300],
            reason=reason,
            by_user_id=actor.user_id,
            created_at=now,
        )
    )


async def reissue_passes(
    db: AsyncSession, tenant_id: TenantId, passenger_ids: Sequence[uuid.UUID], *, reason: str
) -> int:
    """Re-issue the passes of those passengers who hold a working one (a new boarding port,
    a new cabin): the old pass stops working. Passengers without a pass get theirs when they
    pre-check in. The one place the manifest calls the passes service."""
    holders = await ManifestRepository(db, tenant_id).live_pass_holders(
        passenger_ids, at=clock.now()
    )
    if not holders:
        return 0
    await issue_passes(db, tenant_id, sorted(holders), reason=reason)
    return len(holders)
