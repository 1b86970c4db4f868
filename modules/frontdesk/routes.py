"""Routes of the front-desk module, collected for the composition root: the front desk
console, the housekeeping board, the daily report with the night audit, and the public
booking page."""

from app.web.nav import NavItem
from modules.frontdesk import (
    routes_booking,
    routes_desk,
    routes_extension,
    routes_housekeeping,
    routes_reports,
)

ROUTES = [
    *routes_desk.ROUTES,
    *routes_extension.ROUTES,
    *routes_housekeeping.ROUTES,
    *routes_booking.ROUTES,
    *routes_reports.ROUTES,
]
NAV = [
    NavItem(
        key="frontdesk",
        label="Front desk",
        href="/console/frontdesk",
        roles=routes_desk.DESK_ROLES,
        module="frontdesk",
        order=20,
    ),
    NavItem(
        key="housekeeping",
        label="Housekeeping",
        href="/console/housekeeping",
        roles=routes_housekeeping.HOUSEKEEPING_ROLES,
        module="frontdesk",
        order=25,
    ),
    NavItem(
        key="frontdesk_reports",
        label="Daily report",
        href="/console/frontdesk/reports",
        roles=routes_reports.REPORT_ROLES,
        module="frontdesk",
        order=26,
    ),
]
