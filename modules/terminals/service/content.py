"""Information pages, scenic spots (with photos), announcements and voyage itineraries
that the tenant's staff manage and the terminals show."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from modules.reservations import service as reservations
from modules.terminals import domain
from modules.terminals.models import (
    PAGE_CATEGORIES,
    Announcement,
    InfoPage,
    PortCall,
    ScenicSpot,
    SpotPhoto,
)
from modules.terminals.repository import ContentRepository
from modules.terminals.schemas import (
    AnnouncementForm,
    AnnouncementView,
    PageForm,
    PageView,
    PortCallForm,
    PortCallView,
    SpotForm,
    SpotView,
)

__all__ = [
    "add_photo",
    "add_port_call",
    "create_announcement",
    "delete_announcement",
    "delete_page",
    "delete_photo",
    "delete_port_call",
    "delete_spot",
    "get_page",
    "get_spot",
    "itinerary",
    "list_announcements",
    "list_pages",
    "list_spots",
    "photo",
    "save_page",
    "save_spot",
]

Errors = list[dict[str, str]]


def _err(errors: Errors, field: str, message: str, code: str = "invalid") -> None:
    errors.append({"field": field, "code": code, "message": message})


def _text(errors: Errors, field: str, value: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        _err(errors, field, "This field is required.", "required")
    elif len(value) > limit:
        _err(errors, field, "This text is too long.", "too_long")
    return value


def _sort_order(errors: Errors, value: str) -> int:
    try:
        number = int(value.strip() or "0")
    except ValueError:
        number = -1
    if not 0 <= number <= 9999:
        _err(errors, "sort_order", "Enter a whole number from 0 to 9999.")
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


async def _one(repo: ContentRepository, model: type[Any], id_: uuid.UUID | None) -> Any:
    found = await repo.one(model, id_) if id_ else None
    if found is None:
        raise NotFound()
    return found


async def get_page(db: AsyncSession, tenant_id: TenantId, page_id: uuid.UUID) -> PageView:
    page = await _one(ContentRepository(db, tenant_id), InfoPage, page_id)
    assert isinstance(page, InfoPage)
    return _page_view(page)


async def save_page(
    db: AsyncSession, tenant_id: TenantId, page_id: uuid.UUID | None, form: PageForm
) -> PageView:
    """Create (page_id None) or update an information page. The body is plain text:
    paragraphs separated by blank lines, shown escaped."""
    errors: Errors = []
    title = _text(errors, "title", form.title, 100)
    body = _text(errors, "body", form.body, 20000)
    if form.category not in PAGE_CATEGORIES:
        _err(errors, "category", "Choose a category.")
    order = _sort_order(errors, form.sort_order)
    if errors:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    page = InfoPage() if page_id is None else await _one(repo, InfoPage, page_id)
    assert isinstance(page, InfoPage)
    page.title, page.body, page.category = title, body, form.category
    page.sort_order, page.published = order, _checked(form.published)
    if page_id is None:
        repo.add(page)
    await repo.flush()
    return _page_view(page)


async def delete_page(db: AsyncSession, tenant_id: TenantId, page_id: uuid.UUID) -> None:
    repo = ContentRepository(db, tenant_id)
    await repo.remove(await _one(repo, InfoPage, page_id))


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
    spot = await _one(repo, ScenicSpot, spot_id)
    assert isinstance(spot, ScenicSpot)
    return _spot_view(spot, (await repo.photo_ids([spot.id])).get(spot.id))


def _spot_numbers(errors: Errors, form: SpotForm) -> tuple[int | None, int | None]:
    ticket: int | None = None
    if form.ticket.strip():
        ticket = domain.parse_yuan(form.ticket)
        if ticket is None or ticket < 0:
            _err(errors, "ticket", "Enter a price in yuan, such as 0, 45 or 180.50.")
    distance = None
    try:
        distance = domain.parse_km(form.distance_km)
    except ValueError:
        _err(errors, "distance_km", "Enter a distance in kilometres, such as 2.5.")
    return ticket, distance


async def save_spot(
    db: AsyncSession, tenant_id: TenantId, spot_id: uuid.UUID | None, form: SpotForm
) -> SpotView:
    errors: Errors = []
    name = _text(errors, "name", form.name, 100)
    description = _text(errors, "description", form.description, 20000)
    hours = _text(errors, "opening_hours", form.opening_hours, 100, required=False)
    ticket, distance = _spot_numbers(errors, form)
    order = _sort_order(errors, form.sort_order)
    if errors:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    spot = ScenicSpot() if spot_id is None else await _one(repo, ScenicSpot, spot_id)
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
    await repo.remove(await _one(repo, ScenicSpot, spot_id))


async def add_photo(
    db: AsyncSession, tenant_id: TenantId, spot_id: uuid.UUID, data: bytes
) -> uuid.UUID:
    """A photo of a spot, kept only when its bytes really are an image (by magic bytes:
    a renamed file or an HTML page is refused), up to 5 MB."""
    repo = ContentRepository(db, tenant_id)
    await _one(repo, ScenicSpot, spot_id)
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


async def photo(db: AsyncSession, tenant_id: TenantId, photo_id: uuid.UUID) -> tuple[str, bytes]:
    row = await _one(ContentRepository(db, tenant_id), SpotPhoto, photo_id)
    assert isinstance(row, SpotPhoto)
    return row.content_type, row.data


async def delete_photo(db: AsyncSession, tenant_id: TenantId, photo_id: uuid.UUID) -> uuid.UUID:
    repo = ContentRepository(db, tenant_id)
    row = await _one(repo, SpotPhoto, photo_id)
    assert isinstance(row, SpotPhoto)
    spot_id = row.spot_id
    await repo.remove(row)
    return spot_id


# Announcements -------------------------------------------------------------------------


def _local(errors: Errors, field: str, value: str, tz: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        _err(errors, field, "Enter a date and time.")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(tz))


async def _voyages(db: AsyncSession, tenant_id: TenantId) -> dict[uuid.UUID, str]:
    return {v.id: v.code for v in await reservations.list_voyages(db, tenant_id)}


async def list_announcements(db: AsyncSession, tenant_id: TenantId) -> list[AnnouncementView]:
    voyages = await _voyages(db, tenant_id)
    rows = await ContentRepository(db, tenant_id).announcements()
    return [
        AnnouncementView(
            a.id,
            a.body,
            a.starts_at,
            a.ends_at,
            a.voyage_id,
            voyages.get(a.voyage_id, "") if a.voyage_id else "",
        )
        for a in rows
    ]


def _voyage_id(errors: Errors, value: str, voyages: dict[uuid.UUID, str]) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        found = uuid.UUID(value.strip())
    except ValueError:
        found = None
    if found not in voyages:
        _err(errors, "voyage_id", "Choose a voyage of this cruise line.")
        return None
    return found


async def create_announcement(
    db: AsyncSession, tenant_id: TenantId, form: AnnouncementForm, *, tz: str
) -> None:
    """A notice on the terminals' ticker between two times; with a voyage, only on the
    cabins of that voyage."""
    errors: Errors = []
    body = _text(errors, "body", form.body, 300)
    starts = _local(errors, "starts_at", form.starts_at, tz)
    ends = _local(errors, "ends_at", form.ends_at, tz)
    if starts and ends and ends <= starts:
        _err(errors, "ends_at", "The end must be after the start.")
    voyage_id = _voyage_id(errors, form.voyage_id, await _voyages(db, tenant_id))
    if errors or starts is None or ends is None:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    repo.add(Announcement(body=body, starts_at=starts, ends_at=ends, voyage_id=voyage_id))
    await repo.flush()


async def delete_announcement(db: AsyncSession, tenant_id: TenantId, a_id: uuid.UUID) -> None:
    repo = ContentRepository(db, tenant_id)
    await repo.remove(await _one(repo, Announcement, a_id))


# Itineraries ---------------------------------------------------------------------------


def _time(errors: Errors, field: str, value: str) -> time | None:
    if not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        _err(errors, field, "Enter a time such as 08:00.")
        return None


async def itinerary(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID
) -> tuple[reservations.VoyageView, list[PortCallView]]:
    """A voyage and its ports of call by day (day 1 is the day it sails)."""
    voyage = next(
        (v for v in await reservations.list_voyages(db, tenant_id) if v.id == voyage_id), None
    )
    if voyage is None:
        raise NotFound()
    calls = await ContentRepository(db, tenant_id).port_calls(voyage_id)
    views = [
        PortCallView(
            id=c.id,
            voyage_id=c.voyage_id,
            day_no=c.day_no,
            day=voyage.depart_on + timedelta(days=c.day_no - 1),
            port=c.port,
            arrive_time=c.arrive_time,
            depart_time=c.depart_time,
            activity=c.activity,
        )
        for c in calls
    ]
    return voyage, views


async def add_port_call(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, form: PortCallForm
) -> None:
    voyage, _calls = await itinerary(db, tenant_id, voyage_id)
    errors: Errors = []
    days = (voyage.arrive_on - voyage.depart_on).days + 1
    try:
        day_no = int(form.day_no.strip())
    except ValueError:
        day_no = 0
    if not 1 <= day_no <= days:
        _err(errors, "day_no", _("Enter a day from 1 to %(days)s.", days=days))
    port = _text(errors, "port", form.port, 60)
    arrive = _time(errors, "arrive_time", form.arrive_time)
    depart = _time(errors, "depart_time", form.depart_time)
    if arrive and depart and depart <= arrive:
        _err(errors, "depart_time", "The ship must leave after it arrives.")
    activity = _text(errors, "activity", form.activity, 300, required=False)
    if errors:
        raise Invalid(errors=errors)
    repo = ContentRepository(db, tenant_id)
    repo.add(
        PortCall(
            voyage_id=voyage_id,
            day_no=day_no,
            port=port,
            arrive_time=arrive,
            depart_time=depart,
            activity=activity,
        )
    )
    await repo.flush()


async def delete_port_call(db: AsyncSession, tenant_id: TenantId, call_id: uuid.UUID) -> uuid.UUID:
    repo = ContentRepository(db, tenant_id)
    row = await _one(repo, PortCall, call_id)
    assert isinstance(row, PortCall)
    voyage_id = row.voyage_id
    await repo.remove(row)
    return voyage_id
