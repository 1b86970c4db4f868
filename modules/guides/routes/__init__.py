"""Routes of the guide archive, collected for the composition root: the console (list,
archive card, record) and the public licence look-up."""

from app.web.nav import NavItem
from modules.guides import permissions
from modules.guides.routes import console, public

ROUTES = [*console.ROUTES, *public.ROUTES]
NAV = [
    NavItem(
        key="guides",
        label="Guides",
        href="/console/guides",
        roles=permissions.GUIDES,
        module="guides",
        order=45,
        badge_url="/console/guides/badge",
    ),
]
