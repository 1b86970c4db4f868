from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from sqlalchemy import text

from app.db.engine import Database
from app.security.access import Public


@get("/healthz", opt={"guard": Public()}, include_in_schema=True, tags=["platform"])
async def healthz(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """Liveness and database reachability, for load balancers and orchestrators."""
    database: Database = request.app.state.database
    try:
        async with asyncio.timeout(2):
            async with database.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:
        return Response({"status": "error", "database": "unavailable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})
