"""Console pages of the distribution module, one file per topic."""

from typing import Any

from app.web.nav import NavItem
from modules.distribution.routes.console import (
    agreements,
    buying,
    callbacks,
    funds,
    operator_payouts,
    packages,
    payouts,
    settlement,
)

_TOPICS = (agreements, buying, callbacks, settlement, payouts, packages, funds, operator_payouts)
ROUTES: list[Any] = [route for topic in _TOPICS for route in topic.ROUTES]
NAV: list[NavItem] = [item for topic in _TOPICS for item in topic.NAV]
