"""The guest's side of a terminal: home screen (refreshing itself), hotel information,
scenic guide with photos, videos streamed with range requests, and a cruise's itinerary.

Every page is computed from the device's own room and current stay (see
`service.terminal_stay`) and sent with `Cache-Control: no-store`."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from app import clock
from app.errors import NotFound
from modules.terminals import domain, permissions, service
from modules.terminals.models import SpotPhoto, Video
from modules.terminals.routes.terminal.responses import (
    media_response,
    set_device_cookie,
    video_stream,
)
from tenants.context import DEVICE_COOKIE, Ctx

HOME_REFRESH_SECONDS = 30
VIDEO = {"video_id": Video}


def _device_id(ctx: Ctx) -> uuid.UUID:
    assert ctx.principal.device_id is not None  # the Device guard guarantees it
    return ctx.principal.device_id


class TerminalController(Controller):
    path = "/terminal"
    opt = {"guard": permissions.TERMINAL}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False
    exception_handlers = service.TERMINAL_EXCEPTION_HANDLERS

    @get("/")
    async def home(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        home = await service.home_screen(ctx.db, ctx.tenant_id, _device_id(ctx))
        page = await service.terminal_page(
            request,
            ctx,
            "terminals/home.html",
            active="home",
            home=home,
            refresh=HOME_REFRESH_SECONDS,
        )
        # Renew the device cookie: browsers cap its life, a terminal lives for years.
        token = request.cookies.get(DEVICE_COOKIE, "")
        return set_device_cookie(request, page, token) if token else page

    @get("/live")
    async def live(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """The home screen's changing part, polled by htmx: a check-out clears the
        greeting and the guest's tiles without anyone touching the screen."""
        home = await service.home_screen(ctx.db, ctx.tenant_id, _device_id(ctx))
        return await service.terminal_page(
            request,
            ctx,
            "terminals/_partials/home_live.html",
            home=home,
            refresh=HOME_REFRESH_SECONDS,
        )

    @get("/info")
    async def info(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        pages = await service.list_pages(ctx.db, ctx.tenant_id, published_only=True)
        return await service.terminal_page(
            request,
            ctx,
            "terminals/info.html",
            active="info",
            pages=pages,
            categories=domain.PAGE_CATEGORY_LABELS,
        )

    @get("/spots")
    async def spots(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        spots = await service.list_spots(ctx.db, ctx.tenant_id, published_only=True)
        return await service.terminal_page(
            request, ctx, "terminals/spots.html", active="spots", spots=spots
        )

    @get("/photos/{photo_id:uuid}", opt={"owns": {"photo_id": SpotPhoto}})
    async def spot_photo(self, ctx: Ctx, photo_id: FromPath[uuid.UUID]) -> Response[bytes]:
        content_type, data = await service.photo(
            ctx.db, ctx.tenant_id, photo_id, published_only=True
        )
        return media_response(content_type, data)

    @get("/videos")
    async def videos(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        videos = await service.list_videos(ctx.db, ctx.tenant_id, published_only=True)
        return await service.terminal_page(
            request, ctx, "terminals/videos.html", active="videos", videos=videos
        )

    @get("/videos/{video_id:uuid}", opt={"owns": VIDEO})
    async def video(
        self, request: Request[Any, Any, Any], ctx: Ctx, video_id: FromPath[uuid.UUID]
    ) -> Template:
        videos = await service.list_videos(ctx.db, ctx.tenant_id, published_only=True)
        video = next((v for v in videos if v.id == video_id), None)
        if video is None:
            raise NotFound()
        return await service.terminal_page(
            request, ctx, "terminals/video.html", active="videos", video=video
        )

    @get("/videos/{video_id:uuid}/stream", opt={"owns": VIDEO})
    async def stream(
        self, request: Request[Any, Any, Any], ctx: Ctx, video_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        root = service.media_root(request.app.state.settings)
        video = await service.video_file(ctx.db, ctx.tenant_id, video_id, root=root)
        return video_stream(request, video)

    @get("/videos/{video_id:uuid}/poster", opt={"owns": VIDEO})
    async def poster(self, ctx: Ctx, video_id: FromPath[uuid.UUID]) -> Response[bytes]:
        content_type, data = await service.video_poster(ctx.db, ctx.tenant_id, video_id)
        return media_response(content_type, data)

    @get("/itinerary")
    async def itinerary(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        """The voyage of the cabin the terminal is in (a hotel room has none)."""
        unit = await service.device_unit(ctx.db, ctx.tenant_id, _device_id(ctx))
        if unit is None or unit.voyage_id is None:
            raise NotFound()
        voyage, calls = await service.cabin_itinerary(
            ctx.db, ctx.tenant_id, unit.voyage_id, tz=clock.tz_of(ctx.tenant)
        )
        return await service.terminal_page(
            request,
            ctx,
            "terminals/itinerary.html",
            active="itinerary",
            voyage=voyage,
            calls=calls,
        )


ROUTES = [TerminalController]
