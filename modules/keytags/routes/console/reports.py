"""Cashier and outlet reports `/console/keytags/reports` (cashiers, managers, auditors): the
shifts of a period with expected against counted cash, each outlet's takings by item, the
concessions and what each is owed, the day's charges by outlet, the months filed with the
bureau; CSV of each. The cashier's own shift `/console/keytags/shift` (the desk): open it with
the float counted, close it with the cash counted."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid, NotFound
from app.web.forms import attempt, field_errors
from app.web.responses import file_response
from modules.keytags import permissions, service
from modules.keytags.domain import ChargeKind
from modules.keytags.schemas.reports import CloseShiftForm, OpenShiftForm, Period
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "keytags-reports"
REPORTS_PATH = "/console/keytags/reports"
SHIFT_PATH = "/console/keytags/shift"
SHIFT = {"shift_id": "spa_shifts"}
NOTICES = {
    "opened": "Your shift is open.",
    "closed": "Your shift is closed.",
}
CSV_TYPE = "text/csv; charset=utf-8"


def _tz(ctx: RequestContext) -> str:
    return clock.tz_of(ctx.tenant)


def _csv(text: str, filename: str) -> Response[bytes]:
    return file_response(text.encode(), CSV_TYPE, filename=filename, cache="private, no-store")


def _period(ctx: RequestContext, date_from: str | None, date_to: str | None) -> Period:
    return service.period_of(date_from, date_to, _tz(ctx))


def _user(ctx: RequestContext) -> uuid.UUID:
    user_id = ctx.principal.user_id
    if user_id is None:  # the guard admits staff only
        raise NotFound()
    return user_id


class ReportsConsole(Controller):
    path = REPORTS_PATH
    opt = {"guard": permissions.REPORTS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
    ) -> Template:
        errors: dict[str, str] = {}
        status_code = 200
        try:
            period = _period(ctx, date_from, date_to)
        except Invalid as exc:
            errors, status_code = field_errors(exc), exc.status_code
            period = _period(ctx, None, None)
        return console_page(
            request,
            ctx,
            "keytags/reports/index.html",
            active=ACTIVE,
            status_code=status_code,
            errors=errors,
            period=period,
            query=f"date_from={period.first}&date_to={period.last}",
            outlets=await service.outlet_report(ctx.db, ctx.tenant_id, period),
            concessions=await service.concession_report(ctx.db, ctx.tenant_id, period),
            shifts=await service.shifts_in(ctx.db, ctx.tenant_id, period),
            filings=await service.monthly_filings(ctx.db, ctx.tenant_id),
            tz=_tz(ctx),
        )

    @get("/outlets.csv")
    async def outlets_csv(
        self,
        ctx: Ctx,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        period = _period(ctx, date_from, date_to)
        report = await service.outlet_report(ctx.db, ctx.tenant_id, period)
        return _csv(service.outlets_csv(report), f"outlets-{period.slug}.csv")

    @get("/concessions.csv")
    async def concessions_csv(
        self,
        ctx: Ctx,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        period = _period(ctx, date_from, date_to)
        report = await service.concession_report(ctx.db, ctx.tenant_id, period)
        return _csv(service.concessions_csv(report), f"concessions-{period.slug}.csv")

    @get("/shifts.csv")
    async def shifts_csv(
        self,
        ctx: Ctx,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        period = _period(ctx, date_from, date_to)
        shifts = await service.shifts_in(ctx.db, ctx.tenant_id, period)
        return _csv(service.shifts_csv(shifts, _tz(ctx)), f"shifts-{period.slug}.csv")

    @get("/day")
    async def day(
        self, request: Request[Any, Any, Any], ctx: Ctx, day: FromQuery[str | None] = None
    ) -> Template:
        errors: dict[str, str] = {}
        status_code = 200
        try:
            chosen = _period(ctx, day, day).first
        except Invalid as exc:
            errors = {"day": next(iter(field_errors(exc).values()))}
            status_code, chosen = exc.status_code, clock.today(_tz(ctx))
        return console_page(
            request,
            ctx,
            "keytags/reports/day.html",
            active=ACTIVE,
            status_code=status_code,
            errors=errors,
            report=await service.day_charges(ctx.db, ctx.tenant_id, chosen, _tz(ctx)),
            kinds=ChargeKind.labels(),
            tz=_tz(ctx),
        )

    @get("/day.csv")
    async def day_csv(self, ctx: Ctx, day: FromQuery[str | None] = None) -> Response[bytes]:
        chosen = _period(ctx, day, day).first
        report = await service.day_charges(ctx.db, ctx.tenant_id, chosen, _tz(ctx))
        return _csv(service.day_charges_csv(report, _tz(ctx)), f"charges-{chosen}.csv")

    @get("/shifts/{shift_id:uuid}", opt={"owns": SHIFT})
    async def shift(
        self, request: Request[Any, Any, Any], ctx: Ctx, shift_id: FromPath[uuid.UUID]
    ) -> Template:
        return console_page(
            request,
            ctx,
            "keytags/reports/shift.html",
            active=ACTIVE,
            report=await service.shift_report(ctx.db, ctx.tenant_id, shift_id),
            tz=_tz(ctx),
        )


async def _shift_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    notice: str | None = None,
    closed: Any = None,
    errors: dict[str, str] | None = None,
    form: Any = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "keytags/reports/own_shift.html",
        active="keytags-shift",
        status_code=status_code,
        report=await service.own_shift(ctx.db, ctx.tenant_id, _user(ctx)),
        outlet_choices=await service.outlet_choices(ctx.db, ctx.tenant_id),
        notice=notice,
        errors=errors or {},
        form=form,
        can_report=permissions.REPORTS.admits(ctx.principal.role),
        tz=_tz(ctx),
    )


class OwnShiftConsole(Controller):
    path = SHIFT_PATH
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def own(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _shift_page(request, ctx, notice=NOTICES.get(done))

    @post("/open")
    async def open(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[OpenShiftForm]
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                service.open_shift(
                    ctx.db,
                    ctx.tenant_id,
                    _user(ctx),
                    opening_float=data.opening_float,
                    outlet=data.outlet,
                ),
            )
        except (Invalid, Conflict) as exc:
            return await _shift_page(
                request, ctx, errors=field_errors(exc), form=data, status_code=exc.status_code
            )
        return Redirect(f"{SHIFT_PATH}?done=opened", status_code=303)

    @post("/close")
    async def close(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[CloseShiftForm]
    ) -> Template | Redirect:
        try:
            closed = await attempt(
                ctx.db,
                service.close_shift(
                    ctx.db, ctx.tenant_id, _user(ctx), counted=data.counted, note=data.note
                ),
            )
        except (Invalid, Conflict) as exc:
            return await _shift_page(
                request, ctx, errors=field_errors(exc), form=data, status_code=exc.status_code
            )
        return Redirect(f"{SHIFT_PATH}/{closed.shift.id}?done=closed", status_code=303)

    @get("/{shift_id:uuid}", opt={"owns": SHIFT})
    async def slip(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        shift_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        """A shift's slip, to print at the close: the cashier's own shifts; anyone who may
        see the reports sees every shift."""
        report = await service.shift_report(ctx.db, ctx.tenant_id, shift_id)
        if report.shift.user_id != _user(ctx) and not permissions.REPORTS.admits(
            ctx.principal.role
        ):
            raise NotFound()
        return console_page(
            request,
            ctx,
            "keytags/reports/shift.html",
            active="keytags-shift",
            report=report,
            notice=NOTICES.get(done),
            tz=_tz(ctx),
        )


ROUTES = [ReportsConsole, OwnShiftConsole]
