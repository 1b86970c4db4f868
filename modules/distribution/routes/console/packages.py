"""打包产品 `/console/distribution/packages/…`: the agency composes a package from its
suppliers' authorised products and sells it to a tourist (paid once, by card), follows each
part at its supplier, and cancels a whole package."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.nav import NavItem
from modules.distribution import permissions
from modules.distribution.schemas.packages import (
    MAX_PARTS,
    PackageSaleForm,
    PackageStatus,
    PartStatus,
)
from modules.distribution.service import packages as service
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "distribution-packages"
BASE = "/console/distribution/packages"
PACKAGE = {"package_id": "dist_packages"}
POLL_SECONDS = 2


class PackagesConsole(Controller):
    path = BASE
    opt = {"guard": permissions.BUYERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return console_page(
            request,
            ctx,
            "distribution/packages/index.html",
            active=ACTIVE,
            packages=await service.recent_packages(ctx.db, ctx.tenant_id),
            tz=clock.tz_of(ctx.tenant),
            **_labels(),
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await _form_page(request, ctx, PackageSaleForm(key=uuid.uuid4().hex), {})

    @post("/")
    async def sell(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[PackageSaleForm]
    ) -> Template | Redirect:
        try:
            sale = data.parse(clock.today(clock.tz_of(ctx.tenant)))
            view = await attempt(
                ctx.db,
                service.sell_package(ctx.db, ctx.tenant_id, sale, actor_id=ctx.actor.user_id),
            )
        except (Invalid, Conflict) as exc:
            status = 422 if isinstance(exc, Invalid) else 409
            return await _form_page(request, ctx, data, field_errors(exc), status_code=status)
        return Redirect(f"{BASE}/{view.id}", status_code=303)

    @get("/{package_id:uuid}", opt={"owns": PACKAGE})
    async def detail(
        self, request: Request[Any, Any, Any], ctx: Ctx, package_id: FromPath[uuid.UUID]
    ) -> Template:
        return await _detail_page(request, ctx, package_id)

    @get("/{package_id:uuid}/state", opt={"owns": PACKAGE})
    async def state(
        self, request: Request[Any, Any, Any], ctx: Ctx, package_id: FromPath[uuid.UUID]
    ) -> Template:
        """The parts' states, polled by the page while the package is being booked."""
        return Template(
            template_name="distribution/packages/_partials/state.html",
            context={
                "package": await service.package_view(ctx.db, ctx.tenant_id, package_id),
                "poll": POLL_SECONDS,
                **_labels(),
            },
        )

    @post("/{package_id:uuid}/cancel", opt={"owns": PACKAGE})
    async def cancel(
        self, request: Request[Any, Any, Any], ctx: Ctx, package_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        try:
            await attempt(
                ctx.db,
                service.cancel_package(
                    ctx.db, ctx.tenant_id, package_id, actor_id=ctx.actor.user_id
                ),
            )
        except Conflict as exc:
            return await _detail_page(
                request, ctx, package_id, errors=field_errors(exc), status_code=409
            )
        return Redirect(f"{BASE}/{package_id}", status_code=303)

    @post("/{package_id:uuid}/resume", opt={"owns": PACKAGE})
    async def resume(
        self, request: Request[Any, Any, Any], ctx: Ctx, package_id: FromPath[uuid.UUID]
    ) -> Redirect:
        await service.queue_resume(ctx.db, ctx.tenant_id, package_id)
        return Redirect(f"{BASE}/{package_id}", status_code=303)


def _labels() -> dict[str, Any]:
    return {
        "statuses": {s.value: s.label for s in PackageStatus},
        "part_statuses": {s.value: s.label for s in PartStatus},
    }


async def _form_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    form: PackageSaleForm,
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "distribution/packages/new.html",
        active=ACTIVE,
        status_code=status_code,
        sale=await service.sale_form(ctx.db, ctx.tenant_id),
        values=form.values(),
        errors=errors,
        part_numbers=range(1, MAX_PARTS + 1),
        today=clock.today(clock.tz_of(ctx.tenant)),
    )


async def _detail_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    package_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "distribution/packages/detail.html",
        active=ACTIVE,
        status_code=status_code,
        package=await service.package_view(ctx.db, ctx.tenant_id, package_id),
        errors=errors or {},
        poll=POLL_SECONDS,
        tz=clock.tz_of(ctx.tenant),
        **_labels(),
    )


ROUTES: list[Any] = [PackagesConsole]
NAV: list[NavItem] = [
    NavItem(
        key=ACTIVE,
        label="Packages",
        href=BASE,
        roles=permissions.BUYERS,
        module="distribution",
        order=63,
    )
]
