"""Routes of the tenants package, collected for the composition root.

Each submodule exports `ROUTES` (controllers/handlers) and `NAV` (console navigation)."""

from tenants.routes import apikeys, audit, auth, platform, settings, signup, staff, system

_PARTS = (auth, staff, apikeys, audit, settings, system, signup, platform)

ROUTES = [route for part in _PARTS for route in part.ROUTES]
NAV = [item for part in _PARTS for item in part.NAV]
