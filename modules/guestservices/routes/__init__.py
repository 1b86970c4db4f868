"""Routes of the guestservices module, collected for the composition root: the staff
queues, menus, complaints and ratings in the console, and the guest's pages on the
terminal (/terminal/services, /terminal/dining, /terminal/bill, /terminal/feedback)."""

from typing import Any

from app.web.nav import NavItem
from modules.guestservices import permissions
from modules.guestservices.routes import console, terminal

ROUTES: list[Any] = [*console.ROUTES, *terminal.ROUTES]
NAV: list[NavItem] = [
    NavItem(
        key="guest_requests",
        label="Guest requests",
        href="/console/guestservices/requests",
        roles=permissions.QUEUE,
        module="terminals",
        order=30,
        badge_url="/console/guestservices/requests/badge",
    ),
    NavItem(
        key="room_orders",
        label="Room orders",
        href="/console/guestservices/orders",
        roles=permissions.QUEUE,
        module="terminals",
        order=31,
    ),
    NavItem(
        key="complaints",
        label="Complaints",
        href="/console/guestservices/complaints",
        roles=permissions.QUEUE,
        module="terminals",
        order=32,
        badge_url="/console/guestservices/complaints/badge",
    ),
    NavItem(
        key="guest_menu",
        label="Room service menus",
        href="/console/guestservices/menu",
        roles=permissions.MANAGE,
        module="terminals",
        order=33,
    ),
    NavItem(
        key="guest_ratings",
        label="Guest ratings",
        href="/console/guestservices/ratings",
        roles=permissions.MANAGE,
        module="terminals",
        order=34,
    ),
]
