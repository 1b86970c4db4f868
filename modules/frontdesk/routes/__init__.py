"""Routes of the front-desk module, collected for the composition root: the front desk
console, the housekeeping board, the daily report with the night audit, and the public
booking page."""

from app.web.nav import NavItem
from modules.frontdesk import permissions
from modules.frontdesk.routes import console, public

ROUTES = [*console.ROUTES, *public.ROUTES]
NAV = [
    NavItem(
        key="frontdesk",
        label="Front desk",
        href="/console/frontdesk",
        roles=permissions.DESK,
        module="frontdesk",
        order=20,
    ),
    NavItem(
        key="housekeeping",
        label="Housekeeping",
        href="/console/housekeeping",
        roles=permissions.HOUSEKEEPING,
        module="frontdesk",
        order=25,
    ),
    NavItem(
        key="frontdesk_reports",
        label="Daily report",
        href="/console/frontdesk/reports",
        roles=permissions.DAILY_REPORT,
        module="frontdesk",
        order=26,
    ),
]
