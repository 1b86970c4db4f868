"""The keytags module's console routes, one file per topic (each adds itself here)."""

from typing import Any

from modules.keytags.routes.console import desk, exit, members, pos, reports, setup, tickets

ROUTES: list[Any] = [
    *desk.ROUTES,
    *exit.ROUTES,
    *members.ROUTES,
    *pos.ROUTES,
    *reports.ROUTES,
    *setup.ROUTES,
    *tickets.ROUTES,
]
