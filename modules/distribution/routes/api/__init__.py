"""The distributor API `/api/v1/distribution/...` (external partners, scoped keys)."""

from typing import Any

from modules.distribution.routes.api import orders

ROUTES: list[Any] = [*orders.ROUTES]
