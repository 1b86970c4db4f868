"""The low-water change of boarding port: when the river is too low at 朝天门 the line buses
its passengers to 丰都 or 涪陵 and boards them there. A manager moves the whole voyage (or
chosen passengers) with the new boarding window, the bus arrangement and a reason; each
moved passenger gets an SMS with the new pier, time and reason, their pass is re-issued (the
old one stops working) and the manifest's change log records every move."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.i18n import use_locale
from app.notifications.service import queue_message
from app.web.input import read_date
from modules.boarding.domain import LOW_WATER_PORTS, PORTS, Direction
from modules.boarding.models import BoardingVoyage, ManifestChange, Passenger, PortCall
from modules.boarding.repository.manifest import ManifestRepository
from modules.boarding.schemas.manifest import PortChangeForm, PortChangeResult
from modules.boarding.service.checkin import checkin_url
from modules.boarding.service.manifest import CLOSED_STATUSES, call_view, reissue_passes
from tenants.service import TenantSettings, record_audit, tenant_settings

__all__ = ["RIVER_ORDER", "change_boarding_port", "checkin_link", "low_water_ports"]

# The ports in the river's order going downstream: where a new call is seated in a route.
RIVER_ORDER = ("CTM", "FL", "FD", "ZX", "WZ", "FJ", "WS", "BD", "ZG", "YC")
DEFAULT_DEPARTURE_AFTER_CLOSING = timedelta(minutes=30)
SMS_PURPOSE = "boarding_port_change"


@dataclass(frozen=True, slots=True)
class _Window:
    opens: datetime
    closes: datetime
    departs: datetime


def low_water_ports() -> list[tuple[str, str, str]]:
    """(code, name, pier) of the ports a voyage may board at instead (domain.LOW_WATER_PORTS)."""
    return [(c, PORTS[c].name, PORTS[c].pier) for c in LOW_WATER_PORTS]


def checkin_link(tenant_id: TenantId, passenger: Passenger) -> str:
    """Where the SMS sends a passenger to pre-check in and get the new pass (the cabin's
    booking link, the one the confirmation gives)."""
    return checkin_url(tenant_id, passenger.reservation_id)


def _clock_time(text: str) -> time | None:
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _window(form: PortChangeForm, tz: str, errors: list[dict[str, str]]) -> _Window | None:
    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "code": "invalid", "message": message})

    day: date | None = read_date(form.boarding_date)
    if day is None:
        bad("boarding_date", "Enter a date as 2026-12-24.")
    opens, closes = _clock_time(form.opens_at), _clock_time(form.closes_at)
    departs = _clock_time(form.departs_at) if form.departs_at else None
    for field, found in (("opens_at", opens), ("closes_at", closes)):
        if found is None:
            bad(field, "Enter a time as 07:30.")
    if form.departs_at and departs is None:
        bad("departs_at", "Enter a time as 07:30.")
    if day is None or opens is None or closes is None:
        return None
    zone = clock.zone(tz)
    window = _Window(
        datetime.combine(day, opens, zone),
        datetime.combine(day, closes, zone),
        datetime.combine(day, departs, zone)
        if departs
        else datetime.combine(day, closes, zone) + DEFAULT_DEPARTURE_AFTER_CLOSING,
    )
    if window.closes <= window.opens:
        bad("closes_at", "Boarding must close after it opens.")
    elif window.closes <= clock.now():
        bad("closes_at", "This boarding window is already over.")
    elif window.departs < window.closes:
        bad("departs_at", "The ship leaves after boarding closes.")
    return window


def _validate(
    form: PortChangeForm, voyage: BoardingVoyage, tz: str
) -> tuple[_Window, list[uuid.UUID] | None]:
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "code": "invalid", "message": message})

    if form.port_code not in LOW_WATER_PORTS:
        bad("port_code", "Choose 丰都 or 涪陵.")
    elif voyage.direction != Direction.DOWNSTREAM:
        bad("port_code", "Only a voyage leaving Chongqing boards at a low-water port.")
    chosen: list[uuid.UUID] | None = None
    if form.scope == "chosen":
        try:
            chosen = [uuid.UUID(i) for i in form.chosen() if i]
        except ValueError:
            chosen = []
        if not chosen:
            bad("passenger_ids", "Tick the passengers who board at the new port.")
    elif form.scope != "voyage":
        bad("scope", "Choose the whole voyage or the passengers ticked.")
    window = _window(form, tz, errors)
    if window is not None and window.closes > voyage.arrives_at:
        bad("closes_at", "Boarding must close before the voyage arrives.")
    if not form.bus:
        bad("bus", "Tell the passengers how they get to the pier (the bus and where it leaves).")
    if not form.reason:
        bad("reason", "Give the reason passengers will read.")
    if errors:
        raise Invalid(errors=errors)
    assert window is not None
    return window, chosen


async def _target_call(
    repo: ManifestRepository, voyage: BoardingVoyage, code: str, window: _Window
) -> tuple[PortCall, bool]:
    """The voyage's call at the port, made a boarding call with the window; added to the
    route in the river's order when the voyage does not call there."""
    calls = list(await repo.calls(voyage.id))
    found = next((c for c in calls if c.port_code == code), None)
    added = found is None
    if found is None:
        rank = RIVER_ORDER.index(code)
        before = [c for c in calls if c.port_code in RIVER_ORDER[:rank]]
        seq = max((c.seq for c in before), default=-1)
        await repo.make_room_after(voyage.id, seq)
        found = await repo.add_call(
            PortCall(
                voyage_id=voyage.id,
                seq=seq + 1,
                port_code=code,
                arrives_at=window.opens,
                departs_at=window.departs,
                embarking=True,
                disembarking=False,
            )
        )
    else:
        if found.departs_at is None or found.departs_at < window.departs:
            found.departs_at = window.departs
        if found.arrives_at is not None and found.arrives_at > window.opens:
            found.arrives_at = window.opens
        found.embarking = True
    found.boarding_opens_at, found.boarding_closes_at = window.opens, window.closes
    return found, added


