"""Small helpers the guide console pages share: the tenant's date, error codes, uploads."""

from __future__ import annotations

from datetime import date

from litestar.datastructures import UploadFile

from app import clock
from app.errors import AppError
from modules.guides import domain
from tenants.context import RequestContext

# A multipart upload is read at most this far: anything larger is refused by the service
# (its limits are 2 MB and 5 MB), so one byte over the largest limit is enough to know.
READ_LIMIT = domain.CERTIFICATE_MAX_BYTES + 1


def tz(ctx: RequestContext) -> str:
    return clock.tz_of(ctx.tenant)


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
