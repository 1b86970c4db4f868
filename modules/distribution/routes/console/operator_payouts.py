"""The platform operator's 分销付款 `/platform/distribution/payouts`: a payout run for every
supplier owed, the bank transfer file of the pending bank payouts (序号, 收款账号, 收款户名,
开户行, 金额(元), 用途/附言; UTF-8 with a BOM), and 标记已付 once the bank transfer left, which
records the clerk and the time."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Conflict, Invalid, NotFound
from app.web.forms import attempt
from app.web.responses import file_response
from modules.distribution import permissions
from modules.distribution.schemas.payouts import MarkPaidForm
from modules.distribution.service import payouts_bank as service
from tenants.context import Ctx, RequestContext

BASE = "/platform/distribution/payouts"
NOTICES = {
    "paid": "The payout is marked paid.",
    "gone": "This payout is no longer waiting to be paid.",
}


async def _page(
    ctx: RequestContext, *, notice: str = "", run: service.RunResult | None = None
) -> Template:
    rows = await service.pending_bank_payouts(ctx.db)
    return Template(
        template_name="distribution/payouts/platform.html",
        context={
            "operator": ctx.principal,
            "rows": rows,
            "total": service.total(rows),
            "notice": NOTICES.get(notice, ""),
            "run": run,
        },
    )


class PlatformPayouts(Controller):
    path = BASE
    opt = {"guard": permissions.PLATFORM_CLERKS}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(self, ctx: Ctx, done: FromQuery[str] = "") -> Template:
        return await _page(ctx, notice=done)

    @post("/run")
    async def run(self, ctx: Ctx) -> Template:
        return await _page(ctx, run=await service.payout_run(ctx.db))

    @get("/bank-file.csv")
    async def bank_file(self, ctx: Ctx) -> Response[bytes]:
        data = await service.operator_bank_file(ctx.db)
        name = f"payouts-{clock.today():%Y%m%d}.csv"
        return file_response(data, "text/csv; charset=utf-8", filename=name)

    @post("/paid")
    async def mark_paid(self, ctx: Ctx, data: URLEncodedBody[MarkPaidForm]) -> Redirect:
        tenant_id, payout_id = data.parse()
        try:
            await attempt(
                ctx.db,
                service.operator_mark_paid(
                    ctx.db, tenant_id, payout_id, clerk=ctx.principal.email or "operator"
                ),
            )
        except (NotFound, Invalid):
            raise NotFound() from None
        except Conflict:
            return Redirect(f"{BASE}?done=gone", status_code=303)
        return Redirect(f"{BASE}?done=paid", status_code=303)


ROUTES: list[Any] = [PlatformPayouts]
NAV: list[Any] = []  # the operator console has no menu of modules
