"""Routes of the guide archive, collected for the composition root: the console (list,
archive card, record) and the public licence look-up."""

from app.web.nav import NavItem
from modules.guides import routes_console, routes_public, routes_records

ROUTES = [
    routes_console.GuidesController,
    routes_records.GuideRecordsController,
    routes_records.CertificatesController,
    *routes_public.ROUTES,
]
NAV = [
    NavItem(
        key="guides",
        label="Guides",
        href="/console/guides",
        roles=routes_console.GUIDE_ROLES,
        module="guides",
        order=45,
        badge_url="/console/guides/badge",
    ),
]
