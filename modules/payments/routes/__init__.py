"""Routes of the payments module, collected for the composition root: the provider's
webhook, the payments partial on a reservation in the console, and the enterprise's online
payment account page (linked from the console's administration menu). (The guest's pay
step is the reservations module's page; it calls this module's service.)"""

from modules.payments.routes import console, public

ROUTES: list[object] = [*public.ROUTES, *console.ROUTES]
NAV: list[object] = [*console.NAV]
