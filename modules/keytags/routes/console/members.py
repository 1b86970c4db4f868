"""Member cards (储值卡) `/console/keytags/members/…`: the desk opens a card, finds it by
card number or phone, tops it up and reads its history; a manager reports a card lost and
moves its balance to a new card."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid
from app.web.forms import attempt, field_errors
from modules.keytags import permissions, service
from modules.keytags.domain import DESK_METHODS
from modules.keytags.schemas.members import (
    LostCardForm,
    MemberEntryKind,
    MemberForm,
    MemberSearch,
    MemberStatus,
    TopUpForm,
)
from tenants.context import Ctx, RequestContext
from tenants.shell import console_page

ACTIVE = "keytags-members"
BASE = "/console/keytags/members"
MEMBER = {"member_id": "spa_members"}
NOTICES = {
    "created": "The member card is opened. Top it up to put money on it.",
    "topup": "The top-up is on the card.",
    "moved": "The lost card is stopped; its balance is on this new card.",
}


class MembersConsole(Controller):
    path = BASE
    opt = {"guard": permissions.DESK}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, q: FromQuery[str] = ""
    ) -> Template:
        return await _list_page(request, ctx, MemberSearch(q=q))

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[MemberForm]
    ) -> Template | Redirect:
        try:
            card, name, phone, level = data.parse()
            made = await attempt(
                ctx.db,
                service.create_member(
                    ctx.db, ctx.tenant_id, card_no=card, name=name, phone=phone, level=level
                ),
            )
        except Invalid as exc:
            return await _list_page(
                request, ctx, MemberSearch(), form=data, errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/{made.id}?done=created", status_code=303)

    @get("/{member_id:uuid}", opt={"owns": MEMBER})
    async def card(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        member_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        return await _card_page(request, ctx, member_id, notice=NOTICES.get(done))

    @post("/{member_id:uuid}/topup", opt={"owns": MEMBER})
    async def top_up(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        member_id: FromPath[uuid.UUID],
        data: URLEncodedBody[TopUpForm],
    ) -> Template | Redirect:
        try:
            amount, method, reference = data.parse()
            await service.top_up(
                ctx.db,
                ctx.tenant_id,
                member_id,
                amount,
                method=method,
                actor=ctx.actor,
                reference=reference,
            )
        except Invalid as exc:
            return await _card_page(
                request, ctx, member_id, form=data, errors=field_errors(exc), status_code=422
            )
        except Conflict as exc:
            return await _card_page(
                request, ctx, member_id, errors=field_errors(exc), status_code=409
            )
        return Redirect(f"{BASE}/{member_id}?done=topup", status_code=303)

    @post("/{member_id:uuid}/lost", opt={"owns": MEMBER, "guard": permissions.MANAGERS})
    async def report_lost(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        member_id: FromPath[uuid.UUID],
        data: URLEncodedBody[LostCardForm],
    ) -> Template | Redirect:
        try:
            card, note = data.parse()
            new = await attempt(
                ctx.db,
                service.report_lost_card(
                    ctx.db, ctx.tenant_id, member_id, card, actor=ctx.actor, note=note
                ),
            )
        except Invalid as exc:
            return await _card_page(
                request, ctx, member_id, lost_form=data, errors=field_errors(exc), status_code=422
            )
        except Conflict as exc:
            return await _card_page(
                request, ctx, member_id, errors=field_errors(exc), status_code=409
            )
        return Redirect(f"{BASE}/{new.id}?done=moved", status_code=303)


async def _list_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    search: MemberSearch,
    *,
    form: MemberForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "keytags/members/index.html",
        active=ACTIVE,
        status_code=status_code,
        members=await service.find_members(ctx.db, ctx.tenant_id, search.q),
        search=search,
        statuses={s.value: s.label for s in MemberStatus},
        form=form or MemberForm(),
        errors=errors or {},
    )


async def _card_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    member_id: uuid.UUID,
    *,
    form: TopUpForm | None = None,
    lost_form: LostCardForm | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        "keytags/members/card.html",
        active=ACTIVE,
        status_code=status_code,
        member=await service.member(ctx.db, ctx.tenant_id, member_id),
        entries=await service.member_history(ctx.db, ctx.tenant_id, member_id),
        statuses={s.value: s.label for s in MemberStatus},
        entry_kinds={k.value: k.label for k in MemberEntryKind},
        methods=list(DESK_METHODS),
        method_labels={m.value: m.label for m in DESK_METHODS},
        form=form or TopUpForm(),
        lost_form=lost_form or LostCardForm(),
        errors=errors or {},
        notice=notice,
        manager=permissions.MANAGERS.admits(ctx.principal.role),
        tz=clock.tz_of(ctx.tenant),
    )


ROUTES = [MembersConsole]
