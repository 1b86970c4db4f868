"""Background jobs of the keytags module, named "keytags.<verb>"."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
