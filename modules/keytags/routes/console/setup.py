"""The resort's set-up `/console/keytags/setup/…` (managers): changing rooms and lockers, the
tag stock, outlets with their price lists and POS keys, the key-tag rules."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import AppError, Conflict, Invalid
from app.web.forms import attempt, field_errors
from app.web.input import read_int
from modules.keytags import permissions, service
from modules.keytags.domain import (
    LockerStatus,
    OutletKind,
    PriceUnit,
    SectionKind,
    TagKind,
    TagStatus,
)
from modules.keytags.schemas.setup import (
    ItemForm,
    LockerRangeForm,
    OutletForm,
    OutletView,
    SectionForm,
    SettingsForm,
    StatusFilter,
    TagsForm,
    Toggle,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "keytags-setup"
BASE = "/console/keytags/setup"
SECTION = {"section_id": "spa_locker_sections"}
LOCKER = {"locker_id": "spa_lockers"}
TAG = {"tag_id": "key_tags"}
OUTLET = {"outlet_id": "spa_outlets"}
ITEM = {"outlet_id": "spa_outlets", "item_id": "spa_outlet_items"}
NOTICES = {
    "section": "The changing room is added.",
    "locker": "The locker's status is changed.",
    "tag": "The tag's status is changed.",
    "outlet": "The outlet is saved.",
    "item": "The price list is saved.",
    "settings": "The rules are saved.",
}

Page = dict[str, Any]


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


def _refused(exc: AppError) -> dict[str, str]:
    return field_errors(exc)


class SetupConsole(Controller):
    path = BASE
    opt = {"guard": permissions.MANAGERS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    # Changing rooms and lockers ---------------------------------------------------------
    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _sections_page(request, ctx, notice=NOTICES.get(done))

    @post("/sections")
    async def create_section(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[SectionForm]
    ) -> Template | Redirect:
        try:
            code, name, kind, order = data.parse()
            await attempt(
                ctx.db,
                service.create_section(
                    ctx.db, ctx.tenant_id, code=code, name=name, kind=kind, sort_order=order
                ),
            )
        except Invalid as exc:
            return await _sections_page(
                request, ctx, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}?done=section", status_code=303)

    @get("/sections/{section_id:uuid}", opt={"owns": SECTION})
    async def section(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        section_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await _lockers_page(request, ctx, section_id, notice=NOTICES.get(done))

    @post("/sections/{section_id:uuid}/lockers", opt={"owns": SECTION})
    async def add_lockers(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        section_id: FromPath[uuid.UUID],
        data: URLEncodedBody[LockerRangeForm],
    ) -> Template:
        try:
            numbers = data.parse()
            added, already = await service.add_lockers(ctx.db, ctx.tenant_id, section_id, numbers)
        except Invalid as exc:
            return await _lockers_page(
                request, ctx, section_id, form=data, errors=field_errors(exc), status_code=422
            )
        return await _lockers_page(request, ctx, section_id, added=added, already=already)

    @post("/lockers/{locker_id:uuid}/status", opt={"owns": LOCKER})
    async def locker_status(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        locker_id: FromPath[uuid.UUID],
        data: URLEncodedBody[Toggle],
    ) -> Template | Redirect:
        try:
            locker = await service.set_locker_out_of_order(
                ctx.db, ctx.tenant_id, locker_id, data.on
            )
        except Conflict as exc:
            return await _sections_page(request, ctx, errors=_refused(exc), status_code=409)
        return Redirect(f"{BASE}/sections/{locker.section_id}?done=locker", status_code=303)

    # Tag stock --------------------------------------------------------------------------
    @get("/tags")
    async def tag_stock(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        status: FromQuery[str] = "",
        q: FromQuery[str] = "",
        page: FromQuery[str] = "1",
        done: FromQuery[str] = "",
    ) -> Template:
        wanted = StatusFilter(status=status, q=q)
        number = read_int(page, minimum=1, maximum=10000) or 1
        return await _tags_page(request, ctx, wanted, number, notice=NOTICES.get(done))

    @post("/tags")
    async def register_tags(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[TagsForm]
    ) -> Template:
        try:
            kind, tags = data.parse()
            added, known = await service.register_tags(ctx.db, ctx.tenant_id, kind, tags)
        except Invalid as exc:
            return await _tags_page(
                request,
                ctx,
                StatusFilter(),
                1,
                form=data,
                errors=field_errors(exc),
                status_code=422,
            )
        return await _tags_page(
            request, ctx, StatusFilter(), 1, form=TagsForm(kind=kind), added=added, known=known
        )

    @post("/tags/{tag_id:uuid}/retire", opt={"owns": TAG})
    async def retire_tag(
        self, request: Request[Any, Any, Any], ctx: Ctx, tag_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        return await _move_tag(request, ctx, service.retire_tag(ctx.db, ctx.tenant_id, tag_id))

    @post("/tags/{tag_id:uuid}/return", opt={"owns": TAG})
    async def return_tag(
        self, request: Request[Any, Any, Any], ctx: Ctx, tag_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        call = service.return_tag_to_stock(ctx.db, ctx.tenant_id, tag_id)
        return await _move_tag(request, ctx, call)

    # Outlets and price lists ------------------------------------------------------------
    @get("/outlets")
    async def outlets(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _outlets_page(request, ctx, notice=NOTICES.get(done))

    @post("/outlets")
    async def create_outlet(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[OutletForm]
    ) -> Template | Redirect:
        try:
            made = await attempt(ctx.db, service.create_outlet(ctx.db, ctx.tenant_id, data.parse()))
        except Invalid as exc:
            return await _outlets_page(
                request, ctx, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/outlets/{made.id}?done=outlet", status_code=303)

    @get("/outlets/{outlet_id:uuid}", opt={"owns": OUTLET})
    async def outlet(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        outlet_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await _outlet_page(request, ctx, outlet_id, notice=NOTICES.get(done))

    @post("/outlets/{outlet_id:uuid}", opt={"owns": OUTLET})
    async def update_outlet(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        outlet_id: FromPath[uuid.UUID],
        data: URLEncodedBody[OutletForm],
    ) -> Template | Redirect:
        try:
            values = data.parse_edit()
            await service.update_outlet(ctx.db, ctx.tenant_id, outlet_id, values)
        except Invalid as exc:
            return await _outlet_page(
                request, ctx, outlet_id, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/outlets/{outlet_id}?done=outlet", status_code=303)

    @post("/outlets/{outlet_id:uuid}/active", opt={"owns": OUTLET})
    async def outlet_active(
        self, ctx: Ctx, outlet_id: FromPath[uuid.UUID], data: URLEncodedBody[Toggle]
    ) -> Redirect:
        await service.set_outlet_active(ctx.db, ctx.tenant_id, outlet_id, data.on)
        return Redirect(f"{BASE}/outlets/{outlet_id}?done=outlet", status_code=303)

    @post("/outlets/{outlet_id:uuid}/items", opt={"owns": OUTLET})
    async def add_item(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        outlet_id: FromPath[uuid.UUID],
        data: URLEncodedBody[ItemForm],
    ) -> Template | Redirect:
        try:
            item = data.parse()
            await attempt(ctx.db, service.add_item(ctx.db, ctx.tenant_id, outlet_id, item))
        except Invalid as exc:
            return await _outlet_page(
                request, ctx, outlet_id, item_form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/outlets/{outlet_id}?done=item", status_code=303)

    @post("/outlets/{outlet_id:uuid}/items/{item_id:uuid}/active", opt={"owns": ITEM})
    async def item_active(
        self,
        ctx: Ctx,
        outlet_id: FromPath[uuid.UUID],
        item_id: FromPath[uuid.UUID],
        data: URLEncodedBody[Toggle],
    ) -> Redirect:
        await service.set_item_active(ctx.db, ctx.tenant_id, item_id, data.on, outlet_id=outlet_id)
        return Redirect(f"{BASE}/outlets/{outlet_id}?done=item", status_code=303)

    @post("/outlets/{outlet_id:uuid}/key", opt={"owns": OUTLET})
    async def outlet_key(
        self, request: Request[Any, Any, Any], ctx: Ctx, outlet_id: FromPath[uuid.UUID]
    ) -> Template:
        created = await service.create_outlet_key(
            ctx.db, ctx.tenant_id, outlet_id, actor=ctx.actor, ip=ctx.ip
        )
        page = console_page(
            request,
            ctx,
            "keytags/setup/key.html",
            active=ACTIVE,
            status_code=201,
            key=created,
            outlet=await service.outlet(ctx.db, ctx.tenant_id, outlet_id),
        )
        # The token is on this page only: never let a browser or proxy keep a copy.
        page.headers["Cache-Control"] = "no-store"
        return page

    # The resort's rules -----------------------------------------------------------------
    @get("/settings")
    async def settings(
        self, request: Request[Any, Any, Any], ctx: Ctx, done: FromQuery[str] = ""
    ) -> Template:
        return await _settings_page(request, ctx, notice=NOTICES.get(done))

    @post("/settings")
    async def save_settings(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[SettingsForm]
    ) -> Template | Redirect:
        try:
            await service.save_rules(ctx.db, ctx.tenant_id, **data.parse())
        except Invalid as exc:
            return await _settings_page(
                request, ctx, form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/settings?done=settings", status_code=303)


def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    template: str,
    tab: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    context.setdefault("errors", {})
    return console_page(
        request,
        ctx,
        f"keytags/setup/{template}",
        active=ACTIVE,
        status_code=status_code,
        tab=tab,
        **context,
    )


async def _sections_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    form: SectionForm | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return _page(
        request,
        ctx,
        "sections.html",
        "lockers",
        status_code,
        sections=await service.locker_occupancy(ctx.db, ctx.tenant_id),
        kinds=list(SectionKind),
        form=form or SectionForm(),
        **context,
    )


async def _lockers_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    section_id: uuid.UUID,
    *,
    form: LockerRangeForm | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return _page(
        request,
        ctx,
        "lockers.html",
        "lockers",
        status_code,
        section=await service.section(ctx.db, ctx.tenant_id, section_id),
        lockers=await service.section_lockers(ctx.db, ctx.tenant_id, section_id),
        statuses={s.value: s.label for s in LockerStatus},
        kinds={k.value: k.label for k in SectionKind},
        form=form or LockerRangeForm(),
        **context,
    )


async def _tags_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    wanted: StatusFilter,
    page: int,
    *,
    form: TagsForm | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    found = await service.list_tags(
        ctx.db, ctx.tenant_id, status=wanted.status, search=wanted.q, page=page
    )
    return _page(
        request,
        ctx,
        "tags.html",
        "tags",
        status_code,
        found=found,
        wanted=wanted,
        statuses=list(TagStatus),
        tag_kinds=list(TagKind),
        form=form or TagsForm(),
        **context,
    )


async def _move_tag(request: Request[Any, Any, Any], ctx: RequestContext, call: Any) -> Any:
    try:
        await call
    except Conflict as exc:
        return await _tags_page(
            request, ctx, StatusFilter(), 1, errors=_refused(exc), status_code=409
        )
    return Redirect(f"{BASE}/tags?done=tag", status_code=303)


async def _outlets_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    form: OutletForm | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return _page(
        request,
        ctx,
        "outlets.html",
        "outlets",
        status_code,
        outlets=await service.list_outlets(ctx.db, ctx.tenant_id),
        outlet_kinds=list(OutletKind),
        form=form or OutletForm(),
        **context,
    )


def _outlet_form(o: OutletView) -> OutletForm:
    return OutletForm(
        code=o.code,
        name=o.name,
        kind=o.kind,
        concession="on" if o.concession else "",
        concessionaire=o.concessionaire,
        commission_percent=o.commission_percent if o.concession else "",
    )


async def _outlet_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    outlet_id: uuid.UUID,
    *,
    form: OutletForm | None = None,
    item_form: ItemForm | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    outlet = await service.outlet(ctx.db, ctx.tenant_id, outlet_id)
    return _page(
        request,
        ctx,
        "outlet.html",
        "outlets",
        status_code,
        outlet=outlet,
        items=await service.outlet_items(ctx.db, ctx.tenant_id, outlet_id),
        outlet_kinds=list(OutletKind),
        units=list(PriceUnit),
        unit_labels={u.value: u.label for u in PriceUnit},
        form=form or _outlet_form(outlet),
        item_form=item_form or ItemForm(),
        **context,
    )


async def _settings_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    form: SettingsForm | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    if form is None:
        rules = await service.rules(ctx.db, ctx.tenant_id)
        form = SettingsForm(
            lost_tag_fee=_yuan(rules.lost_tag_fee_fen),
            default_deposit=_yuan(rules.default_deposit_fen),
            exit_window_minutes=str(rules.exit_window_minutes),
            outlet_void_minutes=str(rules.outlet_void_minutes),
        )
    return _page(request, ctx, "settings.html", "settings", status_code, form=form, **context)


ROUTES = [SetupConsole]
