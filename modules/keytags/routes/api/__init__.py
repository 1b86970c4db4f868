"""The keytags module's api routes, one file per topic (each adds itself here)."""

from typing import Any

from modules.keytags.routes.api.charges import ChargesApi
from modules.keytags.routes.api.gate import GateApi

ROUTES: list[Any] = [ChargesApi, GateApi]
