"""All SQL of the reservations module, always filtered by the tenant it was built for
(row-level security is the second lock).

- `setup`: unit types, units, voyages, rate plans and the inventory calendar (console).
- `booking`: the statements that move inventory and the reservations they create.
- `idempotency`: stored answers to API writes.
"""

from modules.reservations.repository.booking import BookingRepository, InventoryShortage
from modules.reservations.repository.idempotency import IdempotencyRepository, StoredAnswer
from modules.reservations.repository.setup import SetupRepository

__all__ = [
    "BookingRepository",
    "IdempotencyRepository",
    "InventoryShortage",
    "SetupRepository",
    "StoredAnswer",
]
