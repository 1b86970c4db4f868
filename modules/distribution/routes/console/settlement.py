"""Routes of this topic (filled by its owner; empty until then)."""

from typing import Any

from app.web.nav import NavItem

ROUTES: list[Any] = []
NAV: list[NavItem] = []
