"""The line's ships in the console: the fleet, a new ship, and a ship's cabin plan (decks,
cabin numbers, grades, berths) with cabins added by grade."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid
from app.i18n import gettext
from app.web.forms import attempt, field_errors
from app.web.input import read_int
from modules.boarding import permissions, service
from modules.boarding.schemas.voyages import CabinsForm, ShipForm
from modules.boarding.service.ships import CABIN_FEATURES
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "boarding"
SHIP = {"ship_id": "ships"}
FEATURE_LABELS = {
    "river_view": "River view",
    "balcony": "Balcony",
    "quiet": "Quiet",
    "accessible": "Accessible",
    "connecting": "Connecting",
    "high_floor": "High floor",
}
NOTICES = {"created": "The ship is added.", "cabins": "The cabins are added to the plan."}


def _number(
    errors: dict[str, str], field: str, text: str, low: int, high: int, *, required: bool = True
) -> int | None:
    if not text.strip() and not required:
        return None
    number = read_int(text, minimum=low, maximum=high)
    if number is None:
        errors[field] = gettext(
            "Enter a whole number from %(low)s to %(high)s.", low=low, high=high
        )
    return number


class ShipsConsole(Controller):
    path = "/console/boarding/ships"
    opt = {"guard": permissions.PURSERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _ships_page(request, ctx, notice=NOTICES.get(done))

    @post("/", opt={"guard": permissions.MANAGERS})
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[ShipForm]
    ) -> Template | Redirect:
        errors: dict[str, str] = {}
        decks = _number(errors, "decks", data.decks, 1, 20)
        capacity = _number(errors, "passenger_capacity", data.passenger_capacity, 1, 10000)
        length = _number(errors, "length_m", data.length_m, 10, 400, required=False)
        built = _number(errors, "built_year", data.built_year, 1900, 2100, required=False)
        if not errors and decks and capacity:
            try:
                ship = await attempt(
                    ctx.db,
                    service.create_ship(
                        ctx.db,
                        ctx.tenant_id,
                        code=data.code,
                        name=data.name,
                        decks=decks,
                        passenger_capacity=capacity,
                        length_m=length,
                        built_year=built,
                    ),
                )
                return Redirect(f"/console/boarding/ships/{ship.id}?done=created", status_code=303)
            except Invalid as exc:
                errors = field_errors(exc)
        return await _ships_page(request, ctx, form=data, errors=errors, status_code=422)

    @get("/{ship_id:uuid}", opt={"owns": SHIP})
    async def ship(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        ship_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await _plan_page(request, ctx, ship_id, notice=NOTICES.get(done))

    @post("/{ship_id:uuid}/cabins", opt={"owns": SHIP, "guard": permissions.MANAGERS})
    async def add_cabins(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        ship_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CabinsForm],
    ) -> Template | Redirect:
        errors: dict[str, str] = {}
        deck = _number(errors, "deck", data.deck, 1, 20)
        berths = _number(errors, "berths", data.berths, 1, 8)
        features = [data.features] if isinstance(data.features, str) else list(data.features)
        if not errors and deck and berths:
            try:
                numbers = service.expand_numbers(data.numbers)
                cabins = [
                    service.CabinInput(
                        n, deck, data.grade_code, data.grade_name, berths, tuple(features)
                    )
                    for n in numbers
                ]
                await attempt(ctx.db, service.add_cabins(ctx.db, ctx.tenant_id, ship_id, cabins))
                return Redirect(f"/console/boarding/ships/{ship_id}?done=cabins", status_code=303)
            except Invalid as exc:
                errors = field_errors(exc)
        return await _plan_page(request, ctx, ship_id, form=data, errors=errors, status_code=422)


async def _ships_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    notice: str | None = None,
    form: ShipForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "boarding/ships/index.html",
        active=ACTIVE,
        status_code=status_code,
        ships=await service.list_ships(ctx.db, ctx.tenant_id),
        form=form or ShipForm(),
        errors=errors or {},
        notice=notice,
        manager=permissions.MANAGERS.admits(ctx.principal.role),
    )


async def _plan_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    ship_id: uuid.UUID,
    *,
    notice: str | None = None,
    form: CabinsForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    ship = await service.get_ship(ctx.db, ctx.tenant_id, ship_id)
    cabins = await service.ship_cabins(ctx.db, ctx.tenant_id, ship_id)
    decks: dict[int, list[service.CabinView]] = {}
    for cabin in cabins:
        decks.setdefault(cabin.deck, []).append(cabin)
    form = form or CabinsForm(berths="2")
    chosen = [form.features] if isinstance(form.features, str) else list(form.features)
    return console_page(
        request,
        ctx,
        "boarding/ships/ship.html",
        active=ACTIVE,
        status_code=status_code,
        ship=ship,
        grades=await service.cabin_grades(ctx.db, ctx.tenant_id, ship_id),
        decks=sorted(decks.items()),
        form=form,
        chosen=chosen,
        errors=errors or {},
        notice=notice,
        features=[(f, FEATURE_LABELS[f]) for f in CABIN_FEATURES],
        feature_labels=FEATURE_LABELS,
        manager=permissions.MANAGERS.admits(ctx.principal.role),
    )
