"""Routes of the reservations module, collected for the composition root: the JSON API,
the console pages (reservations; inventory setup and the calendar) and the guest's pay
step of the booking page."""

from app.web.nav import NavItem
from modules.reservations import permissions
from modules.reservations.routes import api, console, public

ROUTES = [*api.ROUTES, *console.ROUTES, *public.ROUTES]
NAV = [
    NavItem(
        key="reservations",
        label="Reservations",
        href="/console/reservations",
        roles=permissions.BOOKING_STAFF,
        module="reservations",
        order=20,
    ),
    NavItem(
        key="inventory",
        label="Inventory and prices",
        href="/console/inventory/calendar",
        roles=permissions.MANAGE_INVENTORY,
        module="reservations",
        order=22,
    ),
]
