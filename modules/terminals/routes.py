"""Routes of the terminals module, collected for the composition root."""

from typing import Any

from app.web.nav import NavItem

ROUTES: list[Any] = []
NAV: list[NavItem] = []
