"""Background jobs of the guestservices module."""

from __future__ import annotations

from procrastinate import Blueprint

blueprint = Blueprint()
