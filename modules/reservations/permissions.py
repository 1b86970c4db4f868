"""Who may use the reservations module's routes."""

from app.security.access import ApiKey, Role, Scope, Staff, TenantPublic

# Those who take bookings: the desk, and travel agents booking for their groups.
BOOKING_STAFF = Staff(Role.MANAGER, Role.FRONT_DESK, Role.CASHIER, Role.AGENT)
# Unit types, units, rate plans, voyages and the price calendar.
MANAGE_INVENTORY = Staff(Role.MANAGER)
API_READ = ApiKey(Scope.RESERVATIONS_READ)
API_WRITE = ApiKey(Scope.RESERVATIONS_WRITE)
# The guest's pay step of the booking page (its link carries the booking code).
GUEST = TenantPublic()
