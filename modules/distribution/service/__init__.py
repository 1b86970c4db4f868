"""The distribution module's behaviour, re-exported by name: the only thing other modules
import."""

from modules.distribution.service import orders as _orders  # noqa: F401 (hears desk cancellations)
from modules.distribution.service.redemptions import EVENT_HANDLERS

__all__: list[str] = ["EVENT_HANDLERS"]
