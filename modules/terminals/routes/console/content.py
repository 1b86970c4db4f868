"""The console's terminal content: information pages, scenic spots with photos,
announcements and (cruise lines) voyage itineraries. Managers (and owners) edit them;
forms refused by the service come back with their fields and a 422."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, ClassVar

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Invalid
from app.web.forms import attempt, field_errors
from modules.terminals import domain, permissions, service
from modules.terminals.models import InfoPage, ScenicSpot, SpotPhoto
from modules.terminals.routes.terminal.responses import media_response
from modules.terminals.schemas import PageForm, SpotForm, SpotView
from tenants.context import Ctx
from tenants.shell import console_page

BASE = "/console/terminals"
PAGE = {"page_id": InfoPage}
SPOT = {"spot_id": ScenicSpot}
PHOTO = {"photo_id": SpotPhoto}


class ContentController(Controller):
    """A tab of the console's terminal content: managers only, and the page is the tab's
    template with its form, its errors and what `_context` puts beside them."""

    opt = {"guard": permissions.CONTENT}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False
    tab: ClassVar[str]

    async def _context(self, ctx: Ctx) -> dict[str, Any]:
        """What the tab lists; a page's own keywords take precedence."""
        return {}

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        *,
        form: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        return console_page(
            request,
            ctx,
            f"terminals/console/{self.tab}.html",
            active="terminals",
            status_code=status_code,
            tab=self.tab,
            form=form or {},
            errors=errors or {},
            **{**await self._context(ctx), **extra},
        )


class EditorController(ContentController):
    """Pages and spots: a list beside a form that adds one or edits the chosen one. A
    refused form comes back with what was typed, over the one being edited, with a 422."""

    async def _load(self, ctx: Ctx, item_id: uuid.UUID) -> Any:
        raise NotImplementedError

    async def _store(self, ctx: Ctx, item_id: uuid.UUID | None, data: Any) -> str:
        """Save the form; the address to go to afterwards."""
        raise NotImplementedError

    async def _save(
        self, request: Request[Any, Any, Any], ctx: Ctx, item_id: uuid.UUID | None, data: Any
    ) -> Response[Any]:
        try:
            target = await attempt(ctx.db, self._store(ctx, item_id, data))
        except Invalid as exc:
            editing = await self._load(ctx, item_id) if item_id else None
            return await self._page(
                request,
                ctx,
                editing=editing,
                form=asdict(data),
                errors=field_errors(exc),
                status_code=422,
            )
        return Redirect(target, status_code=303)


class PagesController(EditorController):
    path = f"{BASE}/pages"
    tab = "pages"

    async def _context(self, ctx: Ctx) -> dict[str, Any]:
        return {
            "pages": await service.list_pages(ctx.db, ctx.tenant_id),
            "editing": None,
            "categories": domain.PAGE_CATEGORY_LABELS,
        }

    async def _load(self, ctx: Ctx, item_id: uuid.UUID) -> Any:
        return await service.get_page(ctx.db, ctx.tenant_id, item_id)

    async def _store(self, ctx: Ctx, item_id: uuid.UUID | None, data: PageForm) -> str:
        await service.save_page(ctx.db, ctx.tenant_id, item_id, data)
        return f"{BASE}/pages"

    @get("/")
    async def pages(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._page(request, ctx, form={"published": "on", "category": "facilities"})

    @get("/{page_id:uuid}", opt={"owns": PAGE})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, page_id: FromPath[uuid.UUID]
    ) -> Template:
        page = await service.get_page(ctx.db, ctx.tenant_id, page_id)
        form = {
            **asdict(
                PageForm(
                    title=page.title,
                    body=page.body,
                    category=page.category,
                    sort_order=str(page.sort_order),
                )
            ),
            "published": "on" if page.published else "",
        }
        return await self._page(request, ctx, editing=page, form=form)

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[PageForm]
    ) -> Response[Any]:
        return await self._save(request, ctx, None, data)

    @post("/{page_id:uuid}", opt={"owns": PAGE})
    async def update(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        page_id: FromPath[uuid.UUID],
        data: URLEncodedBody[PageForm],
    ) -> Response[Any]:
        return await self._save(request, ctx, page_id, data)

    @post("/{page_id:uuid}/delete", opt={"owns": PAGE})
    async def delete(self, ctx: Ctx, page_id: FromPath[uuid.UUID]) -> Redirect:
        await service.delete_page(ctx.db, ctx.tenant_id, page_id)
        return Redirect(f"{BASE}/pages", status_code=303)


