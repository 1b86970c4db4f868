"""Background jobs of the boarding module, named "boarding.<verb>"."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
