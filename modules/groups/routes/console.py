"""The groups console: the list (upcoming, departed, filing state), the group form (day
and vehicle rows added with htmx, contracts as checkboxes), the group page with its
guides, filing with the bureau and cancellation.

Forms answer with a redirect when they succeed and with the page and its errors (422,
or 409 for a refused guide) when they do not, so the pages work without JavaScript."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from app import clock
from app.errors import AppError, Conflict, Invalid
from app.i18n import gettext
from app.i18n import gettext as translate  # runtime msgids (errors), not literals
from app.web.forms import attempt
from modules.groups import domain, permissions, service
from modules.groups.models import TourGroup
from modules.groups.schemas import (
    DayInput,
    GroupInput,
    VehicleInput,
    echo_group_form,
    parse_group_form,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

GROUP = {"group_id": TourGroup}
GUIDE = {"group_id": TourGroup, "guide_id": "guides"}
NOTICES = {
    "created": "The group is saved as a draft.",
    "saved": "Changes saved.",
    "guide": "The guide is assigned for the group's dates.",
    "released": "The guide is no longer assigned.",
    "filed": "Filed with the bureau. The receipt numbers appear here once the bureau answers.",
    "filed_late": "Filed, but after departure: the bureau expects groups before they leave.",
    "cancelled": "The group is cancelled; its contracts and guides are free again.",
}


def _labels() -> dict[str, Any]:
    return {"status": domain.GroupStatus.labels(), "filing": FILING_LABELS}


FILING_LABELS = {
    "held": "Waiting for bureau registration",
    "waiting": "Waiting for the group's filing",
    "pending": "Sending",
    "paused": "Paused",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "conflicted": "Conflict",
    "superseded": "Re-filed",
}


def today(ctx: RequestContext) -> date:
    """The enterprise's date (departure days are local days)."""
    return clock.today(clock.tz_of(ctx.tenant))


def prefix(ctx: RequestContext) -> str:
    return domain.group_no_prefix(ctx.tenant.slug if ctx.tenant else "")


def _message(error: dict[str, object]) -> str:
    params = error.get("params")
    values = {k: str(v) for k, v in params.items()} if isinstance(params, dict) else {}
    return translate(str(error.get("message", "")), **values)


def field_errors(exc: AppError) -> dict[str, list[str]]:
    """An error's messages translated, by field (several per field: each contract that
    cannot join says why); the error's own message under `_`."""
    found: dict[str, list[str]] = {"_": [translate(exc.message)]}
    for error in exc.errors or []:
        found.setdefault(str(error.get("field") or "_"), []).append(_message(error))
    return found


def _blank_form(start: date) -> GroupInput:
    return GroupInput(route_name="", start_date=start, end_date=start + timedelta(days=2))


def _days_for(form: GroupInput) -> list[DayInput]:
    """The form's day rows: one per date, keeping what was typed for dates still in."""
    typed = {d.day: d for d in form.days}
    if form.end_date < form.start_date:
        return list(form.days)
    last = form.end_date
    if (last - form.start_date).days >= domain.MAX_DAYS:
        last = form.start_date + timedelta(days=domain.MAX_DAYS - 1)
    dates = domain.dates_between(form.start_date, last)
    return [typed.get(d, DayInput(d, [])) for d in dates]