def _spot_form(spot: SpotView) -> dict[str, str]:
    return {
        "name": spot.name,
        "description": spot.description,
        "opening_hours": spot.opening_hours,
        "ticket": "" if spot.ticket_fen is None else f"{spot.ticket_fen / 100:.2f}",
        "distance_km": spot.distance_km,
        "sort_order": str(spot.sort_order),
        "published": "on" if spot.published else "",
    }


class SpotsController(EditorController):
    path = f"{BASE}/spots"
    tab = "spots"

    async def _context(self, ctx: Ctx) -> dict[str, Any]:
        return {"spots": await service.list_spots(ctx.db, ctx.tenant_id), "editing": None}

    async def _load(self, ctx: Ctx, item_id: uuid.UUID) -> Any:
        return await service.get_spot(ctx.db, ctx.tenant_id, item_id)

    async def _store(self, ctx: Ctx, item_id: uuid.UUID | None, data: SpotForm) -> str:
        spot = await service.save_spot(ctx.db, ctx.tenant_id, item_id, data)
        return f"{BASE}/spots/{spot.id}"

    @get("/")
    async def spots(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._page(request, ctx, form={"published": "on"})

    @get("/{spot_id:uuid}", opt={"owns": SPOT})
    async def edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, spot_id: FromPath[uuid.UUID]
    ) -> Template:
        spot = await service.get_spot(ctx.db, ctx.tenant_id, spot_id)
        form = _spot_form(spot)
        return await self._page(request, ctx, editing=spot, form=form)

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: URLEncodedBody[SpotForm]
    ) -> Response[Any]:
        return await self._save(request, ctx, None, data)

    @post("/{spot_id:uuid}", opt={"owns": SPOT})
    async def update(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        spot_id: FromPath[uuid.UUID],
        data: URLEncodedBody[SpotForm],
    ) -> Response[Any]:
        return await self._save(request, ctx, spot_id, data)

    @post("/{spot_id:uuid}/delete", opt={"owns": SPOT})
    async def delete(self, ctx: Ctx, spot_id: FromPath[uuid.UUID]) -> Redirect:
        await service.delete_spot(ctx.db, ctx.tenant_id, spot_id)
        return Redirect(f"{BASE}/spots", status_code=303)

    @post("/{spot_id:uuid}/photos", opt={"owns": SPOT}, request_max_body_size=6 * 1024 * 1024)
    async def add_photo(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        spot_id: FromPath[uuid.UUID],
        data: MultipartBody[dict[str, Any]],
    ) -> Response[Any]:
        upload = data.get("photo")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            await attempt(ctx.db, service.add_photo(ctx.db, ctx.tenant_id, spot_id, content))
        except Invalid as exc:
            spot = await service.get_spot(ctx.db, ctx.tenant_id, spot_id)
            return await self._page(
                request,
                ctx,
                editing=spot,
                errors=field_errors(exc),
                form=_spot_form(spot),
                status_code=422,
            )
        return Redirect(f"{BASE}/spots/{spot_id}", status_code=303)

    @get("/photos/{photo_id:uuid}", opt={"owns": PHOTO})
    async def photo(self, ctx: Ctx, photo_id: FromPath[uuid.UUID]) -> Response[bytes]:
        content_type, data = await service.photo(ctx.db, ctx.tenant_id, photo_id)
        return media_response(content_type, data)

    @post("/photos/{photo_id:uuid}/delete", opt={"owns": PHOTO})
    async def delete_photo(self, ctx: Ctx, photo_id: FromPath[uuid.UUID]) -> Redirect:
        spot_id = await service.delete_photo(ctx.db, ctx.tenant_id, photo_id)
        return Redirect(f"{BASE}/spots/{spot_id}", status_code=303)


ROUTES = [PagesController, SpotsController]
