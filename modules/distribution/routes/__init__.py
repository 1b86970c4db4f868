"""Routes of the distribution module, collected for the composition root."""

from typing import Any

from app.web.nav import NavItem

ROUTES: list[Any] = []
# Each page adds its entry when it lands (a menu entry with nothing behind it misleads).
NAV: list[NavItem] = []
