"""Small helpers the guide pages share."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Response
from litestar.datastructures import UploadFile

from app.errors import AppError
from modules.guides import domain
from modules.guides.service import Actor
from tenants.context import RequestContext

# A multipart upload is read at most this far: anything larger is refused by the service
# (its limits are 2 MB and 5 MB), so one byte over the largest limit is enough to know.
READ_LIMIT = domain.CERTIFICATE_MAX_BYTES + 1


def actor(ctx: RequestContext) -> Actor:
    return Actor(user_id=ctx.principal.user_id, ip=ctx.ip)


def tz(ctx: RequestContext) -> str:
    return ctx.tenant.timezone if ctx.tenant else "Asia/Shanghai"


def today(ctx: RequestContext) -> date:
    return domain.business_date(tz(ctx))


def has_code(exc: AppError, code: str) -> bool:
    return any(e.get("code") == code for e in exc.errors or [])


async def read_upload(upload: UploadFile | None) -> tuple[str, bytes]:
    """The file's name and bytes; an empty file input gives `("", b"")`."""
    if upload is None:
        return "", b""
    data = await upload.read(READ_LIMIT)
    return upload.filename or "", data


def file_response(
    data: bytes, content_type: str, *, filename: str | None = None, cache: str = "private"
) -> Response[bytes]:
    headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if filename:
        ascii_name = filename.encode("ascii", "ignore").decode() or "file"
        headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
        )
    return Response(data, media_type=content_type, headers=headers)


def labels() -> dict[str, Any]:
    """English msgids of every code the pages show (templates translate them)."""
    return {
        "level": domain.LEVELS,
        "language": domain.LANGUAGES,
        "status": domain.STATUSES,
        "licence": domain.LICENCE_STATES,
        "certificate": domain.CERTIFICATE_KINDS,
        "source": domain.RATING_SOURCES,
        "complaint": domain.COMPLAINT_STATUSES,
    }
