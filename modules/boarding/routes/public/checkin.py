"""The passengers' pre-check-in and boarding passes, reached by the link in the booking SMS
and on the confirmation (`/checkin?token=<tenant id>.<secret>`, `permissions.CHECKIN`):

- `GET /checkin`: before 72 h, when it opens; then the party's details, an emergency
  contact and a confirmation; once checked in, a pass per passenger.
- `POST /checkin`: check in (passes issued in the same transaction).
- `GET /checkin/pass?token=…&p=<pass id>`: one pass, its QR code as big as the phone
  allows (`/checkin/pass.png` to save it, `/checkin/pass.pdf` to print it).

A pass is named in the query beside the link, not in the path: the link is what proves the
caller's right to it, and the service finds it only among the link's cabin's live passes.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Response, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid, NotFound
from app.web.forms import field_errors
from app.web.responses import file_response, pdf_response
from modules.boarding import permissions, service
from modules.boarding.schemas.passes import CheckinForm
from tenants.context import Ctx, RequestContext, split_tenant_token


def _secret(token: str) -> str:
    parsed = split_tenant_token(token)
    if parsed is None:  # the context already answered 404 for a mangled link
        raise NotFound()
    return parsed[1]


def _pass_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(hex=value.strip())
    except ValueError:
        raise NotFound() from None


def _tz(ctx: RequestContext) -> str:
    return clock.tz_of(ctx.tenant)


def _line(ctx: RequestContext) -> str:
    return ctx.tenant.name if ctx.tenant else ""


class CheckinController(Controller):
    path = service.CHECKIN_PATH
    opt = {"guard": permissions.CHECKIN}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    async def _page(
        self, ctx: RequestContext, token: str, *, status_code: int = 200, **extra: Any
    ) -> Template:
        view = await service.checkin_view(ctx.db, ctx.tenant_id, _secret(token))
        context = {
            "view": view,
            "token": token,
            "q": urlencode({"token": token}),
            "tz": _tz(ctx),
            "line_name": _line(ctx),
            "errors": {},
            "form": {
                "emergency_name": view.emergency_name,
                "emergency_phone": view.emergency_phone,
            },
            **extra,
        }
        return Template(
            template_name="boarding/passes/checkin.html",
            context=context,
            status_code=status_code,
        )

    @get("/")
    async def page(self, ctx: Ctx, token: FromQuery[str] = "") -> Template:
        return await self._page(ctx, token)

    @post("/")
    async def check_in(self, ctx: Ctx, data: URLEncodedBody[CheckinForm]) -> Response[Any]:
        try:
            await service.check_in(
                ctx.db,
                ctx.tenant_id,
                _secret(data.token),
                emergency_name=data.emergency_name,
                emergency_phone=data.emergency_phone,
                confirmed=data.confirm == "1",
            )
        except (Invalid, Conflict) as exc:
            form = {"emergency_name": data.emergency_name, "emergency_phone": data.emergency_phone}
            return await self._page(
                ctx, data.token, status_code=422, errors=field_errors(exc), form=form
            )
        query = urlencode({"token": data.token})
        return Redirect(f"{service.CHECKIN_PATH}?{query}#passes", status_code=303)

    @get("/pass")
    async def boarding_pass(
        self,
        ctx: Ctx,
        token: FromQuery[str] = "",
        p: FromQuery[str] = "",
    ) -> Template:
        card = await service.pass_card(ctx.db, ctx.tenant_id, _secret(token), _pass_id(p))
        return Template(
            template_name="boarding/passes/pass.html",
            context={
                "card": card,
                "token": token,
                "q": urlencode({"token": token}),
                "tz": _tz(ctx),
                "line_name": _line(ctx),
            },
        )

    @get("/pass.png")
    async def png(
        self,
        ctx: Ctx,
        token: FromQuery[str] = "",
        p: FromQuery[str] = "",
    ) -> Response[bytes]:
        card = await service.pass_card(ctx.db, ctx.tenant_id, _secret(token), _pass_id(p))
        return file_response(service.pass_png(card), "image/png", cache="private, no-store")

    @get("/pass.pdf")
    async def pdf(
        self,
        ctx: Ctx,
        token: FromQuery[str] = "",
        p: FromQuery[str] = "",
    ) -> Response[bytes]:
        card = await service.pass_card(ctx.db, ctx.tenant_id, _secret(token), _pass_id(p))
        pdf = await service.pass_pdf(card, line_name=_line(ctx), timezone=_tz(ctx))
        return pdf_response(pdf, f"boarding-pass-{card.voyage_number}-{card.pass_id.hex[:8]}.pdf")


ROUTES: list[Any] = [CheckinController]
