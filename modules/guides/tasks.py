"""Background jobs of the guides module."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
