"""Routes of the contracts module, collected for the composition root: the staff console
(drafting, signing, amending, cancelling) and the tourist-facing public pages
(routes_public: signing on the phone, the public check)."""

from typing import Any

from app.web.nav import NavItem
from modules.contracts import routes_actions, routes_console, routes_public

CONSOLE_ROUTES: list[Any] = [*routes_console.ROUTES, *routes_actions.ROUTES]
ROUTES: list[Any] = [*CONSOLE_ROUTES, *routes_public.ROUTES]
NAV: list[NavItem] = [
    NavItem(
        key="contracts",
        label="Travel contracts",
        href="/console/contracts",
        roles=routes_console.CONTRACT_ROLES,
        module="contracts",
        order=40,
        badge_url="/console/contracts/badge",
    ),
]
