"""The console's videos (uploaded to the media directory, previewed with the same range
streaming the terminals use), announcements and voyage itineraries."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import Invalid
from app.web.forms import field_errors
from modules.reservations import service as reservations
from modules.terminals import service
from modules.terminals.models import Announcement, PortCall, Video
from modules.terminals.routes.console.content import BASE, ContentController
from modules.terminals.routes.terminal.responses import media_response, video_stream
from modules.terminals.schemas import AnnouncementForm, PortCallForm
from tenants.context import Ctx

VIDEO = {"video_id": Video}
MAX_UPLOAD = service.MAX_VIDEO_BYTES + 6 * 1024 * 1024  # the film, a poster, the fields


def _tz(ctx: Ctx) -> str:
    return clock.tz_of(ctx.tenant)


class VideosController(ContentController):
    path = f"{BASE}/videos"
    tab = "videos"

    async def _context(self, ctx: Ctx) -> dict[str, Any]:
        return {"videos": await service.list_videos(ctx.db, ctx.tenant_id)}

    @get("/")
    async def videos(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._page(request, ctx)

    @post("/", request_max_body_size=MAX_UPLOAD)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        data: MultipartBody[dict[str, Any]],
    ) -> Response[Any]:
        """No savepoint needed: the service writes the row last, after the file."""
        film, poster = data.get("file"), data.get("poster")
        title, description = str(data.get("title") or ""), str(data.get("description") or "")
        poster_bytes = await poster.read() if isinstance(poster, UploadFile) else None
        try:
            if not isinstance(film, UploadFile):
                raise Invalid.field("file", "Choose a video file to upload.", "required")
            await service.add_video(
                ctx.db,
                ctx.tenant_id,
                title=title,
                description=description,
                upload=film,
                poster=poster_bytes,
                root=service.media_root(request.app.state.settings),
            )
        except Invalid as exc:
            return await self._page(
                request,
                ctx,
                errors=field_errors(exc),
                status_code=422,
                form={"title": title, "description": description},
            )
        return Redirect(f"{BASE}/videos", status_code=303)

    @get("/{video_id:uuid}/stream", opt={"owns": VIDEO})
    async def stream(
        self, request: Request[Any, Any, Any], ctx: Ctx, video_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        root = service.media_root(request.app.state.settings)
        video = await service.video_file(
            ctx.db, ctx.tenant_id, video_id, root=root, published_only=False
        )
        return video_stream(request, video)

    @get("/{video_id:uuid}/poster", opt={"owns": VIDEO})
    async def poster(self, ctx: Ctx, video_id: FromPath[uuid.UUID]) -> Response[bytes]:
        content_type, data = await service.video_poster(
            ctx.db, ctx.tenant_id, video_id, published_only=False
        )
        return media_response(content_type, data)

    @post("/{video_id:uuid}/delete", opt={"owns": VIDEO})
    async def delete(
        self, request: Request[Any, Any, Any], ctx: Ctx, video_id: FromPath[uuid.UUID]
    ) -> Redirect:
        root = service.media_root(request.app.state.settings)
        await service.delete_video(ctx.db, ctx.tenant_id, video_id, root=root)
        return Redirect(f"{BASE}/videos", status_code=303)


class AnnouncementsController(ContentController):
    path = f"{BASE}/announcements"
    tab = "announcements"

    async def _context(self, ctx: Ctx) -> dict[str, Any]:
        return {
            "tz": _tz(ctx),
            "announcements": await service.list_announcements(ctx.db, ctx.tenant_id),
            "voyages": await reservations.list_voyages(ctx.db, ctx.tenant_id),
        }

    @get("/")
    async def announcements(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._page(request, ctx)

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[AnnouncementForm]
    ) -> Response[Any]:
        try:
            await service.create_announcement(ctx.db, ctx.tenant_id, data, tz=_tz(ctx))
        except Invalid as exc:
            return await self._page(
                request, ctx, form=asdict(data), errors=field_errors(exc), status_code=422
            )
        return Redirect(f"{BASE}/announcements", status_code=303)

    @post("/{announcement_id:uuid}/delete", opt={"owns": {"announcement_id": Announcement}})
    async def delete(self, ctx: Ctx, announcement_id: FromPath[uuid.UUID]) -> Redirect:
        await service.delete_announcement(ctx.db, ctx.tenant_id, announcement_id)
        return Redirect(f"{BASE}/announcements", status_code=303)


class ItineraryController(ContentController):
    path = f"{BASE}/itinerary"
    tab = "itinerary"

    async def _voyage_page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: uuid.UUID | None,
        **kw: Any,
    ) -> Template:
        """The chosen voyage's port calls (the first voyage's when none is chosen)."""
        voyages = await reservations.list_voyages(ctx.db, ctx.tenant_id)
        chosen = voyage_id or (voyages[0].id if voyages else None)
        voyage, calls = (
            await service.itinerary(ctx.db, ctx.tenant_id, chosen) if chosen else (None, [])
        )
        return await self._page(request, ctx, voyages=voyages, voyage=voyage, calls=calls, **kw)

    @get("/")
    async def first(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._voyage_page(request, ctx, None)

    @get("/{voyage_id:uuid}", opt={"owns": {"voyage_id": "voyages"}})
    async def voyage(
        self, request: Request[Any, Any, Any], ctx: Ctx, voyage_id: FromPath[uuid.UUID]
    ) -> Template:
        return await self._voyage_page(request, ctx, voyage_id)

    @post("/{voyage_id:uuid}", opt={"owns": {"voyage_id": "voyages"}})
    async def add(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        voyage_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PortCallForm],
    ) -> Response[Any]:
        try:
            await service.add_port_call(ctx.db, ctx.tenant_id, voyage_id, data)
        except Invalid as exc:
            return await self._voyage_page(
                request,
                ctx,
                voyage_id,
                form=asdict(data),
                errors=field_errors(exc),
                status_code=422,
            )
        return Redirect(f"{BASE}/itinerary/{voyage_id}", status_code=303)

    @post("/calls/{call_id:uuid}/delete", opt={"owns": {"call_id": PortCall}})
    async def delete(self, ctx: Ctx, call_id: FromPath[uuid.UUID]) -> Redirect:
        voyage_id = await service.delete_port_call(ctx.db, ctx.tenant_id, call_id)
        return Redirect(f"{BASE}/itinerary/{voyage_id}", status_code=303)


ROUTES = [VideosController, AnnouncementsController, ItineraryController]
