"""Routes of the boarding module, collected for the composition root."""

from app.web.nav import NavItem

ROUTES: list[object] = []
NAV: list[NavItem] = []
