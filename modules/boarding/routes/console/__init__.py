"""The boarding module's console routes, one file per topic."""

from modules.boarding.routes.console import booking, gangway, keys

ROUTES: list[object] = [*booking.ROUTES, *gangway.ROUTES, *keys.ROUTES]