class GroupsController(Controller):
    path = "/console/groups"
    opt = {"guard": permissions.GROUPS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        groups = await service.list_groups(ctx.db, ctx.tenant_id, today=today(ctx))
        return console_page(
            request, ctx, "groups/list.html", active="groups", groups=groups, labels=_labels()
        )

    async def _form(
        self,
        request: Request[Any, Any, Any],
        ctx: RequestContext,
        form: GroupInput,
        *,
        group: TourGroup | None,
        chosen: set[uuid.UUID] | None = None,
        errors: dict[str, list[str]] | None = None,
        status_code: int = 200,
    ) -> Template:
        choices = await service.form_choices(
            ctx.db, ctx.tenant_id, group_id=group.id if group else None, today=today(ctx)
        )
        return console_page(
            request,
            ctx,
            "groups/form.html",
            active="groups",
            status_code=status_code,
            group=group,
            form=form,
            days=_days_for(form),
            choices=choices,
            chosen=choices.chosen if chosen is None else chosen,
            errors=errors or {},
            default_no=await service.next_group_no(
                ctx.db, ctx.tenant_id, prefix(ctx), form.start_date
            )
            if group is None
            else group.group_no,
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        start = today(ctx) + timedelta(days=14)
        return await self._form(request, ctx, _blank_form(start), group=None)

    @post("/")
    async def create(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        form = await request.form()
        try:
            data = parse_group_form(form)
            group = await attempt(
                ctx.db,
                service.create_group(
                    ctx.db, ctx.tenant_id, data, actor=ctx.actor, number_prefix=prefix(ctx)
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._form(
                request,
                ctx,
                echo_group_form(form),
                group=None,
                chosen=set(echo_group_form(form).contract_ids),
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        return Redirect(f"/console/groups/{group.id}?notice=created", status_code=303)

    @get("/rows/days")
    async def day_rows(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """htmx: the itinerary rows again after the dates changed (what was typed for
        dates still in the tour is kept)."""
        form = echo_group_form(request.query_params)
        return Template(
            template_name="groups/_partials/days.html",
            context={"days": _days_for(form), "errors": {}},
        )

    @get("/rows/vehicle")
    async def vehicle_row(self, ctx: Ctx, n: FromQuery[int] = 0) -> Template:
        """htmx: one more blank vehicle row."""
        return Template(
            template_name="groups/_partials/vehicle.html",
            context={"v": None, "i": max(n, 0), "errors": {}},
        )

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: RequestContext,
        group_id: uuid.UUID,
        *,
        notice: str | None = None,
        errors: dict[str, list[str]] | None = None,
        status_code: int = 200,
    ) -> Template:
        page = await service.group_page(ctx.db, ctx.tenant_id, group_id, today=today(ctx))
        return console_page(
            request,
            ctx,
            "groups/page.html",
            active="groups",
            status_code=status_code,
            page=page,
            notice=NOTICES.get(notice or ""),
            errors=errors or {},
            labels=_labels(),
            # The Bureau filings pages are for managers (and auditors): agents see states.
            filings_link=permissions.FILINGS_VIEW.admits(ctx.principal.role),
        )

    @get("/{group_id:uuid}", opt={"owns": GROUP})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        group_id: FromPath[uuid.UUID],
        notice: FromQuery[str | None] = None,
    ) -> Template:
        return await self._page(request, ctx, group_id, notice=notice)

    @get("/{group_id:uuid}/edit", opt={"owns": GROUP})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, group_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        page = await service.group_page(ctx.db, ctx.tenant_id, group_id, today=today(ctx))
        if not page.editable:
            return Redirect(f"/console/groups/{group_id}", status_code=303)
        return await self._form(request, ctx, _from_page(page), group=page.group)

    @post("/{group_id:uuid}", opt={"owns": GROUP})
    async def update(
        self, request: Request[Any, Any, Any], ctx: Ctx, group_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = await request.form()
        try:
            data = parse_group_form(form)
            await attempt(
                ctx.db,
                service.update_group(ctx.db, ctx.tenant_id, group_id, data, actor=ctx.actor),
            )
        except (Invalid, Conflict) as exc:
            page = await service.group_page(ctx.db, ctx.tenant_id, group_id, today=today(ctx))
            return await self._form(
                request,
                ctx,
                echo_group_form(form),
                group=page.group,
                chosen=set(echo_group_form(form).contract_ids),
                errors=field_errors(exc),
                status_code=exc.status_code,
            )
        return Redirect(f"/console/groups/{group_id}?notice=saved", status_code=303)

    async def _act(
        self,
        request: Request[Any, Any, Any],
        ctx: RequestContext,
        group_id: uuid.UUID,
        call: Any,
        notice: str,
    ) -> Response[Any]:
        try:
            result = await attempt(ctx.db, call)
        except (Invalid, Conflict) as exc:
            return await self._page(
                request, ctx, group_id, errors=field_errors(exc), status_code=exc.status_code
            )
        if notice == "filed" and getattr(result, "filed_late", False):
            notice = "filed_late"
        return Redirect(f"/console/groups/{group_id}?notice={notice}", status_code=303)

    @post("/{group_id:uuid}/guides", opt={"owns": GROUP})
    async def assign(
        self, request: Request[Any, Any, Any], ctx: Ctx, group_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = await request.form()
        try:
            guide_id = uuid.UUID(str(form.get("guide_id", "")))
        except ValueError:
            return await self._page(
                request,
                ctx,
                group_id,
                errors={"guide_id": [gettext("Choose a guide from the list.")]},
                status_code=422,
            )
        call = service.assign_guide(ctx.db, ctx.tenant_id, group_id, guide_id, actor=ctx.actor)
        return await self._act(request, ctx, group_id, call, "guide")

    @post("/{group_id:uuid}/guides/{guide_id:uuid}/release", opt={"owns": GUIDE})
    async def release(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        group_id: FromPath[uuid.UUID],
        guide_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        call = service.release_guide(ctx.db, ctx.tenant_id, group_id, guide_id, actor=ctx.actor)
        return await self._act(request, ctx, group_id, call, "released")

    @post("/{group_id:uuid}/file", opt={"owns": GROUP})
    async def file(
        self, request: Request[Any, Any, Any], ctx: Ctx, group_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        call = service.file_group(
            ctx.db, ctx.tenant_id, group_id, actor=ctx.actor, today=today(ctx)
        )
        return await self._act(request, ctx, group_id, call, "filed")

    @post("/{group_id:uuid}/cancel", opt={"owns": GROUP})
    async def cancel(
        self, request: Request[Any, Any, Any], ctx: Ctx, group_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        call = service.cancel_group(ctx.db, ctx.tenant_id, group_id, actor=ctx.actor)
        return await self._act(request, ctx, group_id, call, "cancelled")


def _from_page(page: service.GroupPage) -> GroupInput:
    g = page.group
    return GroupInput(
        route_name=g.route_name,
        start_date=g.start_date,
        end_date=g.end_date,
        group_no=g.group_no,
        contract_ids=[c.contract_id for c in page.contracts],
        days=[DayInput(d.day, list(d.places), d.hotel) for d in page.days],
        vehicles=[
            VehicleInput(v.plate_no, v.seats, v.driver_name, v.driver_phone) for v in page.vehicles
        ],
        notes=g.notes,
    )


ROUTES = [GroupsController]
