"""The front desk's console pages: the desk (arrivals, stays, bills), stay extensions,
the housekeeping board, and the daily report with the night audit."""

from modules.frontdesk.routes.console import desk, extension, housekeeping, reports

ROUTES = [*desk.ROUTES, *extension.ROUTES, *housekeeping.ROUTES, *reports.ROUTES]
