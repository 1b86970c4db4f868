"""The keytags module's console routes, one file per topic (each adds itself here)."""

from typing import Any

from modules.keytags.routes.console import desk, exit, tickets

ROUTES: list[Any] = [*desk.ROUTES, *exit.ROUTES, *tickets.ROUTES]
