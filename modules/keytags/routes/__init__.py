"""Routes of the keytags module, collected for the composition root: the console (desk, exit,
POS, set-up, tickets, reports), the public day-ticket pages and the JSON API (charges, gates)."""

from app.web.nav import NavItem
from modules.keytags import permissions
from modules.keytags.routes import api, console, public

ROUTES = [*api.ROUTES, *console.ROUTES, *public.ROUTES]
# Each page adds its entry when it lands (a menu entry with nothing behind it misleads).
NAV: list[NavItem] = [
    NavItem(
        key="keytags-exit",
        label="Exit desk",
        href="/console/keytags/exit",
        roles=permissions.DESK,
        module="keytags",
        order=41,
    ),
    NavItem(
        key="keytags-tickets",
        label="Tickets",
        href="/console/keytags/tickets",
        roles=permissions.DESK,
        module="keytags",
        order=43,
    ),
]
