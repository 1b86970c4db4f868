"""Forms of the platform operator console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from app.web.input import Cleaned, Paragraph, Secret, Text


@dataclass
class OperatorLoginForm(Cleaned):
    email: str = ""
    password: Secret = ""
    next: Annotated[str, Text(500)] = ""


@dataclass
class SuspendForm(Cleaned):
    reason: Paragraph = ""
