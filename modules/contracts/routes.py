"""Routes of the contracts module, collected for the composition root: the staff console
and the tourist-facing public pages (routes_public)."""

from typing import Any

from app.web.nav import NavItem
from modules.contracts import routes_public

CONSOLE_ROUTES: list[Any] = []
ROUTES: list[Any] = [*CONSOLE_ROUTES, *routes_public.ROUTES]
NAV: list[NavItem] = []
