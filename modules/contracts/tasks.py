"""Background jobs of the contracts module."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
