"""Forms and API responses of API keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.web.input import Cleaned


@dataclass
class ApiKeyForm(Cleaned):
    name: str = ""
    # One checkbox sends a string, several a list.
    scopes: list[str] | str = field(default_factory=list)


@dataclass(frozen=True)
class MeTenant:
    slug: str
    name: str


@dataclass(frozen=True)
class MeKey:
    id: uuid.UUID
    name: str
    scopes: list[str]


@dataclass(frozen=True)
class MeResponse:
    """What a device learns about its own key: whose it is and what it may do."""

    tenant: MeTenant
    key: MeKey
