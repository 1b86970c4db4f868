"""Routes of the distribution module, collected for the composition root."""

from typing import Any

from app.web.nav import NavItem
from modules.distribution.routes import api, console

ROUTES: list[Any] = [*console.ROUTES, *api.ROUTES]
# Each page adds its entry when it lands (a menu entry with nothing behind it misleads).
NAV: list[NavItem] = [*console.NAV]
