"""The boarding module's console routes, one file per topic."""

from modules.boarding.routes.console import keys

ROUTES: list[object] = [*keys.ROUTES]
