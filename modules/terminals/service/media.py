"""Videos: the films live on disk under the media directory, one folder per tenant
(`<MEDIA_DIR>/<tenant_id>/<video_id>.<ext>`); the database keeps the title, type, size
and poster. Terminals stream them with HTTP range requests (see `web.video_stream`).

MEDIA_DIR defaults to `<DATA_DIR>/media` (`.zhilv/media` in development). Every web
process must see the same directory (a shared volume when scaled out)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Protocol

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import uuid7
from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.settings import Settings
from modules.terminals import domain
from modules.terminals.models import Video
from modules.terminals.repository import ContentRepository
from modules.terminals.schemas import VideoView

__all__ = [
    "MAX_VIDEO_BYTES",
    "VideoFile",
    "add_video",
    "delete_video",
    "list_videos",
    "media_root",
    "video_file",
    "video_poster",
]

MAX_VIDEO_BYTES = 500 * 1024 * 1024
CHUNK = 1024 * 1024
EXTENSIONS = {"video/mp4": "mp4", "video/webm": "webm"}


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


def media_root(settings: Settings) -> Path:
    configured = getattr(settings, "media_dir", None)
    return Path(configured) if configured else settings.data_dir / "media"


class VideoFile:
    def __init__(self, path: Path, content_type: str, size: int) -> None:
        self.path, self.content_type, self.size = path, content_type, size


def _view(row: Any, has_poster: bool | None = None) -> VideoView:
    return VideoView(
        id=row.id,
        title=row.title,
        description=row.description,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sort_order=row.sort_order,
        published=row.published,
        has_poster=bool(row.has_poster) if has_poster is None else has_poster,
    )


async def list_videos(
    db: AsyncSession, tenant_id: TenantId, *, published_only: bool = False
) -> list[VideoView]:
    rows = await ContentRepository(db, tenant_id).videos(published_only=published_only)
    return [_view(r) for r in rows]


def _poster(errors: list[dict[str, str]], poster: bytes | None) -> str | None:
    if not poster:
        return None
    kind = domain.image_type(poster)
    if kind is None or len(poster) > domain.MAX_IMAGE_BYTES:
        errors.append(
            {
                "field": "poster",
                "code": "type",
                "message": "The poster must be an image up to 5 MB.",
            }
        )
    return kind


async def _store(upload: Readable, path: Path) -> tuple[str, int]:
    """Copy the upload to `path` in chunks; the type comes from the first bytes."""
    head = await upload.read(CHUNK)
    kind = domain.video_type(head)
    if kind is None:
        raise Invalid.field("file", "This file is not an MP4 or WebM video.", "type")
    await anyio.Path(path.parent).mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        async with await anyio.open_file(path, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > MAX_VIDEO_BYTES:
                    raise Invalid.field("file", "The video is larger than 500 MB.", "too_large")
                await out.write(chunk)
                chunk = await upload.read(CHUNK)
    except BaseException:
        await anyio.Path(path).unlink(missing_ok=True)
        raise
    return kind, size


def _checked_fields(title: str, poster: bytes | None) -> tuple[str, str | None]:
    errors: list[dict[str, str]] = []
    title = title.strip()
    if not title or len(title) > 100:
        errors.append({"field": "title", "code": "required", "message": "Give the video a title."})
    poster_type = _poster(errors, poster)
    if errors:
        raise Invalid(errors=errors)
    return title, poster_type


async def add_video(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    title: str,
    description: str,
    upload: Readable,
    poster: bytes | None,
    root: Path,
) -> VideoView:
    """Store an uploaded film (MP4 or WebM, checked by its bytes) with an optional poster.

    The file is written first and the row last, so a refused upload leaves nothing. If
    the request's transaction fails after this returns, the file stays on disk without a
    row: never listed or served, only wasted space."""
    title, poster_type = _checked_fields(title, poster)
    video_id = uuid7()
    path = root / str(tenant_id) / f"{video_id}.tmp"
    kind, size = await _store(upload, path)
    final = path.with_suffix(f".{EXTENSIONS[kind]}")
    await anyio.Path(path).rename(final)
    row = Video(
        id=video_id,
        title=title,
        description=description.strip()[:2000],
        storage_key=f"{tenant_id}/{final.name}",
        content_type=kind,
        size_bytes=size,
        poster_type=poster_type,
        poster=poster if poster_type else None,
        sort_order=0,
        published=True,
    )
    ContentRepository(db, tenant_id).add(row)
    try:
        await db.flush()
    except BaseException:
        await anyio.Path(final).unlink(missing_ok=True)
        raise
    return _view(row, has_poster=poster_type is not None)


async def _row(
    db: AsyncSession, tenant_id: TenantId, video_id: uuid.UUID, published_only: bool
) -> Video:
    row = await ContentRepository(db, tenant_id).one(Video, video_id)
    if row is None or (published_only and not row.published):
        raise NotFound()
    return row


async def video_file(
    db: AsyncSession,
    tenant_id: TenantId,
    video_id: uuid.UUID,
    *,
    root: Path,
    published_only: bool = True,
) -> VideoFile:
    row = await _row(db, tenant_id, video_id, published_only)
    path = anyio.Path(root / row.storage_key)
    if not await path.is_file():
        raise NotFound("The video file is missing.")
    return VideoFile(Path(path), row.content_type, (await path.stat()).st_size)


async def video_poster(
    db: AsyncSession, tenant_id: TenantId, video_id: uuid.UUID, *, published_only: bool = True
) -> tuple[str, bytes]:
    row = await _row(db, tenant_id, video_id, published_only)
    if row.poster is None or row.poster_type is None:
        raise NotFound()
    return row.poster_type, row.poster


async def delete_video(
    db: AsyncSession, tenant_id: TenantId, video_id: uuid.UUID, *, root: Path
) -> None:
    repo = ContentRepository(db, tenant_id)
    row = await _row(db, tenant_id, video_id, False)
    path = root / row.storage_key
    await repo.remove(row)
    await anyio.Path(path).unlink(missing_ok=True)