async def _movers(
    repo: ManifestRepository, voyage_id: uuid.UUID, chosen: list[uuid.UUID] | None, target: str
) -> list[Passenger]:
    found = await repo.lock_passengers(voyage_id, chosen)
    if chosen is not None:
        if len(found) != len(set(chosen)):
            raise Invalid.field("passenger_ids", "Choose passengers of this voyage.")
        if any(p.aboard for p in found):
            raise Invalid.field("passenger_ids", "A passenger ticked is already aboard.")
    calls = {c.id: c.port_code for c in await repo.calls(voyage_id)}
    movers = [p for p in found if not p.aboard and calls.get(p.boarding_call_id) != target]
    if not movers:
        raise Invalid.field("passenger_ids", "Nobody is left to move to this port.")
    return movers


async def change_boarding_port(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage_id: uuid.UUID,
    form: PortChangeForm,
    *,
    actor: Actor,
) -> PortChangeResult:
    """Move the voyage's boarding (every live passenger not yet aboard, or those chosen) to
    丰都 or 涪陵 with the window the manager enters. In one transaction: the port call (added
    when the voyage does not call there), the passengers' boarding call, a `manifest_changes`
    row per passenger and one for the decision, an SMS per passenger through the outbox, the
    passes re-issued (old ones revoked) and an audit entry. A refusal writes nothing."""
    repo = ManifestRepository(db, tenant_id)
    voyage = await repo.voyage(voyage_id, lock=True)
    if voyage is None:
        raise NotFound()
    if voyage.status in CLOSED_STATUSES:
        raise Conflict("This voyage has left or is cancelled: its boarding port cannot change.")
    line = await tenant_settings(db, tenant_id)
    tz = line.timezone or clock.DEFAULT_TZ
    window, chosen = _validate(form, voyage, tz)
    old_calls = {c.id: c for c in await repo.calls(voyage_id)}
    movers = await _movers(repo, voyage_id, chosen, form.port_code)
    call, added = await _target_call(repo, voyage, form.port_code, window)
    now = clock.now()
    ids = [p.id for p in movers]
    new_name = PORTS[call.port_code].name
    for p in movers:
        old = old_calls.get(p.boarding_call_id)
        old_name = PORTS[old.port_code].name if old and old.port_code in PORTS else ""
        _log(repo, voyage_id, p.id, "boarding_port", old_name, new_name, form.reason, actor, now)
    await repo.move_to_call(ids, call.id, now=now)
    summary = _summary(window, tz, new_name, form.bus)
    _log(repo, voyage_id, None, "port_change", form.scope, summary, form.reason, actor, now)
    for old in old_calls.values():
        if old.embarking and old.id != call.id and not await repo.boards_at(voyage_id, old.id):
            old.embarking = False
    await db.flush()
    messages = await _notify(db, tenant_id, repo, movers, voyage, call, window, form, line)
    reissued = await reissue_passes(db, tenant_id, ids, reason=form.reason)
    await record_audit(
        db,
        tenant_id,
        "boarding.boarding_port_changed",
        actor_user_id=actor.user_id,
        subject_type="boarding_voyage",
        subject_id=voyage_id,
        data={"port": call.port_code, "passengers": len(ids), "reason": form.reason},
        ip=actor.ip,
    )
    return PortChangeResult(
        call=call_view(call),
        moved=tuple(ids),
        messages=messages,
        passes_reissued=reissued,
        call_added=added,
    )


