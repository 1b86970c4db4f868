"""The guest's side of a terminal: pairing it (pairing) and the pages a paired terminal
shows (guest)."""

from typing import Any

from modules.terminals.routes.terminal import guest, pairing

ROUTES: list[Any] = [*pairing.ROUTES, *guest.ROUTES]
