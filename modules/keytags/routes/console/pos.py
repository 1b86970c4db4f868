"""The touch POS of an outlet's tablet, and the cashier's offline conflicts:

- `/console/keytags/pos`: choose the outlet this tablet is (its own page is bookmarked);
- `/console/keytags/pos/{outlet_id}`: the reader types the tag's UID and Enter into the
  focused box (the guest's name, running total and what remains of the limit appear), big
  item buttons fill the order, Charge posts it (htmx) to the same `charge` as the outlets'
  API, under the page's form token so a double tap charges once; the latest sales with a
  void button while the outlet may still void them (a manager voids later ones);
- `/console/keytags/conflicts`: offline readers' sales that could not apply: the cashier
  posts one to its visit, a manager writes one off with a note.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import AppError
from app.web.errors import is_htmx
from app.web.forms import attempt
from app.web.input import Cleaned
from modules.keytags import permissions, service
from modules.keytags.domain import ConflictReason, ConflictStatus
from modules.keytags.schemas.charges import PosChargeForm, PosTagForm, ResolveConflictForm
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "keytags-pos"
OUTLET = {"outlet_id": "spa_outlets"}
SALE = {"outlet_id": "spa_outlets", "charge_id": "spa_charges"}
CONFLICT = {"conflict_id": "spa_charge_conflicts"}


async def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    outlet_id: uuid.UUID,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    view = await service.pos_view(ctx.db, ctx.tenant_id, outlet_id)
    return console_page(
        request,
        ctx,
        "keytags/pos/pos.html",
        active=ACTIVE,
        view=view,
        token=service.new_form_token(),
        tz=clock.tz_of(ctx.tenant),
        status_code=status_code,
        **context,
    )


async def _fragment(
    ctx: RequestContext, outlet_id: uuid.UUID, *, status_code: int = 200, **context: Any
) -> Template:
    """The guest panel, with the latest sales and a fresh form token out of band."""
    recent, minutes = await service.recent_sales(ctx.db, ctx.tenant_id, outlet_id)
    return Template(
        template_name="keytags/pos/_result.html",
        context={
            "outlet_id": outlet_id,
            "recent": recent,
            "void_minutes": minutes,
            "token": service.new_form_token(),
            "tz": clock.tz_of(ctx.tenant),
            "oob": True,
            **context,
        },
        status_code=status_code,
    )


class PosConsole(Controller):
    path = "/console/keytags/pos"
    opt = {"guard": permissions.POS_PAGE}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("")
    async def outlets(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """Which outlet this tablet charges for."""
        outlets = await service.pos_outlets(ctx.db, ctx.tenant_id)
        return console_page(request, ctx, "keytags/pos/index.html", active=ACTIVE, outlets=outlets)

    @get("/{outlet_id:uuid}", opt={"owns": OUTLET})
    async def pos(
        self, request: Request[Any, Any, Any], ctx: Ctx, outlet_id: FromPath[uuid.UUID]
    ) -> Template:
        """The outlet's touch POS."""
        return await _page(request, ctx, outlet_id)

    @post("/{outlet_id:uuid}/tag", opt={"owns": OUTLET})
    async def tag(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        outlet_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PosTagForm],
    ) -> Template:
        """The scanned tag's guest: name, running total, what remains; or why not."""
        try:
            found = await service.look_up_tag(ctx.db, ctx.tenant_id, data.tag)
        except AppError as refused:
            return await _answer(request, ctx, outlet_id, data, status_code=422, error=refused)
        return await _answer(request, ctx, outlet_id, data, found=found)

    @post("/{outlet_id:uuid}/charges", opt={"owns": OUTLET})
    async def charge(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        outlet_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PosChargeForm],
    ) -> Template:
        """Charge the order on the tag (a tap sent twice with the same form token is
        answered with the first charge)."""
        try:
            done = await attempt(
                ctx.db,
                service.charge(
                    ctx.db,
                    ctx.tenant_id,
                    tag_uid=data.tag,
                    items=data.wanted(),
                    device_id=service.form_device(data.token),
                    device_seq=0,
                    actor=ctx.actor,
                    outlet_id=outlet_id,
                ),
            )
        except AppError as refused:
            status = refused.status_code
            return await _answer(request, ctx, outlet_id, data, status_code=status, error=refused)
        found = await service.look_up_tag(ctx.db, ctx.tenant_id, data.tag)
        return await _answer(request, ctx, outlet_id, data, found=found, charged=done)

    @post("/{outlet_id:uuid}/charges/{charge_id:uuid}/void", opt={"owns": SALE})
    async def void(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        outlet_id: FromPath[uuid.UUID],
        charge_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Void a sale: within the outlet's window by anyone here, later by a manager (who
        is recorded as approving it)."""
        try:
            voided = await attempt(
                ctx.db,
                service.void_charge(
                    ctx.db,
                    ctx.tenant_id,
                    charge_id,
                    actor=ctx.actor,
                    outlet_id=outlet_id,
                    manager=ctx.principal.has_role("manager"),
                ),
            )
        except AppError as refused:
            return await _answer(
                request, ctx, outlet_id, None, status_code=refused.status_code, error=refused
            )
        return await _answer(request, ctx, outlet_id, None, voided=voided)


async def _answer(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    outlet_id: uuid.UUID,
    form: Cleaned | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    if is_htmx(request):
        return await _fragment(ctx, outlet_id, status_code=status_code, form=form, **context)
    return await _page(request, ctx, outlet_id, status_code=status_code, form=form, **context)


class ConflictsConsole(Controller):
    path = "/console/keytags/conflicts"
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("")
    async def conflicts(
        self, request: Request[Any, Any, Any], ctx: Ctx, show: FromQuery[str] = "open"
    ) -> Template:
        """Offline sales that could not apply (open ones, or all)."""
        rows = await service.charge_conflicts(
            ctx.db, ctx.tenant_id, status="open" if show != "all" else None
        )
        return console_page(
            request,
            ctx,
            "keytags/pos/conflicts.html",
            active="keytags-conflicts",
            rows=rows,
            show=show if show == "all" else "open",
            manager=permissions.MANAGERS.admits(ctx.principal.role),
            reasons=ConflictReason.labels(),
            statuses=ConflictStatus.labels(),
            tz=clock.tz_of(ctx.tenant),
        )

    @post("/{conflict_id:uuid}/post", opt={"owns": CONFLICT})
    async def post_to_visit(
        self, ctx: Ctx, conflict_id: FromPath[uuid.UUID], data: URLEncodedBody[ResolveConflictForm]
    ) -> Redirect:
        """Post the sale to its visit (or the visit named): the tab moves, even past its
        limit (the cashier decided)."""
        await service.post_conflict(
            ctx.db,
            ctx.tenant_id,
            conflict_id,
            actor=ctx.actor,
            visit_number=data.visit_number,
            note=data.note,
        )
        return Redirect("/console/keytags/conflicts", status_code=303)

    @post(
        "/{conflict_id:uuid}/write-off",
        opt={"guard": permissions.MANAGERS, "owns": CONFLICT},
    )
    async def write_off(
        self, ctx: Ctx, conflict_id: FromPath[uuid.UUID], data: URLEncodedBody[ResolveConflictForm]
    ) -> Redirect:
        """A manager writes the sale off with a note (nothing is charged)."""
        await service.write_off_conflict(
            ctx.db, ctx.tenant_id, conflict_id, actor=ctx.actor, note=data.note
        )
        return Redirect("/console/keytags/conflicts", status_code=303)


ROUTES = [PosConsole, ConflictsConsole]
