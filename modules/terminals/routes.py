"""Routes of the terminals module, collected for the composition root: the guest's
terminal pages, pairing, and the console's devices and content pages."""

from app.web.nav import NavItem
from modules.terminals import routes_guest, routes_pairing

ROUTES = [*routes_pairing.ROUTES, *routes_guest.ROUTES]
NAV: list[NavItem] = []
