"""The guest-services console: the staff queues (queue) and the menus, complaints and
ratings (admin)."""

from typing import Any

from modules.guestservices.routes.console import admin, queue

ROUTES: list[Any] = [*queue.ROUTES, *admin.ROUTES]
