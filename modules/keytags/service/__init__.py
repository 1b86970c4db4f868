"""What other modules and the routes may call in keytags (exported by name).

Each topic adds its names in its own block below (one block per service file)."""

from modules.keytags.service.catalog import (
    KeytagRules,
    admission_price,
    day_kinds,
    prices,
    rules,
    ticket_type,
    time_rule,
)
from modules.keytags.service.shifts import current_shift

__all__ = [
    "KeytagRules",
    "admission_price",
    "current_shift",
    "day_kinds",
    "prices",
    "rules",
    "ticket_type",
    "time_rule",
]
