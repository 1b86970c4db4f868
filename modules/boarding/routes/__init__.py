"""Routes of the boarding module, collected for the composition root: the console (voyages,
ships, crew, manifest, gangway, pass keys), the public pages (booking a cruise, pre-check-in
and passes) and the JSON API (bookings, scans, offline packs)."""

from app.web.nav import NavItem
from modules.boarding import permissions
from modules.boarding.routes import api, console, public, terminal

ROUTES = [*api.ROUTES, *console.ROUTES, *public.ROUTES, *terminal.ROUTES]
NAV: list[NavItem] = [
    NavItem(
        key="boarding",
        label="Voyages",
        href="/console/boarding",
        roles=permissions.PURSERS,
        module="boarding",
        order=24,
    ),
]
