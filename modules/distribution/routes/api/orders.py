"""The distributor API `/api/v1/distribution/...` for external partners (OTAs, wholesalers),
called with an API key the supplier issued them (`distribution:read` to look,
`distribution:book` to book, change and cancel). Pre-check → order → change/cancel → status,
with signed callbacks for what happens later (docs/distribution.md, "API")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody

from modules.distribution import permissions
from modules.distribution.schemas.api import (
    CancelIn,
    ChangeIn,
    ErrorOut,
    OrderIn,
    OrderOut,
    PrecheckIn,
    PrecheckOut,
    ProductOut,
)
from modules.distribution.service import api
from tenants.context import Ctx

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=True,
        description="Your unique key for this order (at most 100 printable ASCII characters): "
        "sending it again with the same body answers the first order.",
    ),
]


def _errors(*statuses: int) -> dict[int, ResponseSpec]:
    described = {
        403: "`no_agreement`: the key's distributor has no agreement in force; or a scope "
        "is missing",
        404: "`not_found`: no such product or order under your agreement",
        409: "`sold_out`, `insufficient_balance`, `idempotency_key_reused`, `order_not_open`, "
        "`not_changeable`",
        422: "`invalid`: `errors` names each field",
    }
    return {
        s: ResponseSpec(data_container=ErrorOut, description=described[s], generate_examples=False)
        for s in statuses
    }


class DistributionApi(Controller):
    path = "/api/v1/distribution"
    tags = ["distribution"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @get(
        "/products",
        opt={"guard": permissions.API_READ},
        summary="Authorised products with prices and availability",
        responses=_errors(403, 422),
    )
    async def products(
        self,
        ctx: Ctx,
        arrival: FromQuery[date],
        departure: FromQuery[date | None] = None,
        quantity: FromQuery[int] = 1,
    ) -> list[ProductOut]:
        """Every product your agreement authorises, for the nights [arrival, departure)
        (cabins: their voyage's dates; day tickets: the arrival date), with what is left,
        the tourist's sale price and your settlement price for `quantity`."""
        found = await api.products(
            ctx.db,
            ctx.tenant_id,
            ctx.actor,
            arrival=arrival,
            departure=departure,
            quantity=quantity,
        )
        return [ProductOut.of(item) for item in found]

    @post(
        "/precheck",
        opt={"guard": permissions.API_READ},
        status_code=200,
        summary="Pre-check: availability, price and balance",
        responses=_errors(403, 404, 422),
    )
    async def precheck(self, ctx: Ctx, data: JSONBody[PrecheckIn]) -> PrecheckOut:
        """Whether the product can be booked for the dates now, at what sale and settlement
        price, and what your prepaid balance or credit line allows before and after. Holds
        nothing: the order itself may still find it sold out."""
        quote = await api.precheck(
            ctx.db,
            ctx.tenant_id,
            ctx.actor,
            product_id=data.product_id,
            arrival=data.arrival,
            departure=data.departure,
            quantity=data.quantity,
        )
        return PrecheckOut.of(quote)

    @post(
        "/orders",
        opt={"guard": permissions.API_BOOK},
        status_code=201,
        summary="Place an order (idempotent)",
        responses=_errors(403, 404, 409, 422),
    )
    async def place(self, ctx: Ctx, data: JSONBody[OrderIn], key: IdempotencyKey) -> OrderOut:
        """Books and charges your balance the settlement price, in one step: confirmed, or
        refused with nothing written. Cabins need every passenger real-name. An
        `order.confirmed` callback follows."""
        return OrderOut.of(await api.place(ctx.db, ctx.tenant_id, ctx.actor, data, key))

    @get(
        "/orders/{number:str}",
        opt={"guard": permissions.API_READ},
        summary="An order's status",
        responses=_errors(403, 404),
    )
    async def show(self, ctx: Ctx, number: FromPath[str]) -> OrderOut:
        return OrderOut.of(await api.status(ctx.db, ctx.tenant_id, ctx.actor, number))

    @post(
        "/orders/{number:str}/change",
        opt={"guard": permissions.API_BOOK},
        status_code=200,
        summary="Change an order's dates",
        responses=_errors(403, 404, 409, 422),
    )
    async def change(self, ctx: Ctx, number: FromPath[str], data: JSONBody[ChangeIn]) -> OrderOut:
        """New dates for a room or day-ticket order, re-priced; your balance moves by the
        difference of the settlement price. An `order.changed` callback follows."""
        view = await api.change(ctx.db, ctx.tenant_id, ctx.actor, number, data.change())
        return OrderOut.of(view)

    @post(
        "/orders/{number:str}/cancel",
        opt={"guard": permissions.API_BOOK},
        status_code=200,
        summary="Cancel an order under its policy",
        responses=_errors(403, 404, 409, 422),
    )
    async def cancel(self, ctx: Ctx, number: FromPath[str], data: JSONBody[CancelIn]) -> OrderOut:
        """Cancels under the booking's cancellation policy: your balance gets the
        settlement price back less your share of the fee (`cancellation_fee_fen`).
        Cancelling again answers the same. An `order.cancelled` callback follows."""
        view = await api.cancel(ctx.db, ctx.tenant_id, ctx.actor, number, reason=data.reason)
        return OrderOut.of(view)


ROUTES: list[Any] = [DistributionApi]
