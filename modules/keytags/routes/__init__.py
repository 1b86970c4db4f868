"""Routes of the keytags module, collected for the composition root: the console (desk, exit,
POS, set-up, tickets, reports), the public day-ticket pages and the JSON API (charges, gates)."""

from app.web.nav import NavItem
from modules.keytags import permissions
from modules.keytags.routes import api, console, public

ROUTES = [*api.ROUTES, *console.ROUTES, *public.ROUTES]
# Each page adds its entry when it lands (a menu entry with nothing behind it misleads).
NAV: list[NavItem] = [
    NavItem(
        key="keytags-desk",
        label="Key-tag desk",
        href="/console/keytags",
        roles=permissions.DESK,
        module="keytags",
        order=40,
    ),
    NavItem(
        key="keytags-exit",
        label="Exit desk",
        href="/console/keytags/exit",
        roles=permissions.DESK,
        module="keytags",
        order=41,
    ),
    NavItem(
        key="keytags-pos",
        label="Outlet POS",
        href="/console/keytags/pos",
        roles=permissions.POS_PAGE,
        module="keytags",
        order=42,
    ),
    NavItem(
        key="keytags-conflicts",
        label="Offline conflicts",
        href="/console/keytags/conflicts",
        roles=permissions.DESK,
        module="keytags",
        order=44,
    ),
    NavItem(
        key="keytags-tickets",
        label="Tickets",
        href="/console/keytags/tickets",
        roles=permissions.DESK,
        module="keytags",
        order=43,
    ),
    NavItem(
        key="keytags-shift",
        label="Your shift",
        href="/console/keytags/shift",
        roles=permissions.DESK,
        module="keytags",
        order=47,
    ),
    NavItem(
        key="keytags-reports",
        label="Hot-spring reports",
        href="/console/keytags/reports",
        roles=permissions.REPORTS,
        module="keytags",
        order=48,
    ),
    NavItem(
        key="keytags-members",
        label="Member cards",
        href="/console/keytags/members",
        roles=permissions.DESK,
        module="keytags",
        order=45,
    ),
    NavItem(
        key="keytags-setup",
        label="Hot-spring settings",
        href="/console/keytags/setup",
        roles=permissions.MANAGERS,
        module="keytags",
        order=46,
    ),
]
