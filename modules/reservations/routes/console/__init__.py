"""The reservations module's console pages: reservations, and inventory with the calendar."""

from modules.reservations.routes.console import inventory, reservations

ROUTES = [*reservations.ROUTES, *inventory.ROUTES]
