"""The boarding module's console routes, one file per topic."""

from modules.boarding.routes.console import booking, keys

ROUTES: list[object] = [*booking.ROUTES, *keys.ROUTES]
