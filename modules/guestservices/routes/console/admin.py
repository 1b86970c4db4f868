"""Console pages that look after the guests' side: the room-service and minibar menus,
complaints (answer, close, the overdue badge) and the ratings summary."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from modules.guestservices import domain, permissions, service
from modules.guestservices.models import Complaint, MenuItem
from modules.guestservices.schemas import AnswerForm, MenuItemForm
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ITEM = {"item_id": MenuItem}
COMPLAINT = {"complaint_id": Complaint}
NOTICES = {"saved": "Saved.", "answered": "Answer sent to the guest.", "closed": "Closed."}


def _tz(ctx: RequestContext) -> str:
    return clock.tz_of(ctx.tenant)


class MenuController(Controller):
    path = "/console/guestservices/menu"
    opt = {"guard": permissions.MANAGE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        *,
        form: MenuItemForm | None = None,
        editing: uuid.UUID | None = None,
        errors: dict[str, str] | None = None,
        notice: str | None = None,
        status_code: int = 200,
    ) -> Template:
        return console_page(
            request,
            ctx,
            "guestservices/menu.html",
            active="guest_menu",
            status_code=status_code,
            menus=await service.menu(ctx.db, ctx.tenant_id),
            form=form or MenuItemForm(available="1"),
            editing=editing,
            errors=errors or {},
            notice=NOTICES.get(notice or ""),
            menu_codes=domain.MENUS,
            labels=domain.labels(),
        )

    @get("/")
    async def menu(
        self, request: Request[Any, Any, Any], ctx: Ctx, notice: FromQuery[str | None] = None
    ) -> Template:
        return await self._page(request, ctx, notice=notice)

    @get("/{item_id:uuid}", opt={"owns": ITEM})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, item_id: FromPath[uuid.UUID]
    ) -> Template:
        item = await service.get_menu_item(ctx.db, ctx.tenant_id, item_id)
        form = MenuItemForm(
            menu=item.menu,
            category=item.category,
            name=item.name,
            description=item.description,
            price=f"{item.price_fen / 100:.2f}",
            available="1" if item.available else "",
            sort_order=str(item.sort_order),
        )
        return await self._page(request, ctx, form=form, editing=item_id)

    async def _save(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        data: MenuItemForm,
        item_id: uuid.UUID | None,
    ) -> Response[Any]:
        try:
            await attempt(ctx.db, service.save_menu_item(ctx.db, ctx.tenant_id, data, item_id))
        except Invalid as exc:
            return await self._page(
                request, ctx, form=data, editing=item_id, errors=field_errors(exc), status_code=422
            )
        return Redirect("/console/guestservices/menu?notice=saved", status_code=303)

    @post("/")
    async def add(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[MenuItemForm]
    ) -> Response[Any]:
        return await self._save(request, ctx, data, None)

    @post("/{item_id:uuid}", opt={"owns": ITEM})
    async def change(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        item_id: FromPath[uuid.UUID],
        data: URLEncodedBody[MenuItemForm],
    ) -> Response[Any]:
        return await self._save(request, ctx, data, item_id)


class ComplaintController(Controller):
    path = "/console/guestservices/complaints"
    opt = {"guard": permissions.QUEUE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def listing(
        self, request: Request[Any, Any, Any], ctx: Ctx, status: FromQuery[str | None] = None
    ) -> Template:
        shown = status if status in domain.COMPLAINT_STATUSES else None
        return console_page(
            request,
            ctx,
            "guestservices/complaints.html",
            active="complaints",
            complaints=await service.complaints(ctx.db, ctx.tenant_id, status=shown),
            status=shown,
            statuses=domain.COMPLAINT_STATUSES,
            labels=domain.labels(),
            tz=_tz(ctx),
            answer_hours=int(domain.ANSWER_WITHIN.total_seconds() // 3600),
        )

    @get("/badge")
    async def badge(self, ctx: Ctx) -> Template:
        """Complaints past their answer deadline, for the navigation (fetched by htmx)."""
        count = await service.overdue_complaint_count(ctx.db, ctx.tenant_id)
        return Template(
            template_name="guestservices/_partials/badge.html", context={"count": count}
        )

    async def _detail(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        complaint_id: uuid.UUID,
        *,
        errors: dict[str, str] | None = None,
        answer: str = "",
        notice: str | None = None,
        status_code: int = 200,
    ) -> Template:
        complaint = await service.complaint_detail(ctx.db, ctx.tenant_id, complaint_id)
        return console_page(
            request,
            ctx,
            "guestservices/complaint.html",
            active="complaints",
            status_code=status_code,
            complaint=complaint,
            errors=errors or {},
            answer=answer or complaint.answer or "",
            notice=NOTICES.get(notice or ""),
            labels=domain.labels(),
            tz=_tz(ctx),
        )

    @get("/{complaint_id:uuid}", opt={"owns": COMPLAINT})
    async def detail(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        complaint_id: FromPath[uuid.UUID],
        notice: FromQuery[str | None] = None,
    ) -> Template:
        return await self._detail(request, ctx, complaint_id, notice=notice)

    @post("/{complaint_id:uuid}/answer", opt={"owns": COMPLAINT})
    async def answer(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        complaint_id: FromPath[uuid.UUID],
        data: URLEncodedBody[AnswerForm],
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db,
                service.answer_complaint(
                    ctx.db,
                    ctx.tenant_id,
                    complaint_id,
                    answer=data.answer,
                    by_user_id=ctx.principal.user_id,
                ),
            )
        except (Invalid, Conflict) as exc:
            return await self._detail(
                request,
                ctx,
                complaint_id,
                errors=field_errors(exc),
                answer=data.answer,
                status_code=exc.status_code,
            )
        url = f"/console/guestservices/complaints/{complaint_id}?notice=answered"
        return Redirect(url, status_code=303)

    @post("/{complaint_id:uuid}/close", opt={"owns": COMPLAINT})
    async def close(
        self, request: Request[Any, Any, Any], ctx: Ctx, complaint_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        try:
            await attempt(
                ctx.db,
                service.close_complaint(
                    ctx.db, ctx.tenant_id, complaint_id, by_user_id=ctx.principal.user_id
                ),
            )
        except Conflict as exc:
            return await self._detail(
                request, ctx, complaint_id, errors=field_errors(exc), status_code=409
            )
        url = f"/console/guestservices/complaints/{complaint_id}?notice=closed"
        return Redirect(url, status_code=303)


class RatingsController(Controller):
    path = "/console/guestservices/ratings"
    opt = {"guard": permissions.MANAGE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def summary(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return console_page(
            request,
            ctx,
            "guestservices/ratings.html",
            active="guest_ratings",
            summary=await service.ratings_summary(ctx.db, ctx.tenant_id),
            labels=domain.labels(),
            tz=_tz(ctx),
        )


ROUTES = [MenuController, ComplaintController, RatingsController]
