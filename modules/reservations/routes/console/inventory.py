"""Console pages where managers set up what is sold: unit types, units, rate plans, the
calendar grid (availability, price, closed to arrival, minimum stay) edited in bulk over a
date range, and for a cruise line its voyages (created, with their cabins, in the boarding
console)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid, NotFound
from app.web.errors import is_htmx
from modules.reservations import permissions, service
from modules.reservations.schemas import (
    KINDS,
    UNIT_FEATURES,
    CalendarForm,
    FormErrors,
    RatePlanForm,
    UnitForm,
    UnitTypeForm,
    as_list,
    field_errors,
    percent_bp,
    tri,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

CALENDAR_DAYS = 14
NOTICES = {
    "type": "The unit type was added.",
    "unit": "The unit was added.",
    "plan": "The rate plan was added.",
}
PLAN_KINDS = ("rack", "member", "corporate", "distributor_net")
FEE_KINDS = ("none", "first_night", "percent", "full")


class InventoryConsole(Controller):
    path = "/console/inventory"
    opt = {"guard": permissions.MANAGE_INVENTORY}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _setup_page(request, ctx, notice=NOTICES.get(done))

    @post("/unit-types")
    async def add_type(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[UnitTypeForm]
    ) -> Template | Redirect:
        errors = FormErrors()
        capacity = errors.number("capacity", data.capacity, low=1, high=50) or 2
        price = errors.yuan("base_price", data.base_price) or 0
        voyage = errors.uuid("voyage_id", data.voyage_id) if data.voyage_id else None
        if not errors:
            try:
                await service.create_unit_type(
                    ctx.db,
                    ctx.tenant_id,
                    code=data.code,
                    name=data.name,
                    kind=data.kind,
                    capacity=capacity,
                    base_price_fen=price,
                    description=data.description,
                    voyage_id=voyage,
                )
                return Redirect("/console/inventory?done=type", status_code=303)
            except Invalid as exc:
                errors.update(field_errors(exc))
        return await _setup_page(request, ctx, type_form=data, errors=errors, status_code=422)

    @post("/units")
    async def add_unit(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[UnitForm]
    ) -> Template | Redirect:
        errors = FormErrors()
        unit_type = errors.uuid("unit_type_id", data.unit_type_id)
        floor = errors.number("floor", data.floor, low=-5, high=200)
        if not errors and unit_type is not None:
            try:
                await service.create_unit(
                    ctx.db,
                    ctx.tenant_id,
                    unit_type_id=unit_type,
                    number=data.number,
                    floor=floor,
                    features=tuple(as_list(data.features)),
                )
                return Redirect("/console/inventory?done=unit", status_code=303)
            except Invalid as exc:
                errors.update(field_errors(exc))
        return await _setup_page(request, ctx, unit_form=data, errors=errors, status_code=422)

    @post("/rate-plans")
    async def add_plan(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[RatePlanForm]
    ) -> Template | Redirect:
        errors = FormErrors()
        plan = service.RatePlanInput(
            code=data.code,
            name=data.name,
            kind=data.kind,
            discount_bp=percent_bp(errors, "discount_percent", data.discount_percent),
            net_price_fen=errors.yuan("net_price", data.net_price),
            free_cancel_hours=errors.number("free_cancel_hours", data.free_cancel_hours, high=8760)
            or 0,
            cancel_fee_kind=data.cancel_fee_kind,
            cancel_fee_bp=percent_bp(errors, "cancel_fee_percent", data.cancel_fee_percent),
            deposit_kind=data.deposit_kind,
            deposit_bp=percent_bp(errors, "deposit_percent", data.deposit_percent),
        )
        if not errors:
            try:
                await service.create_rate_plan(ctx.db, ctx.tenant_id, plan)
                return Redirect("/console/inventory?done=plan", status_code=303)
            except Invalid as exc:
                errors.update(field_errors(exc))
        return await _setup_page(request, ctx, plan_form=data, errors=errors, status_code=422)

    @get("/calendar")
    async def calendar(
        self, request: Request[Any, Any, Any], ctx: Ctx, start: FromQuery[str] = ""
    ) -> Template:
        errors = FormErrors()
        first = errors.date("start", start, required=False) or service.today()
        return await _calendar_page(request, ctx, first, CalendarForm(view_start=first.isoformat()))

    @post("/calendar")
    async def edit_calendar(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[CalendarForm]
    ) -> Template:
        """Bulk edit; htmx swaps the grid (with the form's errors when refused)."""
        errors = FormErrors()
        view = errors.date("view_start", data.view_start, required=False) or service.today()
        unit_type = errors.uuid("unit_type_id", data.unit_type_id)
        start, end = errors.date("start", data.start), errors.date("end", data.end)
        values: dict[str, Any] = {
            "total": errors.number("total", data.total, high=10000),
            "price_fen": errors.yuan("price", data.price),
            "closed": tri(data.closed),
            "closed_to_arrival": tri(data.closed_to_arrival),
            "min_stay": errors.number("min_stay", data.min_stay, low=1, high=30),
        }
        weekdays = errors.weekdays("weekdays", as_list(data.weekdays))
        changed = 0
        if not errors and unit_type and start and end:
            try:
                changed = await service.set_calendar(
                    ctx.db,
                    ctx.tenant_id,
                    unit_type_id=unit_type,
                    start=start,
                    end=end,
                    weekdays=weekdays,
                    **values,
                )
            except Invalid as exc:
                errors.update(field_errors(exc))
            except NotFound:
                errors["unit_type_id"] = ""
        status = 422 if errors else 200
        return await _calendar_page(
            request,
            ctx,
            view,
            data,
            errors=errors,
            changed=changed if not errors else None,
            status_code=status,
        )


async def _setup_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **forms: Any,
) -> Template:
    types = await service.list_unit_types(ctx.db, ctx.tenant_id)
    # Voyages are a cruise line's (created, with their cabins, in the boarding console).
    cruise = "cruise" in (ctx.tenant.kinds if ctx.tenant else ())
    return console_page(
        request,
        ctx,
        "reservations/inventory.html",
        active="inventory",
        status_code=status_code,
        notice=notice,
        errors=errors or {},
        types=types,
        units=await service.list_units(ctx.db, ctx.tenant_id),
        plans=await service.list_rate_plans(ctx.db, ctx.tenant_id),
        cruise=cruise,
        voyages=await service.list_voyages(ctx.db, ctx.tenant_id) if cruise else [],
        kinds=KINDS,
        features=UNIT_FEATURES,
        plan_kinds=PLAN_KINDS,
        fee_kinds=FEE_KINDS,
        type_form=forms.get("type_form") or UnitTypeForm(),
        unit_form=forms.get("unit_form") or UnitForm(),
        plan_form=forms.get("plan_form") or RatePlanForm(),
        chosen_features=as_list(forms["unit_form"].features) if forms.get("unit_form") else [],
    )


async def _calendar_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    start: date,
    form: CalendarForm,
    *,
    errors: dict[str, str] | None = None,
    changed: int | None = None,
    status_code: int = 200,
) -> Template:
    grid = await service.calendar(ctx.db, ctx.tenant_id, start=start, days=CALENDAR_DAYS)
    context = {
        "grid": grid,
        "form": form,
        "errors": errors or {},
        "changed": changed,
        "prev": (start - timedelta(days=CALENDAR_DAYS)).isoformat(),
        "next": (start + timedelta(days=CALENDAR_DAYS)).isoformat(),
        "today": service.today(),
    }
    if is_htmx(request):
        return Template(
            "reservations/_partials/calendar.html", context=context, status_code=status_code
        )
    return console_page(
        request,
        ctx,
        "reservations/calendar.html",
        active="inventory",
        status_code=status_code,
        **context,
    )


ROUTES = [InventoryConsole]
