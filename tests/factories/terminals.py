"""Factories for the terminals module. Each takes the tenant as a required keyword."""

from __future__ import annotations

from typing import Any

TABLE_FACTORIES: dict[str, Any] = {}
