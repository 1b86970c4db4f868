"""Tourist-facing public pages of contracts (signing on the phone, /verify/contract).

Owned by the contracts-public work; the console routes in routes.py include these."""

from typing import Any

ROUTES: list[Any] = []
