"""Who may call the boarding module's routes."""

from __future__ import annotations

from app.security.access import ApiKey, Device, Role, Scope, Staff, TenantPublic, TenantToken

# Voyages, ships, crew and the manifest: the line's managers and its pursers (front desk).
PURSERS = Staff(Role.MANAGER, Role.FRONT_DESK)
# Decisions that change many passengers at once (low-water boarding port, cancelling a
# voyage, rotating the pass signing key): a manager's.
MANAGERS = Staff(Role.MANAGER)
# The gangway page, on a purser's phone or a tablet with a scanner.
GANGWAY = Staff(Role.MANAGER, Role.FRONT_DESK)
# Gate devices and scanners through the API.
SCANNER = ApiKey(Scope.BOARDING_SCAN)
# The guest's cruise booking pages `/book/{slug}/cruise/...` (the line from the slug).
BOOKING_GUEST = TenantPublic()
# Cabin bookings through the API, with the keys that book through the reservations API.
BOOKING_API = ApiKey(Scope.RESERVATIONS_WRITE)
BOOKING_API_READ = ApiKey(Scope.RESERVATIONS_READ)
# A cabin's pre-check-in and boarding passes, reached through the link in the booking SMS
# and on the confirmation (`<tenant id>.<secret>`); the service checks the secret.
CHECKIN = TenantToken()
# A paired in-cabin terminal (its pages show the cabin's own passes).
CABIN_TERMINAL = Device()
