"""Routes of the guestservices module, collected for the composition root: the staff
queues, menus, complaints and ratings in the console, and the guest's pages on the
terminal (/terminal/services, /terminal/dining, /terminal/bill, /terminal/feedback)."""

from typing import Any

from app.web.nav import NavItem
from modules.guestservices import routes_admin, routes_queue, routes_terminal
from modules.guestservices.web import MANAGER_ROLES, QUEUE_ROLES

ROUTES: list[Any] = [*routes_queue.ROUTES, *routes_admin.ROUTES, *routes_terminal.ROUTES]
NAV: list[NavItem] = [
    NavItem(
        key="guest_requests",
        label="Guest requests",
        href="/console/guestservices/requests",
        roles=QUEUE_ROLES,
        module="terminals",
        order=30,
        badge_url="/console/guestservices/requests/badge",
    ),
    NavItem(
        key="room_orders",
        label="Room orders",
        href="/console/guestservices/orders",
        roles=QUEUE_ROLES,
        module="terminals",
        order=31,
    ),
    NavItem(
        key="complaints",
        label="Complaints",
        href="/console/guestservices/complaints",
        roles=QUEUE_ROLES,
        module="terminals",
        order=32,
        badge_url="/console/guestservices/complaints/badge",
    ),
    NavItem(
        key="guest_menu",
        label="Room service menus",
        href="/console/guestservices/menu",
        roles=MANAGER_ROLES,
        module="terminals",
        order=33,
    ),
    NavItem(
        key="guest_ratings",
        label="Guest ratings",
        href="/console/guestservices/ratings",
        roles=MANAGER_ROLES,
        module="terminals",
        order=34,
    ),
]
