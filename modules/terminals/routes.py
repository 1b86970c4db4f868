"""Routes of the terminals module, collected for the composition root: the guest's
terminal pages, pairing, and the console's devices and content pages."""

from app.web.nav import NavItem
from modules.terminals import (
    routes_content,
    routes_devices,
    routes_guest,
    routes_media,
    routes_pairing,
)

ROUTES = [
    *routes_pairing.ROUTES,
    *routes_guest.ROUTES,
    *routes_devices.ROUTES,
    *routes_content.ROUTES,
    *routes_media.ROUTES,
]
NAV = [
    NavItem(
        key="terminals",
        label="Terminals",
        href="/console/terminals",
        roles=routes_devices.DEVICE_ROLES,
        module="terminals",
        order=40,
    ),
]
