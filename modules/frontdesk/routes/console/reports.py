"""The daily report (营业日报) and the month, for managers and cashiers; closing a day by
hand (夜审/关账) for managers. The scheduled audit does the same every night."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.errors import is_htmx
from app.web.forms import attempt, field_errors
from modules.frontdesk import domain, permissions, service
from modules.frontdesk.schemas import AuditResult, CloseDayForm
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page


def _parse_day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid.field("day", "Enter a date such as 2026-12-01.") from None


class ReportsController(Controller):
    path = "/console/frontdesk/reports"
    opt = {"guard": permissions.DAILY_REPORT}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: RequestContext,
        *,
        day: str | None,
        month: str | None,
        result: AuditResult | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        yesterday = domain.business_date(clock.tz_of(ctx.tenant)) - timedelta(days=1)
        errors = dict(errors or {})
        try:
            chosen = _parse_day(day, yesterday)
        except Invalid as exc:
            chosen, status_code = yesterday, exc.status_code
            errors.update(field_errors(exc))
        try:
            year, mon = service.parse_month(month, chosen)
        except Invalid as exc:
            (year, mon), status_code = (chosen.year, chosen.month), exc.status_code
            errors.update(field_errors(exc))
        context = {
            "day": chosen,
            "yesterday": yesterday,
            "figures": await service.daily_figures(ctx.db, ctx.tenant_id, chosen),
            "report": await service.month_report(ctx.db, ctx.tenant_id, year, mon),
            "result": result,
            "errors": errors,
            "can_close": permissions.CLOSE_DAY.admits(ctx.principal.role),
            "labels": domain.AUDIT_SOURCE_LABELS,
        }
        if is_htmx(request):
            return Template(
                template_name="frontdesk/_partials/report.html",
                context=context,
                status_code=status_code,
            )
        return console_page(
            request,
            ctx,
            "frontdesk/reports.html",
            active="frontdesk_reports",
            status_code=status_code,
            **context,
        )

    @get("/")
    async def reports(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        day: FromQuery[str | None] = None,
        month: FromQuery[str | None] = None,
    ) -> Template:
        return await self._page(request, ctx, day=day, month=month)

    @get("/month.csv")
    async def month_csv(self, ctx: Ctx, month: FromQuery[str | None] = None) -> Response[str]:
        year, mon = service.parse_month(month, domain.business_date(clock.tz_of(ctx.tenant)))
        report = await service.month_report(ctx.db, ctx.tenant_id, year, mon)
        return Response(
            service.month_csv(report),
            status_code=200,  # explicit: the request's transaction commits below 400
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="daily-report-{year}-{mon:02d}.csv"',
                "Cache-Control": "private, no-store",
            },
        )

    @post("/close", opt={"guard": permissions.CLOSE_DAY})
    async def close(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[CloseDayForm]
    ) -> Template:
        """Close a day now: no-shows marked and the figures (re)computed; the page shows
        what the run did. Refused for a day that has not ended."""
        try:
            day = _parse_day(data.day, date.min)
            if day == date.min:
                raise Invalid.field("day", "Choose the day to close.")
            result = await attempt(
                ctx.db,
                service.run_night_audit(
                    ctx.db, ctx.tenant_id, day, actor=ctx.actor, tz=clock.tz_of(ctx.tenant)
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._page(
                request,
                ctx,
                day=None,
                month=None,
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        return await self._page(request, ctx, day=day.isoformat(), month=None, result=result)


ROUTES = [ReportsController]
