"""The boarding module's public routes, one file per topic."""

from modules.boarding.routes.public import booking, checkin

ROUTES: list[object] = [*booking.ROUTES, *checkin.ROUTES]
