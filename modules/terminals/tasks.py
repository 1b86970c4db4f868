"""Background jobs of the terminals module."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
