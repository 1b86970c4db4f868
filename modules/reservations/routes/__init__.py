"""Routes of the reservations module, collected for the composition root: the JSON API
and the console pages (reservations; inventory setup and the calendar)."""

from app.web.nav import NavItem
from modules.reservations.routes import api, console, setup

ROUTES = [*api.ROUTES, *console.ROUTES, *setup.ROUTES]
NAV = [
    NavItem(
        key="reservations",
        label="Reservations",
        href="/console/reservations",
        roles=console.DESK_ROLES,
        module="reservations",
        order=20,
    ),
    NavItem(
        key="inventory",
        label="Inventory and prices",
        href="/console/inventory/calendar",
        roles=setup.SETUP_ROLES,
        module="reservations",
        order=22,
    ),
]
