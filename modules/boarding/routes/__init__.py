"""Routes of the boarding module, collected for the composition root: the console (voyages,
ships, crew, manifest, gangway, pass keys), the public pages (booking a cruise, pre-check-in
and passes) and the JSON API (bookings, scans, offline packs)."""

from app.web.nav import NavItem
from modules.boarding.routes import api, console, public, terminal

ROUTES = [*api.ROUTES, *console.ROUTES, *public.ROUTES, *terminal.ROUTES]
# The console's entry ("Voyages", /console/boarding, permissions.PURSERS) comes with its page.
NAV: list[NavItem] = []
