"""分销商 and 分销协议 `/console/distribution/…`: the supplier signs up distributors (an agency
on the platform, an external partner with an API key and a signed callback), signs
agreements, authorises products at settlement prices, suspends, resumes and ends them; the
distributor's side, 我的供应商 `/console/distribution/suppliers/…`, shows the agreements naming
it, their authorised products and prices, and lets a first-level distributor allowed to
appoint sign up a sub-distributor and price its products."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.nav import NavItem
from modules.distribution import permissions
from modules.distribution.routes.console import agreements_pages as pages
from modules.distribution.schemas.agreements import (
    AgreementForm,
    AmendForm,
    AppointForm,
    CallbackForm,
    DistributorForm,
    EndForm,
    PriceForm,
)
from modules.distribution.service import agreements as service
from modules.distribution.service import agreements_partner as partner
from modules.distribution.service import distributors
from tenants.context import Ctx

BASE = "/console/distribution"
DISTRIBUTOR = {"distributor_id": "distributors"}
AGREEMENT = {"agreement_id": "dist_agreements"}
PRODUCT = {"agreement_id": "dist_agreements", "product_id": "dist_agreement_products"}


class DistributorsConsole(Controller):
    path = f"{BASE}/distributors"
    opt = {"guard": permissions.SUPPLIER_MANAGERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, q: FromQuery[str] = ""
    ) -> Template:
        return await pages.distributors_page(request, ctx, q=q[:40])

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[DistributorForm]
    ) -> Template | Redirect:
        try:
            _kind, partner_id, name, code, (cname, phone, email) = data.parse()
            contact = distributors.Contact(cname, phone, email)
            if partner_id is not None:
                made = await attempt(
                    ctx.db, distributors.add_agency(ctx.db, ctx.tenant_id, partner_id, contact)
                )
            else:
                made = await attempt(
                    ctx.db, distributors.add_external(ctx.db, ctx.tenant_id, name, code, contact)
                )
        except Invalid as exc:
            return await pages.distributors_page(
                request, ctx, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/distributors/{made.id}?done=created", status_code=303)

    @get("/{distributor_id:uuid}", opt={"owns": DISTRIBUTOR})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        distributor_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await pages.distributor_page(request, ctx, distributor_id, done=done)

    @post("/{distributor_id:uuid}/agreements", opt={"owns": DISTRIBUTOR})
    async def sign(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        distributor_id: FromPath[uuid.UUID],
        data: URLEncodedBody[AgreementForm],
    ) -> Template | Redirect:
        data.distributor_id = str(distributor_id)
        try:
            _, terms = data.parse()
            made = await attempt(
                ctx.db,
                service.create_agreement(
                    ctx.db, ctx.tenant_id, distributor_id, terms, actor=ctx.actor
                ),
            )
        except Invalid as exc:
            return await pages.distributor_page(
                request, ctx, distributor_id, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/agreements/{made.id}?done=signed", status_code=303)

    @post("/{distributor_id:uuid}/api-key", opt={"owns": DISTRIBUTOR})
    async def api_key(
        self, request: Request[Any, Any, Any], ctx: Ctx, distributor_id: FromPath[uuid.UUID]
    ) -> Template:
        try:
            token = await distributors.issue_api_key(
                ctx.db, ctx.tenant_id, distributor_id, actor=ctx.actor
            )
        except Conflict as exc:
            return await pages.distributor_page(
                request, ctx, distributor_id, errors=field_errors(exc), status_code=409
            )
        return await pages.distributor_page(request, ctx, distributor_id, shown_token=token)

    @post("/{distributor_id:uuid}/callback", opt={"owns": DISTRIBUTOR})
    async def callback(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        distributor_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CallbackForm],
    ) -> Template | Redirect:
        try:
            url = data.parse()
            secret = await distributors.set_callback_url(ctx.db, ctx.tenant_id, distributor_id, url)
        except Invalid as exc:
            return await pages.distributor_page(
                request,
                ctx,
                distributor_id,
                callback_form=data,
                errors=field_errors(exc),
                status_code=422,
            )
        if secret is None:
            return Redirect(f"{BASE}/distributors/{distributor_id}?done=callback", status_code=303)
        return await pages.distributor_page(request, ctx, distributor_id, shown_secret=secret)

    @post("/{distributor_id:uuid}/callback/rotate", opt={"owns": DISTRIBUTOR})
    async def rotate(
        self, request: Request[Any, Any, Any], ctx: Ctx, distributor_id: FromPath[uuid.UUID]
    ) -> Template:
        try:
            secret = await distributors.rotate_callback_secret(
                ctx.db, ctx.tenant_id, distributor_id
            )
        except Conflict as exc:
            return await pages.distributor_page(
                request, ctx, distributor_id, errors=field_errors(exc), status_code=409
            )
        return await pages.distributor_page(request, ctx, distributor_id, shown_secret=secret)


class AgreementsConsole(Controller):
    path = f"{BASE}/agreements"
    opt = {"guard": permissions.SUPPLIER_MANAGERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await pages.agreements_page(request, ctx)

    @get("/{agreement_id:uuid}", opt={"owns": AGREEMENT})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await pages.agreement_page(request, ctx, agreement_id, done=done)

    @post("/{agreement_id:uuid}/products", opt={"owns": AGREEMENT})
    async def price(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PriceForm],
    ) -> Template | Redirect:
        try:
            key, price = data.parse()
            await attempt(
                ctx.db, service.set_price(ctx.db, ctx.tenant_id, agreement_id, key, price)
            )
        except (Invalid, Conflict) as exc:
            code = 422 if isinstance(exc, Invalid) else 409
            return await pages.agreement_page(
                request, ctx, agreement_id, form=data, errors=field_errors(exc), status_code=code
            )
        return Redirect(f"{BASE}/agreements/{agreement_id}?done=priced", status_code=303)

    @post("/{agreement_id:uuid}/products/{product_id:uuid}/withdraw", opt={"owns": PRODUCT})
    async def withdraw(
        self, ctx: Ctx, agreement_id: FromPath[uuid.UUID], product_id: FromPath[uuid.UUID]
    ) -> Redirect:
        await service.withdraw_product(ctx.db, ctx.tenant_id, agreement_id, product_id)
        return Redirect(f"{BASE}/agreements/{agreement_id}?done=withdrawn", status_code=303)

    @post("/{agreement_id:uuid}/terms", opt={"owns": AGREEMENT})
    async def amend(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[AmendForm],
    ) -> Template | Redirect:
        try:
            valid_to, limit, notes = data.parse()
            await attempt(
                ctx.db,
                service.amend_agreement(
                    ctx.db,
                    ctx.tenant_id,
                    agreement_id,
                    valid_to=valid_to,
                    credit_limit_fen=limit,
                    notes=notes,
                ),
            )
        except (Invalid, Conflict) as exc:
            code = 422 if isinstance(exc, Invalid) else 409
            return await pages.agreement_page(
                request,
                ctx,
                agreement_id,
                amend_form=data,
                errors=field_errors(exc),
                status_code=code,
            )
        return Redirect(f"{BASE}/agreements/{agreement_id}?done=amended", status_code=303)

    @post("/{agreement_id:uuid}/suspend", opt={"owns": AGREEMENT})
    async def suspend(
        self, request: Request[Any, Any, Any], ctx: Ctx, agreement_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        try:
            await service.suspend_agreement(ctx.db, ctx.tenant_id, agreement_id)
        except Conflict as exc:
            return await pages.agreement_page(
                request, ctx, agreement_id, errors=field_errors(exc), status_code=409
            )
        return Redirect(f"{BASE}/agreements/{agreement_id}?done=suspended", status_code=303)

    @post("/{agreement_id:uuid}/resume", opt={"owns": AGREEMENT})
    async def resume(
        self, request: Request[Any, Any, Any], ctx: Ctx, agreement_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        try:
            await service.resume_agreement(ctx.db, ctx.tenant_id, agreement_id)
        except Conflict as exc:
            return await pages.agreement_page(
                request, ctx, agreement_id, errors=field_errors(exc), status_code=409
            )
        return Redirect(f"{BASE}/agreements/{agreement_id}?done=resumed", status_code=303)

    @post("/{agreement_id:uuid}/end", opt={"owns": AGREEMENT})
    async def end(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[EndForm],
    ) -> Template | Redirect:
        try:
            reason = data.parse()
            await service.end_agreement(
                ctx.db, ctx.tenant_id, agreement_id, reason, actor=ctx.actor
            )
        except (Invalid, Conflict) as exc:
            code = 422 if isinstance(exc, Invalid) else 409
            return await pages.agreement_page(
                request,
                ctx,
                agreement_id,
                end_form=data,
                errors=field_errors(exc),
                status_code=code,
            )
        return Redirect(f"{BASE}/agreements/{agreement_id}?done=ended", status_code=303)


class SuppliersConsole(Controller):
    """我的供应商: the distributor's side. Every agreement id is checked by row-level security
    under the caller's own binding (`partner_read`), then again by the service."""

    path = f"{BASE}/suppliers"
    opt = {"guard": permissions.BUYERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await pages.suppliers_page(request, ctx)

    @get("/{agreement_id:uuid}", opt={"owns": AGREEMENT})
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        q: FromQuery[str] = "",
        done: FromQuery[str] = "",
    ) -> Template | Redirect:
        return await pages.supplier_agreement_page(request, ctx, agreement_id, q=q[:40], done=done)

    @post(
        "/{agreement_id:uuid}/appoint",
        opt={"owns": AGREEMENT, "guard": permissions.SUPPLIER_MANAGERS},
    )
    async def appoint(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[AppointForm],
    ) -> Template | Redirect:
        try:
            partner_id, valid_to = data.parse()
            assert partner_id is not None
            sub = await attempt(
                ctx.db,
                partner.appoint_sub_distributor(
                    ctx.db, ctx.tenant_id, agreement_id, partner_id, valid_to=valid_to
                ),
            )
        except Invalid as exc:
            return await pages.supplier_agreement_page(
                request,
                ctx,
                agreement_id,
                appoint_form=data,
                errors=field_errors(exc),
                status_code=422,
            )
        return Redirect(f"{BASE}/suppliers/{sub.id}?done=appointed", status_code=303)

    @post(
        "/{agreement_id:uuid}/prices",
        opt={"owns": AGREEMENT, "guard": permissions.SUPPLIER_MANAGERS},
    )
    async def price(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        agreement_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PriceForm],
    ) -> Template | Redirect:
        try:
            key, price = data.parse()
            await attempt(
                ctx.db, partner.set_sub_price(ctx.db, ctx.tenant_id, agreement_id, key, price)
            )
        except (Invalid, Conflict) as exc:
            code = 422 if isinstance(exc, Invalid) else 409
            return await pages.supplier_agreement_page(
                request, ctx, agreement_id, form=data, errors=field_errors(exc), status_code=code
            )
        return Redirect(f"{BASE}/suppliers/{agreement_id}?done=priced", status_code=303)


ROUTES: list[Any] = [DistributorsConsole, AgreementsConsole, SuppliersConsole]
NAV: list[NavItem] = [
    NavItem(
        key="distribution-distributors",
        label="Distributors",
        href=f"{BASE}/distributors",
        roles=permissions.SUPPLIER_MANAGERS,
        module="distribution",
        order=60,
    ),
    NavItem(
        key="distribution-agreements",
        label="Distribution agreements",
        href=f"{BASE}/agreements",
        roles=permissions.SUPPLIER_MANAGERS,
        module="distribution",
        order=61,
    ),
    NavItem(
        key="distribution-suppliers",
        label="My suppliers",
        href=f"{BASE}/suppliers",
        roles=permissions.BUYERS,
        module="distribution",
        order=62,
    ),
]
