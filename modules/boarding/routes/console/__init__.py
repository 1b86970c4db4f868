"""The boarding module's console routes, one file per topic."""

from modules.boarding.routes.console import booking, gangway, keys, manifest, ships, voyages

ROUTES: list[object] = [
    *booking.ROUTES,
    *gangway.ROUTES,
    *keys.ROUTES,
    *manifest.ROUTES,
    ships.ShipsConsole,
    voyages.VoyagesConsole,
]
