"""Who may use the front desk module's routes."""

from app.security.access import Role, Staff, TenantPublic

# The front desk itself: arrivals, stays, bills, payments, room moves, check-out.
DESK = Staff(Role.MANAGER, Role.FRONT_DESK, Role.CASHIER)
# Adjustments to a bill change money already posted: managers only.
ADJUST_BILL = Staff(Role.MANAGER)
HOUSEKEEPING = Staff(Role.MANAGER, Role.FRONT_DESK)
DAILY_REPORT = Staff(Role.MANAGER, Role.CASHIER)
# Closing a business day (the night audit) cannot be undone.
CLOSE_DAY = Staff(Role.MANAGER)
# The guest's booking page `/book/{slug}` of one enterprise.
GUEST = TenantPublic()
