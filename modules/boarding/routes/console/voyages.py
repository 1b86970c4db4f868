"""The voyages in the console: the list (`/console/boarding`: status, ship, dates, cabins
sold), a new voyage for a ship, and the voyage's page (port calls with scheduled and actual
times, boarding window, crew, status moves, links to the manifest, gangway and booking)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.i18n import gettext
from app.web.forms import attempt, field_errors
from app.web.input import read_date, read_fen
from modules.boarding import permissions, service
from modules.boarding.domain import VOYAGE_MOVES, CrewRole, Direction, VoyageStatus
from modules.boarding.schemas.voyages import (
    CrewForm,
    PortTimeForm,
    StatusForm,
    VoyageForm,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "boarding"
VOYAGE = {"voyage_id": "boarding_voyages"}
CALL = {"voyage_id": "boarding_voyages", "call_id": "boarding_port_calls"}
MEMBER = {"voyage_id": "boarding_voyages", "member_id": "crew_members"}
CLOCK_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$", re.ASCII)
MOMENT = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2})$", re.ASCII)
NOTICES = {
    "created": "The voyage is created and its cabins are on sale.",
    "moved": "The voyage's status is changed.",
    "time": "The time is recorded.",
    "crew": "The crew list is updated.",
}
# Pages other parts of boarding add for a voyage, linked when they are there.
VOYAGE_PAGES = (
    ("manifest", "Manifest"),
    ("gangway", "Gangway"),
    ("aboard", "All aboard"),
    ("book", "Book a cabin"),
)
WHEN = ("upcoming", "past", "all")


def _tz(ctx: RequestContext) -> str:
    return clock.tz_of(ctx.tenant)


def _base(voyage_id: uuid.UUID) -> str:
    return f"/console/boarding/voyages/{voyage_id}"


def read_clock(text: str) -> time | None:
    match = CLOCK_TIME.match(text.strip())
    return time(int(match[1]), int(match[2])) if match else None


def read_moment(text: str, tz: str) -> datetime | None:
    match = MOMENT.match(text.strip())
    day = read_date(match[1]) if match else None
    at = read_clock(match[2]) if match else None
    if day is None or at is None:
        return None
    return datetime.combine(day, at, clock.zone(tz))


def _existing_pages(request: Request[Any, Any, Any], voyage_id: uuid.UUID) -> list[tuple[str, str]]:
    """The voyage's pages from other parts that the app serves (so a link never 404s)."""
    paths = {re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", r.path) for r in request.app.routes}
    return [
        (f"{_base(voyage_id)}/{slug}", label)
        for slug, label in VOYAGE_PAGES
        if f"/console/boarding/voyages/{{voyage_id}}/{slug}" in paths
    ]


class VoyagesConsole(Controller):
    path = "/console/boarding"
    opt = {"guard": permissions.PURSERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, when: FromQuery[str] = "upcoming"
    ) -> Template:
        when = when if when in WHEN else "upcoming"
        start = datetime.combine(clock.today(_tz(ctx)), time(0), clock.zone(_tz(ctx)))
        if when == "upcoming":  # still running or yet to sail
            voyages = await service.list_voyages(
                ctx.db, ctx.tenant_id, sails_from=start - timedelta(days=6)
            )
            voyages = [v for v in voyages if v.arrives_at >= start or v.sails_at >= start]
        elif when == "past":
            voyages = await service.list_voyages(ctx.db, ctx.tenant_id, sails_until=start)
            voyages = list(reversed(voyages))
        else:
            voyages = await service.list_voyages(ctx.db, ctx.tenant_id)
        return console_page(
            request,
            ctx,
            "boarding/voyages/index.html",
            active=ACTIVE,
            rows=await service.voyage_rows(ctx.db, ctx.tenant_id, voyages),
            ships=await service.list_ships(ctx.db, ctx.tenant_id),
            when=when,
            tz=_tz(ctx),
            statuses=VoyageStatus,
            directions=Direction,
            manager=permissions.MANAGERS.admits(ctx.principal.role),
        )

    @get("/voyages/new", opt={"guard": permissions.MANAGERS})
    async def new(
        self, request: Request[Any, Any, Any], ctx: Ctx, ship_id: FromQuery[str] = ""
    ) -> Template:
        form = VoyageForm(ship_id=ship_id, sails_on=clock.today(_tz(ctx)).isoformat())
        return await _new_page(request, ctx, form, {})

    @post("/voyages", opt={"guard": permissions.MANAGERS})
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[VoyageForm]
    ) -> Template | Redirect:
        errors: dict[str, str] = {}
        ship_id = _uuid(data.ship_id)
        sails_on = read_date(data.sails_on)
        times = {
            f: read_clock(getattr(data, f)) for f in ("boarding_opens", "boarding_closes", "sails")
        }
        prices = await _prices(request, errors)
        if ship_id is None:
            errors["ship_id"] = gettext("Choose a ship.")
        if sails_on is None:
            errors["sails_on"] = gettext("Enter a date as 2026-12-24.")
        errors.update({f: gettext("Enter a time as 18:00.") for f, t in times.items() if t is None})
        direction = Direction.parse(data.direction)
        if direction is None:
            errors["direction"] = gettext("Choose downstream or upstream.")
        if errors or ship_id is None or sails_on is None or direction is None:
            return await _new_page(request, ctx, data, errors, status_code=422, prices=prices)
        try:
            voyage = await attempt(
                ctx.db,
                service.create_voyage(
                    ctx.db,
                    ctx.tenant_id,
                    ship_id=ship_id,
                    sails_on=sails_on,
                    prices=prices,
                    direction=direction,
                    prefix=data.prefix.strip().upper(),
                    boarding_opens=times["boarding_opens"],  # type: ignore[arg-type]
                    boarding_closes=times["boarding_closes"],  # type: ignore[arg-type]
                    sails=times["sails"],  # type: ignore[arg-type]
                    tz=_tz(ctx),
                ),
            )
        except Invalid as exc:
            return await _new_page(
                request, ctx, data, field_errors(exc), status_code=422, prices=prices
            )
        return Redirect(f"{_base(voyage.id)}?done=created", status_code=303)

    @get("/voyages/{voyage_id:uuid}", opt={"owns": VOYAGE})
    async def voyage(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await _voyage_page(request, ctx, voyage_id, notice=NOTICES.get(done))

    @post("/voyages/{voyage_id:uuid}/status", opt={"owns": VOYAGE})
    async def move(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        data: URLEncodedBody[StatusForm],
    ) -> Template | Redirect:
        """Boarding, sailing, arrived (cancelling is the manager's, below)."""
        if data.status == VoyageStatus.CANCELLED:
            errors = {"status": gettext("Choose a status.")}
            return await _voyage_page(request, ctx, voyage_id, errors=errors, status_code=422)
        return await _move(request, ctx, voyage_id, data)

    @post("/voyages/{voyage_id:uuid}/cancel", opt={"owns": VOYAGE, "guard": permissions.MANAGERS})
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        data: URLEncodedBody[StatusForm],
    ) -> Template | Redirect:
        return await _move(request, ctx, voyage_id, StatusForm(VoyageStatus.CANCELLED, data.reason))

    @post("/voyages/{voyage_id:uuid}/port-calls/{call_id:uuid}", opt={"owns": CALL})
    async def port_time(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        call_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PortTimeForm],
    ) -> Template | Redirect:
        """The actual arrival or departure (blank time: now)."""
        at = read_moment(data.at, _tz(ctx)) if data.at else clock.now()
        errors: dict[str, str] = {}
        if at is None:
            errors["at"] = gettext("Enter a time as 2026-12-10 21:05.")
        if data.event not in ("arrived", "departed"):
            errors["event"] = gettext("Choose arrival or departure.")
        if not errors:
            moment = {"arrived_at" if data.event == "arrived" else "departed_at": at}
            try:
                await attempt(
                    ctx.db,
                    service.record_port_time(ctx.db, ctx.tenant_id, voyage_id, call_id, **moment),
                )
                return Redirect(f"{_base(voyage_id)}?done=time", status_code=303)
            except Invalid as exc:
                errors = field_errors(exc)
        return await _voyage_page(
            request, ctx, voyage_id, errors=errors, status_code=422, error_call=call_id
        )

    @post("/voyages/{voyage_id:uuid}/crew", opt={"owns": VOYAGE})
    async def add_crew(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CrewForm],
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                service.add_crew_member(
                    ctx.db,
                    ctx.tenant_id,
                    voyage_id,
                    name=data.name,
                    role=data.role,
                    id_type=data.id_type,
                    id_number=data.id_number,
                    phone=data.phone,
                ),
            )
        except Invalid as exc:
            return await _voyage_page(
                request,
                ctx,
                voyage_id,
                errors=field_errors(exc),
                crew_form=data,
                status_code=422,
            )
        return Redirect(f"{_base(voyage_id)}?done=crew#crew", status_code=303)

    @post("/voyages/{voyage_id:uuid}/crew/{member_id:uuid}/remove", opt={"owns": MEMBER})
    async def remove_crew(
        self, ctx: Ctx, voyage_id: FromPath[uuid.UUID], member_id: FromPath[uuid.UUID]
    ) -> Redirect:
        await service.remove_crew_member(ctx.db, ctx.tenant_id, voyage_id, member_id)
        return Redirect(f"{_base(voyage_id)}?done=crew#crew", status_code=303)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


