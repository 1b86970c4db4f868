"""Who may call the keytags module's routes."""

from __future__ import annotations

from app.security.access import ApiKey, Role, Scope, Staff, TenantPublic

# The admission desk and the exit desk: front desk clerks and cashiers (and managers).
DESK = Staff(Role.MANAGER, Role.FRONT_DESK, Role.CASHIER)
# Setting up ticket types, the calendar, lockers, outlets and price lists; approving a late
# void; writing off a conflict: a manager's.
MANAGERS = Staff(Role.MANAGER)
# Shift close, the day's charges, concessions: cashiers, managers and auditors.
REPORTS = Staff(Role.MANAGER, Role.CASHIER, Role.AUDITOR)
# The touch POS page on an outlet's tablet, signed in as outlet staff (a cashier).
POS_PAGE = Staff(Role.MANAGER, Role.FRONT_DESK, Role.CASHIER)
# Outlet readers and POS systems through the API, each outlet with its own key.
POS_API = ApiKey(Scope.POS_CHARGE)
# Entry and exit gates through the API.
GATE_API = ApiKey(Scope.GATE_EXIT)
# The guest's day-ticket pages `/book/{slug}/spa/...` (the resort from the slug).
TICKET_GUEST = TenantPublic()
