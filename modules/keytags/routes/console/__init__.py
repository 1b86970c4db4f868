"""The keytags module's console routes, one file per topic (each adds itself here)."""

from typing import Any

from modules.keytags.routes.console import desk, exit, pos, reports, tickets

ROUTES: list[Any] = [*desk.ROUTES, *exit.ROUTES, *pos.ROUTES, *reports.ROUTES, *tickets.ROUTES]
