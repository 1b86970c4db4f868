"""The keytags module's public routes, one file per topic (each adds itself here)."""

from typing import Any

ROUTES: list[Any] = []
