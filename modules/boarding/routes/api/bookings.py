"""Cabin bookings through the JSON API, for partners and the line's own systems: a cabin of
a grade on a voyage with every passenger, confirmed at once or held until paid. Writes
take an `Idempotency-Key` header, as the reservations API: the same key replays the first
answer; the same key with a different request answers 409."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody

from app.errors import Conflict
from modules.boarding import permissions, service
from modules.boarding.schemas.booking import CabinBookingIn, CabinBookingOut
from modules.reservations import service as reservations
from tenants.context import Ctx

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        description="Required: the same key replays the first answer.",
    ),
]
VOYAGE = {"voyage_id": "boarding_voyages"}
RESERVATION = {"reservation_id": "reservations"}


class CabinBookingsApi(Controller):
    path = "/api/v1/boarding/voyages/{voyage_id:uuid}/bookings"
    tags = ["boarding"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @post(
        "/",
        opt={"guard": permissions.BOOKING_API, "owns": VOYAGE},
        summary="Book a cabin for its passengers",
    )
    async def book(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        data: JSONBody[CabinBookingIn],
        key: IdempotencyKey,
    ) -> Response[CabinBookingOut]:
        """A cabin of the grade `unit_type_id` (a unit type of this voyage) for these
        passengers, the first the lead (18 or over, with a mobile phone); resident IDs are
        checked by GB 11643 and must agree with the date of birth. 201 with the cabin
        assigned; 422 with `passengers[i].field` errors; 409 `sold_out` when no cabin of
        the grade is left."""

        async def produce() -> CabinBookingOut:
            booking = await service.book_cabin(
                ctx.db,
                ctx.tenant_id,
                voyage_id=voyage_id,
                unit_type_id=data.unit_type_id,
                passengers=[p.to_input() for p in data.passengers],
                source="api",
                hold_minutes=data.hold_minutes if data.hold else None,
                rate_plan_code=data.rate_plan,
                email=data.email,
                notes=data.notes,
                actor=ctx.actor,
            )
            return CabinBookingOut.of(booking)

        status, body = await reservations.run_once(
            ctx.db,
            ctx.tenant_id,
            key=key,
            method=request.method,
            path=request.url.path,
            payload=data,
            status_code=201,
            produce=produce,
        )
        return Response(content=body, status_code=status, media_type=MediaType.JSON)


class NotACabinBooking(Conflict):
    code = "not_a_cabin_booking"
    message = "This reservation is not a cabin on a voyage."


class CabinBookingApi(Controller):
    path = "/api/v1/boarding/bookings/{reservation_id:uuid}"
    tags = ["boarding"]  # noqa: RUF012 - Litestar reads it per class
    security = [{"apiKey": []}]  # noqa: RUF012

    @get(
        "/",
        opt={"guard": permissions.BOOKING_API_READ, "owns": RESERVATION},
        summary="A cabin booking with its passengers",
    )
    async def show(self, ctx: Ctx, reservation_id: FromPath[uuid.UUID]) -> CabinBookingOut:
        """The cabin, the voyage's boarding port and window and every passenger (IDs
        masked); 409 `not_a_cabin_booking` for a reservation of a room or a ticket."""
        booking = await service.cabin_booking(ctx.db, ctx.tenant_id, reservation_id)
        if booking is None:
            raise NotACabinBooking()
        return CabinBookingOut.of(booking)


ROUTES = [CabinBookingsApi, CabinBookingApi]
