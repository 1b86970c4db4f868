"""Information pages and scenic spots (with photos) that the tenant's staff manage and
the terminals show."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.web.input import read_int
from modules.terminals import domain
from modules.terminals.models import (
    PAGE_CATEGORIES,
    InfoPage,
    ScenicSpot,
    SpotPhoto,
)
from modules.terminals.repository import ContentRepository
from modules.terminals.schemas import (
    PageForm,
    PageView,
    SpotForm,
    SpotView,
)

__all__ = [
    "add_photo",
    "delete_page",
    "delete_photo",
    "delete_spot",
    "get_page",
    "get_spot",
    "list_pages",
    "list_spots",
    "photo",
    "save_page",
    "save_spot",
]

Errors = list[dict[str, str]]


def add_error(errors: Errors, field: str, message: str, code: str = "invalid") -> None:
    errors.append({"field": field, "code": code, "message": message})


def clean_text(errors: Errors, field: str, value: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        add_error(errors, field, "This field is required.", "required")
    elif len(value) > limit:
        add_error(errors, field, "This text is too long.", "too_long")
    return value


def _sort_order(errors: Errors, value: str) -> int:
    number = read_int(value.strip() or "0", minimum=0, maximum=9999)
    if number is None:
        add_error(errors, "sort_order", "Enter a whole number from 0 to 9999.")
        return 0
    return number


def _checked(value: str) -> bool:
    return value.strip().lower() in ("on", "1", "true", "yes")


# Pages ---------------------------------------------------------------------------------


def _page_view(p: InfoPage) -> PageView:
    return PageView(p.id, p.title, p.body, p.category, p.sort_order, p.published)


async def list_pages(
    db: AsyncSession, tenant_id: TenantId, *, published_only: bool = False
) -> list[PageView]:
    rows = await ContentRepository(db, tenant_id).pages(published_only=published_only)
    return [_page_view(p) for p in rows]


async def one_or_404(repo: ContentRepository, model: type[Any], id_: uuid.UUID | None) -> Any:
    found = await repo.one(model, id_) if id_ else None
    if found is None:
        raise NotFound()
    return found


async def get_page(db: AsyncSession, tenant_id: TenantId, page_id: uuid.UUID) -> PageView:
    page = await one_or_404(ContentRepository(db, tenant_id), InfoPage, page_id)
    assert isinstance(page, InfoPage)
    return _page_view(page)


async def save_page(
    db: AsyncSession, tenant_id: TenantId, page_id: uuid.UUID | None, form: PageForm
) -> PageView:
    """Create (page_id None) or update an information page. The body is plain text:
    paragraphs separated by blank lines, shown escaped."""
    errors: Errors = []
    title = clean_text(errors, "title", form.title, 100)
    body = clean_text(errors, "body", form.body, 20000)
    if form.category not in PAGE_CATEGORIES:
        add_error(errors, "category", "Choose a category.")
    order = _sort_order(errors, form.sort_order)
    if errors:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    page = InfoPage() if page_id is None else await one_or_404(repo, InfoPage, page_id)
    assert isinstance(page, InfoPage)
    page.title, page.body, page.category = title, body, form.category
    page.sort_order, page.published = order, _checked(form.published)
    if page_id is None:
        repo.add(page)
    await repo.flush()
    return _page_view(page)


async def delete_page(db: AsyncSession, tenant_id: TenantId, page_id: uuid.UUID) -> None:
    repo = ContentRepository(db, tenant_id)
    await repo.remove(await one_or_404(repo, InfoPage, page_id))


# Scenic spots --------------------------------------------------------------------------


def _spot_view(s: ScenicSpot, photos: list[uuid.UUID] | None = None) -> SpotView:
    return SpotView(
        id=s.id,
        name=s.name,
        description=s.description,
        opening_hours=s.opening_hours,
        ticket_fen=s.ticket_fen,
        distance_m=s.distance_m,
        sort_order=s.sort_order,
        published=s.published,
        photo_ids=tuple(photos or ()),
    )


async def list_spots(
    db: AsyncSession, tenant_id: TenantId, *, published_only: bool = False
) -> list[SpotView]:
    repo = ContentRepository(db, tenant_id)
    spots = await repo.spots(published_only=published_only)
    photos = await repo.photo_ids([s.id for s in spots])
    return [_spot_view(s, photos.get(s.id)) for s in spots]


async def get_spot(db: AsyncSession, tenant_id: TenantId, spot_id: uuid.UUID) -> SpotView:
    repo = ContentRepository(db, tenant_id)
    spot = await one_or_404(repo, ScenicSpot, spot_id)
    assert isinstance(spot, ScenicSpot)
    return _spot_view(spot, (await repo.photo_ids([spot.id])).get(spot.id))


def _spot_numbers(errors: Errors, form: SpotForm) -> tuple[int | None, int | None]:
    ticket: int | None = None
    if form.ticket.strip():
        ticket = domain.parse_yuan(form.ticket)
        if ticket is None or ticket < 0:
            add_error(errors, "ticket", "Enter a price in yuan, such as 0, 45 or 180.50.")
    distance = None
    try:
        distance = domain.parse_km(form.distance_km)
    except ValueError:
        add_error(errors, "distance_km", "Enter a distance in kilometres, such as 2.5.")
    return ticket, distance


async def save_spot(
    db: AsyncSession, tenant_id: TenantId, spot_id: uuid.UUID | None, form: SpotForm
) -> SpotView:
    errors: Errors = []
    name = clean_text(errors, "name", form.name, 100)
    description = clean_text(errors, "description", form.description, 20000)
    hours = clean_text(errors, "opening_hours", form.opening_hours, 100, required=False)
    ticket, distance = _spot_numbers(errors, form)
    order = _sort_order(errors, form.sort_order)
    if errors:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    spot = ScenicSpot() if spot_id is None else await one_or_404(repo, ScenicSpot, spot_id)
    assert isinstance(spot, ScenicSpot)
    spot.name, spot.description, spot.opening_hours = name, description, hours
    spot.ticket_fen, spot.distance_m = ticket, distance
    spot.sort_order, spot.published = order, _checked(form.published)
    if spot_id is None:
        repo.add(spot)
    await repo.flush()
    return await get_spot(db, tenant_id, spot.id)


async def delete_spot(db: AsyncSession, tenant_id: TenantId, spot_id: uuid.UUID) -> None:
    repo = ContentRepository(db, tenant_id)
    await repo.remove(await one_or_404(repo, ScenicSpot, spot_id))


async def add_photo(
    db: AsyncSession, tenant_id: TenantId, spot_id: uuid.UUID, data: bytes
) -> uuid.UUID:
    """A photo of a spot, kept only when its bytes really are an image (by magic bytes:
    a renamed file or an HTML page is refused), up to 5 MB."""
    repo = ContentRepository(db, tenant_id)
    await one_or_404(repo, ScenicSpot, spot_id)
    if not data:
        raise Invalid.field("photo", "Choose a photo to upload.", "required")
    if len(data) > domain.MAX_IMAGE_BYTES:
        raise Invalid.field("photo", "The photo is larger than 5 MB.", "too_large")
    kind = domain.image_type(data)
    if kind is None:
        raise Invalid.field("photo", "This file is not a JPEG, PNG, GIF or WebP image.", "type")
    row = SpotPhoto(spot_id=spot_id, content_type=kind, data=data)
    repo.add(row)
    await repo.flush()
    return row.id


async def photo(
    db: AsyncSession, tenant_id: TenantId, photo_id: uuid.UUID, *, published_only: bool = False
) -> tuple[str, bytes]:
    """A photo's bytes; for terminals (`published_only`) only of a published spot."""
    repo = ContentRepository(db, tenant_id)
    row = await one_or_404(repo, SpotPhoto, photo_id)
    if published_only and not (await one_or_404(repo, ScenicSpot, row.spot_id)).published:
        raise NotFound()
    return row.content_type, row.data


async def delete_photo(db: AsyncSession, tenant_id: TenantId, photo_id: uuid.UUID) -> uuid.UUID:
    repo = ContentRepository(db, tenant_id)
    row = await one_or_404(repo, SpotPhoto, photo_id)
    assert isinstance(row, SpotPhoto)
    spot_id = row.spot_id
    await repo.remove(row)
    return spot_id
