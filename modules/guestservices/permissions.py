"""Who may call the guest-services module's routes."""

from app.security.access import Device, Role, Staff

# The staff queues (requests, room orders) and the complaints.
QUEUE = Staff(Role.MANAGER, Role.FRONT_DESK)
# Menus and ratings: a manager's business.
MANAGE = Staff(Role.MANAGER)
# The guest's pages on a paired terminal.
TERMINAL = Device()
