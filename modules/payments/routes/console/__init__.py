"""The payments module's console: the payments partial of a reservation, and the
enterprise's online payment account page."""

from modules.payments.routes.console import account, reservation

ROUTES: list[object] = [*reservation.ROUTES, *account.ROUTES]
NAV: list[object] = [*account.NAV]
