"""Routes of the contracts module, collected for the composition root: the staff console
(drafting, signing, amending, cancelling) and the tourist-facing public pages
(public: signing on the phone, the public check)."""

from typing import Any

from app.web.nav import NavItem
from modules.contracts import permissions
from modules.contracts.routes import console, public

ROUTES: list[Any] = [*console.ROUTES, *public.ROUTES]
NAV: list[NavItem] = [
    NavItem(
        key="contracts",
        label="Travel contracts",
        href="/console/contracts",
        roles=permissions.CONTRACTS,
        module="contracts",
        order=40,
        badge_url="/console/contracts/badge",
    ),
]
