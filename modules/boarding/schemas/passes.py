"""The pre-check-in form (the party's emergency contact and its confirmation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from app.web.input import Cleaned, Text


@dataclass
class CheckinForm(Cleaned):
    token: Annotated[str, Text(120)] = ""
    emergency_name: Annotated[str, Text(60)] = ""
    emergency_phone: Annotated[str, Text(32)] = ""
    confirm: Annotated[str, Text(10)] = ""
