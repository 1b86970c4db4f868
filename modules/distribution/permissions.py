"""Who may call the distribution module's routes."""

from __future__ import annotations

from app.security.access import ApiKey, Operator, Role, Scope, Staff

# The supplier's side: signing up distributors, agreements and prices, ending them.
SUPPLIER_MANAGERS = Staff(Role.MANAGER)
# Settlement, statements, disputes, top-ups received, payouts: finance (cashiers), managers,
# and auditors (read).
FINANCE = Staff(Role.MANAGER, Role.CASHIER, Role.AUDITOR)
FINANCE_WRITE = Staff(Role.MANAGER, Role.CASHIER)
# The agency's 分销采购 page: its agents book for their tourists.
BUYERS = Staff(Role.MANAGER, Role.AGENT, Role.FRONT_DESK)
# External partners (OTAs, wholesalers) through the API, with a key of the supplier's.
API_READ = ApiKey(Scope.DISTRIBUTION_READ)
API_BOOK = ApiKey(Scope.DISTRIBUTION_BOOK)
# The platform's clerks (operator console): payout runs, the bank transfer file, marking paid.
PLATFORM_CLERKS = Operator()
