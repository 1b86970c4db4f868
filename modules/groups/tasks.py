"""Background jobs of the groups module."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
