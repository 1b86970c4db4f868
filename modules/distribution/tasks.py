"""Background jobs of the distribution module, named "distribution.<verb>"."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
