"""Extending a stay from the stay page (续住). A refusal re-renders the stay page with the
reason; when the booked type is full those nights, with the types that are free."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from modules.frontdesk import permissions, service
from modules.frontdesk.routes.console.desk import STAY, stay_page_answer
from modules.frontdesk.schemas import ExtendForm
from modules.reservations.service import SoldOut
from tenants.context import Ctx


class StayExtensionController(Controller):
    path = "/console/frontdesk/stays"
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @post("/{stay_id:uuid}/extend", opt={"owns": STAY})
    async def extend(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        stay_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ExtendForm],
    ) -> Response[Any]:
        """Sell more nights in the same room, charged on the bill at once."""
        try:
            await attempt(
                ctx.db,
                service.extend_stay_as_asked(
                    ctx.db,
                    ctx.tenant_id,
                    stay_id,
                    nights=data.nights,
                    departure=data.departure,
                    actor=ctx.actor,
                ),
            )
        except (Invalid, Conflict) as exc:
            alternatives: tuple[Any, ...] = ()
            if isinstance(exc, SoldOut):
                alternatives = await service.extension_alternatives(
                    ctx.db, ctx.tenant_id, stay_id, nights=data.nights, departure=data.departure
                )
            return await stay_page_answer(
                request,
                ctx,
                stay_id,
                errors=field_errors(exc),
                status_code=exc.status_code,
                alternatives=alternatives,
            )
        return Redirect(f"/console/frontdesk/stays/{stay_id}?notice=extended", status_code=303)


ROUTES = [StayExtensionController]
