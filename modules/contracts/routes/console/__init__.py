"""The contracts console: the list, the draft form and a contract's page (pages), and what
staff do to a drafted contract (actions)."""

from typing import Any

from modules.contracts.routes.console import actions, pages

ROUTES: list[Any] = [*pages.ROUTES, *actions.ROUTES]
