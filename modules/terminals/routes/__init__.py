"""Routes of the terminals module, collected for the composition root: the guest's
terminal pages, pairing, and the console's devices and content pages."""

from app.web.nav import NavItem
from modules.terminals import permissions
from modules.terminals.routes import console, terminal

ROUTES = [*terminal.ROUTES, *console.ROUTES]
NAV = [
    NavItem(
        key="terminals",
        label="Terminals",
        href="/console/terminals",
        roles=permissions.DEVICES,
        module="terminals",
        order=40,
    ),
]
