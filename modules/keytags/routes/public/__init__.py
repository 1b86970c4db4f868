"""The keytags module's public routes, one file per topic (each adds itself here)."""

from typing import Any

from modules.keytags.routes.public import tickets

ROUTES: list[Any] = [*tickets.ROUTES]