def _summary(window: _Window, tz: str, port: str, bus: str) -> str:
    opens = window.opens.astimezone(clock.zone(tz))
    closes = window.closes.astimezone(clock.zone(tz))
    return f"{port} {opens:%Y-%m-%d %H:%M}–{closes:%H:%M} {bus}"[:300]


def _log(
    repo: ManifestRepository,
    voyage_id: uuid.UUID,
    passenger_id: uuid.UUID | None,
    action: str,
    old: str,
    new: str,
    reason: str,
    actor: Actor,
    now: datetime,
) -> None:
    repo.add_change(
        ManifestChange(
            voyage_id=voyage_id,
            passenger_id=passenger_id,
            action=action,
            field="boarding_port",
            old_value=old[:300],
            new_value=new[:300],
            reason=reason,
            by_user_id=actor.user_id,
            created_at=now,
        )
    )


async def _notify(
    db: AsyncSession,
    tenant_id: TenantId,
    repo: ManifestRepository,
    movers: list[Passenger],
    voyage: BoardingVoyage,
    call: PortCall,
    window: _Window,
    form: PortChangeForm,
    line: TenantSettings,
) -> int:
    """One SMS per moved passenger, in the line's language; a passenger without a phone
    (a child) is told through the lead passenger of the booking."""
    leads = await repo.leads(sorted({p.reservation_id for p in movers}))
    zone = clock.zone(line.timezone or clock.DEFAULT_TZ)
    opens, closes = window.opens.astimezone(zone), window.closes.astimezone(zone)
    sent = 0
    with use_locale(line.locale):
        for p in movers:
            recipient = p.phone or leads.get(p.reservation_id, "")
            if not recipient:
                continue
            body = sms_body(
                line=line.name,
                name=p.name,
                voyage=voyage.number,
                pier=PORTS[call.port_code].pier,
                day=_day(opens, line.locale),
                opens=f"{opens:%H:%M}",
                closes=f"{closes:%H:%M}",
                bus=form.bus,
                reason=form.reason,
                url=checkin_link(tenant_id, p),
            )
            await queue_message(
                db, tenant_id, channel="sms", recipient=recipient, body=body, purpose=SMS_PURPOSE
            )
            sent += 1
    return sent


def _day(moment: datetime, locale: str) -> str:
    """12月18日 for Chinese readers, 18 Dec otherwise."""
    if (locale or "zh_CN").startswith("zh"):
        return f"{moment.month}月{moment.day}日"
    return f"{moment.day} {moment:%b}"


def sms_body(**values: str) -> str:
    """The message a moved passenger reads (the current locale's words)."""
    if values.get("url"):
        return _(
            "%(line)s: %(name)s, voyage %(voyage)s now boards at %(pier)s on %(day)s, "
            "%(opens)s–%(closes)s (reason: %(reason)s). %(bus)s Your earlier boarding pass "
            "no longer works; pre-check in and get the new one: %(url)s",
            **values,
        )
    return _(
        "%(line)s: %(name)s, voyage %(voyage)s now boards at %(pier)s on %(day)s, "
        "%(opens)s–%(closes)s (reason: %(reason)s). %(bus)s Your earlier boarding pass "
        "no longer works.",
        **{k: v for k, v in values.items() if k != "url"},
    )
