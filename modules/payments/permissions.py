"""Who may use the payments module's routes."""

from app.security.access import Public, Role, Staff

# Stripe's webhook deliveries: anyone may post, the signature is checked by the service.
PROVIDER = Public()
# A reservation's payments in the console: the desk, and auditors who check the money.
SEE_PAYMENTS = Staff(Role.MANAGER, Role.FRONT_DESK, Role.CASHIER, Role.AUDITOR)
# The enterprise's own Stripe account (where guests' money lands): owners and managers.
MANAGE_ACCOUNT = Staff(Role.MANAGER)
