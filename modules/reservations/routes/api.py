"""JSON API for partners and devices: availability, holds, bookings, changes and
cancellations. Every write takes an `Idempotency-Key` header: the same key replays the
first answer (status and body); the same key with a different request answers 409."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody

from modules.reservations import permissions, service
from modules.reservations.models import Reservation
from modules.reservations.schemas import (
    BookingIn,
    CancelIn,
    Cancellation,
    ChangeIn,
    HoldIn,
    Offer,
    ReservationView,
)
from tenants.context import Ctx

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        description="Required on writes: the same key replays the first answer.",
    ),
]


def _answer(result: tuple[int, Any]) -> Response[Any]:
    """The answer as the service gave it: JSON already encoded, or the stored one."""
    status, body = result
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


class ReservationsApi(Controller):
    path = "/api/v1"
    tags = ["reservations"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @get(
        "/availability",
        opt={"guard": permissions.API_READ},
        summary="Available unit types with prices",
    )
    async def availability(
        self,
        ctx: Ctx,
        arrival: FromQuery[date],
        departure: FromQuery[date],
        adults: FromQuery[int] = 2,
        children: FromQuery[int] = 0,
        quantity: FromQuery[int] = 1,
        kind: FromQuery[str | None] = None,
        voyage_id: FromQuery[uuid.UUID | None] = None,
        rate_plan: FromQuery[str] = "rack",
    ) -> list[Offer]:
        """Unit types sellable for the nights [arrival, departure) and the party, priced
        night by night under the rate plan (by code), with the deposit and the
        cancellation policy."""
        return await service.search_availability(
            ctx.db,
            ctx.tenant_id,
            arrival=arrival,
            departure=departure,
            adults=adults,
            children=children,
            quantity=quantity,
            kind=kind,
            voyage_id=voyage_id,
            rate_plan_code=rate_plan,
        )

    @post("/holds", opt={"guard": permissions.API_WRITE}, summary="Hold units while the guest pays")
    async def hold(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        data: JSONBody[HoldIn],
        key: IdempotencyKey,
    ) -> Response[ReservationView]:
        """Units held for `hold_minutes` (20 by default); confirm the hold once paid, or
        it expires and the units go back on sale."""
        stay = _stay(data, hold_minutes=data.hold_minutes)
        return _answer(await _sell(request, ctx, key, data, stay))

    @post("/reservations", opt={"guard": permissions.API_WRITE}, summary="Book (confirmed at once)")
    async def book(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        data: JSONBody[BookingIn],
        key: IdempotencyKey,
    ) -> Response[ReservationView]:
        """A confirmed booking, or 409 `sold_out` when any night lacks the units."""
        return _answer(await _sell(request, ctx, key, data, _stay(data)))

    @get(
        "/reservations/{reservation_id:uuid}",
        opt={"guard": permissions.API_READ, "owns": {"reservation_id": Reservation}},
        summary="A reservation",
    )
    async def show(self, ctx: Ctx, reservation_id: FromPath[uuid.UUID]) -> ReservationView:
        return await service.get_reservation(ctx.db, ctx.tenant_id, reservation_id)

    @patch(
        "/reservations/{reservation_id:uuid}",
        opt={"guard": permissions.API_WRITE, "owns": {"reservation_id": Reservation}},
        summary="Change dates, unit type or party",
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        data: JSONBody[ChangeIn],
        key: IdempotencyKey,
    ) -> Response[ReservationView]:
        async def produce() -> ReservationView:
            return await service.modify(
                ctx.db,
                ctx.tenant_id,
                reservation_id,
                arrival=data.arrival,
                departure=data.departure,
                unit_type_id=data.unit_type_id,
                adults=data.adults,
                children=data.children,
            )

        return _answer(await _once(request, ctx, key, data, 200, produce))

    @post(
        "/reservations/{reservation_id:uuid}/confirm",
        opt={"guard": permissions.API_WRITE, "owns": {"reservation_id": Reservation}},
        summary="Confirm a hold",
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        key: IdempotencyKey,
    ) -> Response[ReservationView]:
        async def produce() -> ReservationView:
            return await service.confirm(ctx.db, ctx.tenant_id, reservation_id)

        return _answer(await _once(request, ctx, key, {}, 200, produce))

    @post(
        "/reservations/{reservation_id:uuid}/cancel",
        opt={"guard": permissions.API_WRITE, "owns": {"reservation_id": Reservation}},
        summary="Cancel under the rate plan's policy",
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        reservation_id: FromPath[uuid.UUID],
        data: JSONBody[CancelIn],
        key: IdempotencyKey,
    ) -> Response[Cancellation]:
        """The fee kept under the policy and what is refundable of what was paid."""

        async def produce() -> Cancellation:
            cancellation, _refunded = await service.cancel_and_refund(
                ctx.db, ctx.tenant_id, reservation_id, reason=data.reason, actor=ctx.actor
            )
            return cancellation

        return _answer(await _once(request, ctx, key, data, 200, produce))


def _stay(data: BookingIn, hold_minutes: int | None = None) -> service.Stay:
    return service.Stay(
        unit_type_id=data.unit_type_id,
        rate_plan_id=data.rate_plan_id,
        arrival=data.arrival,
        departure=data.departure,
        adults=data.adults,
        children=data.children,
        guest=data.guest.details(),
        source=service.Source.API,
        quantity=data.quantity,
        hold_minutes=None if hold_minutes is None else max(1, min(hold_minutes, 24 * 60)),
    )


async def _sell(
    request: Request[Any, Any, Any], ctx: Any, key: str | None, data: Any, stay: service.Stay
) -> tuple[int, Any]:
    return await service.sell_once(
        ctx.db,
        ctx.tenant_id,
        stay,
        key=key,
        method=request.method,
        path=request.url.path,
        payload=data,
    )


async def _once(
    request: Request[Any, Any, Any], ctx: Any, key: str | None, data: Any, status: int, produce: Any
) -> tuple[int, Any]:
    return await service.run_once(
        ctx.db,
        ctx.tenant_id,
        key=key,
        method=request.method,
        path=request.url.path,
        payload=data,
        status_code=status,
        produce=produce,
    )


ROUTES = [ReservationsApi]
