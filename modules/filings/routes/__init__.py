"""Routes of the bureau filing module, collected for the composition root: the console's
filings list and detail, and the owner's bureau registration."""

from app.web.nav import NavItem
from modules.filings import permissions
from modules.filings.routes import console

ROUTES = [*console.ROUTES]
NAV = [
    NavItem(
        key="filings",
        label="Bureau filings",
        href="/console/filings",
        roles=permissions.VIEW,
        order=80,
        badge_url="/console/filings/badge",
    ),
    NavItem(
        key="bureau",
        label="Bureau registration",
        href="/console/filings/registration",
        roles=permissions.REGISTER,
        section="admin",
        order=55,
    ),
]