async def _prices(request: Request[Any, Any, Any], errors: dict[str, str]) -> dict[str, int]:
    """`price_<grade>` fields in yuan (per cabin per night), as fen by grade code."""
    prices: dict[str, int] = {}
    for key, value in (await request.form()).items():
        if not key.startswith("price_") or not isinstance(value, str):
            continue
        fen = read_fen(value)
        if fen is None:
            errors[key] = gettext("Enter an amount in yuan, such as 688 or 688.50.")
        else:
            prices[key.removeprefix("price_")] = fen
    return prices


async def _move(
    request: Request[Any, Any, Any], ctx: RequestContext, voyage_id: uuid.UUID, data: StatusForm
) -> Template | Redirect:
    try:
        await attempt(
            ctx.db,
            service.move_voyage(
                ctx.db, ctx.tenant_id, voyage_id, data.status, reason=data.reason, actor=ctx.actor
            ),
        )
    except (Invalid, Conflict) as exc:
        status = 422 if isinstance(exc, Invalid) else 409
        return await _voyage_page(
            request, ctx, voyage_id, errors=field_errors(exc), status_code=status
        )
    return Redirect(f"{_base(voyage_id)}?done=moved", status_code=303)


async def _new_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    form: VoyageForm,
    errors: dict[str, str],
    *,
    status_code: int = 200,
    prices: dict[str, int] | None = None,
) -> Template:
    ships = await service.list_ships(ctx.db, ctx.tenant_id)
    ship = next((s for s in ships if str(s.id) == form.ship_id.strip()), None)
    grades = await service.cabin_grades(ctx.db, ctx.tenant_id, ship.id) if ship else []
    return console_page(
        request,
        ctx,
        "boarding/voyages/new.html",
        active=ACTIVE,
        status_code=status_code,
        form=form,
        errors=errors,
        ships=ships,
        ship=ship,
        grades=grades,
        prices=prices or {},
        directions=Direction,
    )


async def _voyage_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    voyage_id: uuid.UUID,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    crew_form: CrewForm | None = None,
    error_call: uuid.UUID | None = None,
    status_code: int = 200,
) -> Template:
    voyage = await service.get_voyage(ctx.db, ctx.tenant_id, voyage_id)
    [row] = await service.voyage_rows(ctx.db, ctx.tenant_id, [voyage])
    moves = [m for m in VOYAGE_MOVES[voyage.status] if m != VoyageStatus.CANCELLED]
    return console_page(
        request,
        ctx,
        "boarding/voyages/voyage.html",
        active=ACTIVE,
        status_code=status_code,
        voyage=voyage,
        row=row,
        notice=notice,
        errors=errors or {},
        error_call=error_call,
        moves=moves,
        can_cancel=VoyageStatus.CANCELLED in VOYAGE_MOVES[voyage.status],
        manager=permissions.MANAGERS.admits(ctx.principal.role),
        crew=await service.crew_list(ctx.db, ctx.tenant_id, voyage_id),
        crew_form=crew_form or CrewForm(),
        roles=CrewRole,
        pages=_existing_pages(request, voyage_id),
        tz=_tz(ctx),
        today=clock.today(_tz(ctx)),
    )
