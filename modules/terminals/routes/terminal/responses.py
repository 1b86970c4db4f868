"""Responses the terminal pages and the console's media tab share: the device cookie,
images from the database and video streamed by byte range."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from litestar import Request, Response
from litestar.response import Stream

from modules.terminals import domain
from modules.terminals.service import VideoFile
from tenants.context import DEVICE_COOKIE

STREAM_CHUNK = 256 * 1024
# Browsers cap a cookie's life at about 400 days; the home screen renews it on each visit.
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600


def set_device_cookie(
    request: Request[Any, Any, Any], response: Response[Any], token: str
) -> Response[Any]:
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or request.app.state.settings.secure_cookies,
        path="/",
    )
    return response


def media_response(content_type: str, data: bytes) -> Response[bytes]:
    """An image from the database. `nosniff`, so a browser never reads it as anything
    but the image type its bytes were checked to be."""
    return Response(
        data,
        status_code=200,
        media_type=content_type,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


async def _file_chunks(path: Path, start: int, length: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as fh:
        await fh.seek(start)
        left = length
        while left > 0:
            chunk = await fh.read(min(STREAM_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def video_stream(request: Request[Any, Any, Any], video: VideoFile) -> Response[Any]:
    """The film, or the byte range the player asked for: 206 with Content-Range, 416
    when the range lies beyond the end, 200 with the whole file otherwise. Players seek
    by asking for ranges, so without this a video could not be skipped through."""
    base = {"Accept-Ranges": "bytes", "Cache-Control": "private, no-store"}
    try:
        wanted = domain.parse_range(request.headers.get("range"), video.size)
    except domain.RangeNotSatisfiable:
        return Response(
            b"", status_code=416, headers={**base, "Content-Range": f"bytes */{video.size}"}
        )
    if wanted is None:
        headers = {**base, "Content-Length": str(video.size)}
        return Stream(
            _file_chunks(video.path, 0, video.size),
            status_code=200,
            media_type=video.content_type,
            headers=headers,
        )
    headers = {
        **base,
        "Content-Length": str(wanted.length),
        "Content-Range": f"bytes {wanted.start}-{wanted.end}/{video.size}",
    }
    return Stream(
        _file_chunks(video.path, wanted.start, wanted.length),
        status_code=206,
        media_type=video.content_type,
        headers=headers,
    )
